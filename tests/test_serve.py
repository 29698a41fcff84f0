"""`tutor serve`: the app in a browser, for one learner or a class - through the server as a browser uses it.

Each test starts the real server (``python -m tutor serve``) and talks to it over HTTP and its websocket
the way the page's script does: it opens the page, reads the websocket address the page gives, connects
and reads the app's first screen. Which identity each app process got is read from the process itself.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SERVE_STARTUP_SECONDS, Served, ServedScreen, environment_of, free_port, served, websocket_url
from tutor.cli import main

textual_serve = pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")

FIRST_SCREEN = "Rosenblatt"  # the lesson tree of the shipped course shows it at once


def screen_text(raw: bytes) -> str:
    return re.sub(rb"\x1b\[[0-9;?$<>]*[a-zA-Z]", b"", raw).decode("utf-8", "replace")


async def open_page(server: Served, query: str = "", headers: dict | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base}/{query}", headers=headers or {}) as response:
            return response.status, await response.text()


async def first_screen(url: str, wait_for: str = FIRST_SCREEN) -> str:
    """Connect to the page's websocket as its script does; the screen once ``wait_for`` shows."""
    raw = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}?width=100&height=30") as websocket:
            deadline = time.monotonic() + SERVE_STARTUP_SECONDS
            while time.monotonic() < deadline:
                message = await websocket.receive(timeout=deadline - time.monotonic())
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    break
                if message.type == aiohttp.WSMsgType.BINARY:
                    raw += message.data
                    if wait_for in screen_text(raw):
                        break
    return screen_text(raw)


async def type_a_burst(url: str) -> str:
    """Open the first lesson's epochs field (100), then send End, 6 x Backspace, "1555" in one message."""
    screen = ServedScreen(100, 30)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}?width=100&height=30") as websocket:

            async def read() -> None:
                async for message in websocket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        screen.feed(message.data)

            async def until(text: str, shown: Callable[[], bool] | None = None) -> str:
                """The screen once ``text`` is on it (or ``shown()``); fails at once, with the screen, if the
                session ends first."""
                deadline = time.monotonic() + SERVE_STARTUP_SECONDS  # a hang guard
                while not (shown() if shown else text in screen.text()):
                    assert not reader.done() and time.monotonic() < deadline, f"no {text}:\n{screen.text()}"
                    await asyncio.sleep(0.05)
                return screen.text()

            def epochs_focused() -> bool:
                """Textual puts the terminal's cursor in the focused field: here, the line under its label."""
                lines = screen.text().splitlines()
                label = next((row for row, line in enumerate(lines) if "passes over the beans" in line), None)
                return label is not None and screen.screen.cursor.y == label + 1

            reader = asyncio.create_task(read())
            # The status line is the lesson pane's: drawn once the pane is up and its keys work (the tree
            # shows before it; a key sent then can be lost).
            await until("Ready: press Run")
            await websocket.send_json(["stdin", "p"])  # the Parameters tab
            await until("passes over the beans")
            for _ in range(3):  # the tab bar, the learning rate, the epochs
                await websocket.send_json(["stdin", "\t"])
            # Keys go to the field focused when they arrive: the burst waits for the focus to get there.
            await until("the epochs field focused", epochs_focused)
            await websocket.send_json(["stdin", "\x1b[F" + "\x7f" * 6 + "1555"])
            text = await until("1555")
            reader.cancel()
            return text


def test_a_burst_of_keys_in_a_parameter_field_arrives_whole(tmp_path):
    with served(tmp_path) as server:
        _, page = asyncio.run(open_page(server))
        screen = asyncio.run(type_a_burst(websocket_url(page)))
    field = [line for line in screen.splitlines() if "passes over the beans" in line]
    assert re.search(r"\b1555\b", screen), screen
    assert field, screen


async def refused_websocket(url: str) -> int:
    """The HTTP status a websocket handshake to ``url`` gets (it must not become a session)."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with session.ws_connect(url):
                pass
    return refused.value.status


def test_served_app_shows_the_lessons_in_a_browser(tmp_path):
    with served(tmp_path) as server:
        status, page = asyncio.run(open_page(server))
        screen = asyncio.run(first_screen(websocket_url(page)))
    assert status == 200 and "textual.js" in page and "<title>tutor</title>" in page
    # The served process is the real app: its lesson tree, chapter by chapter.
    assert "One neuron, one weight" in screen and "1.1 Rosenblatt" in screen, server.log


def test_a_session_without_the_token_is_refused_and_gets_no_app_process(tmp_path):
    with served(tmp_path, "--token", "class-of-2026") as server:
        assert server.link().endswith("/?token=class-of-2026")
        for query in ("", "?token=wrong", "?token="):
            status, page = asyncio.run(open_page(server, query))
            assert status == 403 and "link your teacher handed out" in page and "data-session-websocket-url" not in page
        # Nor does the websocket start an app without the ticket a page with the token hands out.
        assert asyncio.run(refused_websocket(f"ws://127.0.0.1:{server.port}/ws?width=80&height=24")) == 403
        assert asyncio.run(refused_websocket(f"ws://127.0.0.1:{server.port}/ws/made-up-ticket")) == 403
        assert server.app_processes() == []
        status, page = asyncio.run(open_page(server, "?token=class-of-2026"))
        assert status == 200
        assert FIRST_SCREEN in asyncio.run(first_screen(websocket_url(page)))


def test_a_ticket_opens_one_session_only(tmp_path):
    with served(tmp_path) as server:
        _, page = asyncio.run(open_page(server))
        url = websocket_url(page)
        assert FIRST_SCREEN in asyncio.run(first_screen(url))
        assert asyncio.run(refused_websocket(url)) == 403  # a copied address opens nothing more


def test_another_host_than_the_loopback_asks_for_a_generated_token(tmp_path):
    with served(tmp_path, "--host", "0.0.0.0") as server:
        link = server.link()
        token = link.split("?token=", 1)[1]
        assert len(token) >= 12 and "0.0.0.0" not in link  # an address the room can open
        assert asyncio.run(open_page(server))[0] == 403
        assert asyncio.run(open_page(server, f"?token={token}"))[0] == 200


def test_the_page_makes_no_request_outside_the_server(tmp_path):
    with served(tmp_path) as server:
        _, page = asyncio.run(open_page(server))
        addresses = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"|url\(\s*"?([^")]*)', page)
        addresses = [a or b for a, b in addresses]
        assert any(a.endswith("textual.js") for a in addresses) and any(a.endswith(".ttf") for a in addresses)
        assert "googleapis" not in page and "@import" not in page
        for address in addresses:  # every file from beside the page
            assert "//" not in address and not address.startswith("/"), address

        async def fetch_all() -> list[int]:
            async with aiohttp.ClientSession() as session:
                statuses = []
                for address in addresses:
                    async with session.get(f"{server.base}/{address}") as response:
                        statuses.append(response.status)
                return statuses

        assert set(asyncio.run(fetch_all())) == {200}  # and the server has them all


def test_the_websocket_address_follows_the_address_the_browser_used(tmp_path):
    with served(tmp_path) as server:
        for host in ("tutor.example:9000", "192.168.1.20:8000", "[fe80::1]:8000"):
            page = asyncio.run(open_page(server, headers={"Host": host}))[1]
            assert websocket_url(page).startswith(f"ws://{host}/ws/")
        page = asyncio.run(open_page(server, headers={"Host": 'evil"><script>'}))[1]
        assert websocket_url(page).startswith("ws://127.0.0.1:")  # not echoed: the server's own address
        page = asyncio.run(open_page(server, headers={"Host": "tutor.example", "X-Forwarded-Proto": "https"}))[1]
        assert websocket_url(page).startswith("wss://tutor.example/ws/")
    with served(tmp_path, "--public-url", "https://tutor.school.example/room1") as server:
        page = asyncio.run(open_page(server, headers={"Host": "10.0.0.5:8000"}))[1]
        assert websocket_url(page).startswith("wss://tutor.school.example/room1/ws/")
        assert server.link() == "https://tutor.school.example/room1/"


async def identities_while_open(server: Served, *links: str) -> list[dict[str, str]]:
    """Open one tab per link; while all are connected, the environment of each app process started."""
    async with aiohttp.ClientSession() as session:
        sockets = []
        for link in links:
            async with session.get(f"{server.base}/{link}") as response:
                page = await response.text()
            sockets.append(await session.ws_connect(f"{websocket_url(page)}?width=100&height=30"))
        for websocket in sockets:  # each app is up: it has drawn something
            await websocket.receive(timeout=SERVE_STARTUP_SECONDS)
        identities = [environment_of(pid) for pid in server.app_processes()]
        for websocket in sockets:
            await websocket.close()
    return identities


def test_without_a_class_the_session_is_the_single_users(tmp_path):
    with served(tmp_path) as server:
        (identity,) = asyncio.run(identities_while_open(server, "?learner=ana"))
    assert identity["TUTOR_SERVED"] == "1"
    assert "TUTOR_LEARNER" not in identity and "TUTOR_CLASS_DIR" not in identity


def test_a_session_over_the_limit_gets_a_clear_page(tmp_path):
    with served(tmp_path, "--max-sessions", "1") as server:

        async def one_too_many() -> tuple[int, str, int]:
            _, page = await open_page(server)
            spare = websocket_url((await open_page(server))[1])  # a page opened before the class filled
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"{websocket_url(page)}?width=80&height=24") as websocket:
                    await websocket.receive(timeout=SERVE_STARTUP_SECONDS)
                    status, full = await open_page(server)
                    return status, full, await refused_websocket(spare)

        status, page, refused = asyncio.run(one_too_many())
    assert status == 503 and "The class is full" in page and "All 1 sessions are in use" in page
    assert refused == 503
    assert "Traceback" not in server.log


def test_ctrl_c_ends_the_server_and_its_sessions(tmp_path):
    with served(tmp_path) as server:

        async def interrupt_with_a_tab_open() -> list[int]:
            _, page = await open_page(server)
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"{websocket_url(page)}?width=80&height=24") as websocket:
                    await websocket.receive(timeout=SERVE_STARTUP_SECONDS)
                    apps = server.app_processes()
                    server.process.send_signal(signal.SIGINT)
                    await asyncio.get_running_loop().run_in_executor(None, server.process.wait, 30)
                    return apps

        apps = asyncio.run(interrupt_with_a_tab_open())
    assert len(apps) == 1 and server.process.returncode == 0
    assert not Path(f"/proc/{apps[0]}").exists() or "zombie" in Path(f"/proc/{apps[0]}/status").read_text()
    assert "Traceback" not in server.log


def test_a_killed_server_takes_its_sessions_with_it(tmp_path):
    with served(tmp_path) as server:

        async def kill_with_a_tab_open() -> int:
            _, page = await open_page(server)
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"{websocket_url(page)}?width=80&height=24") as websocket:
                    await websocket.receive(timeout=SERVE_STARTUP_SECONDS)
                    (app,) = server.app_processes()
                    server.process.kill()  # no Ctrl+C to handle: the app must notice by itself
                    server.process.wait()
                    return app

        app = asyncio.run(kill_with_a_tab_open())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and running(app):
            time.sleep(0.1)
    assert not running(app)  # not left holding a learner's session (and its memory) forever


def running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--class", "../other"], "--class '../other': a class name starts with a letter or a digit"),
        (["--class", ""], "--class '': type a class name"),
        (["--token", "short"], "--token must be 8 to 128 letters, digits, '-' or '_'"),
        (["--max-sessions", "0"], "--max-sessions must be from 1 to 10000, got 0"),
        (["--public-url", "ftp://x"], "--public-url must be an http:// or https:// address, got 'ftp://x'"),
    ],
)
def test_bad_serve_options_give_one_clear_line(options, message, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    assert main(["serve", "--port", str(free_port()), *options]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"tutor: error: {message}"]
    assert not (tmp_path / "classes").exists() or not any((tmp_path / "classes").iterdir())


def test_serve_without_textual_serve_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if not installed
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["tutor: error: 'tutor serve' needs textual-serve: pip install 'tutor[serve]'"]
