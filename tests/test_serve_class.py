"""A served class one can trust: learners prove who they are, sessions are bounded, names are escaped.

Each test starts the real server (``python -m tutor serve --class``) and talks to it as a browser does:
it opens the class page, signs in with a form or a personal link, connects the page's websocket and
reads what the app draws. Who each app process serves is read from the process itself.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual import events
from textual.geometry import Size

from tests.helpers import (
    SERVE_STARTUP_SECONDS,
    Served,
    ServedScreen,
    environment_of,
    make_app,
    ready,
    served,
    websocket_url,
)
from tutor.roster import WRONG, Roster

pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")

FIRST_SCREEN = "Rosenblatt"


def class_folder(tmp_path: Path) -> Path:
    return tmp_path / "home" / "classes" / "7b"  # served() gives the server TUTOR_HOME=tmp_path/home


def roster_of(tmp_path: Path, *names: str) -> dict[str, str]:
    """The teacher's roster of class 7b: {name: code}."""
    return dict(Roster(class_folder(tmp_path)).add(list(names)))


def teachers_table(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    """``tutor class 7b`` as the teacher types it, on the served class's data folder."""
    environment = {**os.environ, "TUTOR_HOME": str(tmp_path / "home"), "COLUMNS": "100", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "tutor", "class", "7b", *options]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)


def personal_link(name: str, code: str) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({"learner": name, "key": code})


async def get(server: Served, query: str = "") -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base}/{query}") as response:
            return response.status, await response.text()


async def sign_in(server: Served, **form: str) -> tuple[int, str, str]:
    """Submit the class page's form (name, code, action): (status, page, the address it ended on)."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base}/sign-in", data={"token": "", **form}) as response:
            return response.status, await response.text(), str(response.url)


def problem_of(page: str) -> str:
    found = re.search(r'id="problem">([^<]*)<', page)
    return found.group(1) if found else ""


class Tab:
    """One browser tab's websocket and the screen it shows."""

    def __init__(self, websocket, width: int = 100, height: int = 30) -> None:
        self.websocket = websocket
        self.screen = ServedScreen(width, height)
        self.raw = b""

    async def until(self, text: str, timeout: float = SERVE_STARTUP_SECONDS) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.screen.text():
            message = await self.websocket.receive(timeout=max(deadline - time.monotonic(), 0.01))
            assert message.type == aiohttp.WSMsgType.BINARY, f"the session ended: {message}"
            self.raw += message.data
            self.screen.feed(message.data)
        return self.screen.text()

    async def more_output(self, timeout: float = SERVE_STARTUP_SECONDS) -> bytes:
        """What the app draws next (it answers: the session is alive)."""
        message = await self.websocket.receive(timeout=timeout)
        assert message.type == aiohttp.WSMsgType.BINARY, f"the session ended: {message}"
        self.raw += message.data
        self.screen.feed(message.data)
        return message.data


async def open_tab(session, server: Served, query: str, size: str = "?width=100&height=30") -> Tab:
    async with session.get(f"{server.base}/{query}") as response:
        page = await response.text()
    websocket = await session.ws_connect(websocket_url(page) + size)
    return Tab(websocket)


# ---------------------------------------------------------------- learners prove who they are


def test_two_learners_each_open_only_their_own_work_with_their_personal_link(tmp_path):
    codes = roster_of(tmp_path, "Ana", "Ben")
    with served(tmp_path, "--class", "7b") as server:

        async def two_learners() -> list[dict[str, str]]:
            async with aiohttp.ClientSession() as session:
                tabs = [await open_tab(session, server, personal_link(name, code)) for name, code in codes.items()]
                for tab in tabs:
                    await tab.until(FIRST_SCREEN)
                identities = [environment_of(pid) for pid in server.app_processes()]
                screens = [tab.screen.text() for tab in tabs]
                for tab in tabs:
                    await tab.websocket.close()
                return identities, screens

        identities, screens = asyncio.run(two_learners())
    assert sorted(environment["TUTOR_LEARNER"] for environment in identities) == ["Ana", "Ben"]
    for environment in identities:
        assert environment["TUTOR_CLASS_DIR"] == str(class_folder(tmp_path)) and environment["TUTOR_SERVED"] == "1"
    assert "Ana" in screens[0] and "Ben" in screens[1]  # the app's title says whose it is
    assert "Ana joined" in server.log and "Ben joined" in server.log


@pytest.mark.parametrize("wrong", ["Ben's code", "a made-up code", "no such learner", "a name that is not plain"])
def test_a_wrong_secret_gets_one_clear_line_and_no_session(tmp_path, wrong):
    codes = roster_of(tmp_path, "Ana", "Ben")
    link = {
        "Ben's code": personal_link("Ana", codes["Ben"]),
        "a made-up code": personal_link("Ana", "aaaaa-aaaaa"),
        "no such learner": personal_link("Zoe", codes["Ana"]),
        "a name that is not plain": personal_link("../../etc", codes["Ana"]),
    }[wrong]
    with served(tmp_path, "--class", "7b") as server:
        status, page = asyncio.run(get(server, link))
        # The form, too: the same line for a wrong code of a real name and for a name nobody has.
        form_status, form_page, _ = asyncio.run(sign_in(server, name="Ana", code=codes["Ben"], action="start"))
        apps = server.app_processes()
    assert status == 403 and problem_of(page) == WRONG and "data-session-websocket-url" not in page
    assert form_status == 403 and problem_of(form_page) == WRONG
    assert "Ben" not in page and "Zoe" not in page.replace(link, "")  # nothing about who is in the class
    assert apps == []
    assert "a sign-in with a wrong name or code" in server.log and "Traceback" not in server.log


def test_a_roster_refuses_other_names_and_the_form_opens_the_learners_personal_link(tmp_path):
    codes = roster_of(tmp_path, "Chloé Martin")
    with served(tmp_path, "--class", "7b") as server:
        _, page = asyncio.run(get(server))
        refused_status, refused, _ = asyncio.run(sign_in(server, name="Dan", action="new"))
        status, app_page, address = asyncio.run(
            sign_in(
                server, name="  chloé MARTIN ", code=codes["Chloé Martin"].upper().replace("-", " "), action="start"
            )
        )
    assert "I am new here" not in page  # a class with a roster takes no newcomer
    assert refused_status == 409 and "Only the learners your teacher added" in problem_of(refused)
    assert status == 200 and "data-session-websocket-url" in app_page
    assert "learner=Chlo%C3%A9+Martin" in address and f"key={codes['Chloé Martin']}" in address  # the personal link


def test_a_newcomer_of_an_open_class_is_given_a_code_that_later_visits_need(tmp_path):
    with served(tmp_path, "--class", "7b") as server:
        status, welcome, _ = asyncio.run(sign_in(server, name="Ana Lima", action="new"))
        code = re.search(r'id="code">([^<]+)<', welcome).group(1)
        link = re.search(r'id="link" href="([^"]+)"', welcome).group(1).replace("&amp;", "&")
        again_status, again, _ = asyncio.run(sign_in(server, name="ana lima", action="new"))
        no_code_status, no_code, _ = asyncio.run(sign_in(server, name="Ana Lima", code="", action="start"))
        link_status, app_page = asyncio.run(get(server, link[link.index("?") :]))
    assert status == 200 and re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code)
    assert "Welcome to class 7b, Ana Lima" in welcome
    assert again_status == 409 and "already used in this class" in problem_of(again)  # taking her name
    assert no_code_status == 400 and "Type your code" in problem_of(no_code)
    assert link_status == 200 and "data-session-websocket-url" in app_page
    assert code not in Roster(class_folder(tmp_path)).path.read_bytes().decode("latin-1")  # kept as a hash only


def test_twenty_page_loads_without_a_name_take_no_seat_and_no_row(tmp_path):
    codes = roster_of(tmp_path, "Ana")
    with served(tmp_path, "--class", "7b", "--max-sessions", "1") as server:

        async def twenty_then_ana() -> tuple[list[int], list[int], str]:
            statuses = [(await get(server))[0] for _ in range(20)]
            apps = server.app_processes()
            async with aiohttp.ClientSession() as session:
                tab = await open_tab(session, server, personal_link("Ana", codes["Ana"]))
                await tab.until(FIRST_SCREEN)
                await tab.websocket.close()
            return statuses, apps

        statuses, apps = asyncio.run(twenty_then_ana())
    assert statuses == [200] * 20 and apps == []  # twenty sign-in pages, no app process
    assert server.log.count("joined") == 1 and "tab opened" not in server.log
    table = teachers_table(tmp_path)
    assert table.returncode == 0 and "class 7b: 1 learner(s)" in table.stdout


def test_one_learner_has_at_most_three_tabs(tmp_path):
    codes = roster_of(tmp_path, "Ana", "Ben")
    with served(tmp_path, "--class", "7b") as server:

        async def four_tabs() -> tuple[int, str, int]:
            async with aiohttp.ClientSession() as session:
                tabs = [await open_tab(session, server, personal_link("Ana", codes["Ana"])) for _ in range(3)]
                for tab in tabs:
                    await tab.until(FIRST_SCREEN)
                status, page = await get(server, personal_link("Ana", codes["Ana"]))
                ben, _ = await get(server, personal_link("Ben", codes["Ben"]))  # others still get in
                for tab in tabs:
                    await tab.websocket.close()
                return status, page, ben

        status, page, ben = asyncio.run(four_tabs())
    assert status == 429 and "You have 3 tabs of the tutor open already" in page
    assert ben == 200
    assert "Ana opened another tab (3 tabs)" in server.log


# ---------------------------------------------------------------- bounded sessions

CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def largest_position(raw: bytes) -> tuple[int, int]:
    """The furthest (row, column) the app drew at: its screen is at least that big."""
    moves = [(int(row), int(column)) for row, column in CURSOR_MOVE.findall(raw)]
    return max(row for row, _ in moves), max(column for _, column in moves)


@pytest.mark.parametrize("size", [(100_000, 100_000), (-5, -3), (0, 0)])
def test_a_huge_or_negative_size_is_clamped_in_the_link_and_in_the_websocket(tmp_path, size):
    codes = roster_of(tmp_path, "Ana")
    width, height = size
    with served(tmp_path, "--class", "7b") as server:

        async def resized() -> tuple[dict[str, str], bytes]:
            async with aiohttp.ClientSession() as session:
                query = personal_link("Ana", codes["Ana"])
                tab = await open_tab(session, server, query, size=f"?width={width}&height={height}")
                await tab.more_output()
                [app] = server.app_processes()
                environment = environment_of(app)
                tab.raw = b""
                await tab.websocket.send_json(["resize", {"width": width, "height": height}])
                await tab.websocket.send_json(["resize", {"width": width + 1, "height": height + 1}])
                while CURSOR_MOVE.search(tab.raw) is None:
                    await tab.more_output()
                await tab.websocket.send_json(["stdin", "\t"])  # a key: the app still answers
                await tab.more_output()
                await tab.websocket.close()
                return environment, tab.raw

        # One deadline for it all: an app drawing 100000 x 100000 cells never finishes a screen.
        environment, raw = asyncio.run(asyncio.wait_for(resized(), timeout=2 * SERVE_STARTUP_SECONDS))
    expected = (min(max(width, 10), 500), min(max(height, 5), 200))
    assert (int(environment["COLUMNS"]), int(environment["ROWS"])) == expected
    rows, columns = largest_position(raw)
    assert rows <= expected[1] and columns <= expected[0]
    logs = list((class_folder(tmp_path) / "logs").glob("*.log"))
    assert "Traceback" not in server.log and not any("Traceback" in log.read_text() for log in logs)


MALFORMED = [
    "garbage",
    "[]",
    "{}",
    '["resize"]',
    '["resize", null]',
    '["resize", {"width": "wide", "height": 30}]',
    '["resize", {"width": true, "height": 30}]',
    '["resize", {"width": 1e309, "height": 30}]',
    '["stdin", 5]',
    '["stdin", "\\ud800"]',
    '["no such type", 1]',
    "[" * 100_000 + "]" * 100_000,
]


def test_malformed_browser_messages_are_refused_and_the_session_goes_on(tmp_path):
    codes = roster_of(tmp_path, "Ana")
    with served(tmp_path, "--class", "7b") as server:

        async def malformed() -> list[object]:
            async with aiohttp.ClientSession() as session:
                tab = await open_tab(session, server, personal_link("Ana", codes["Ana"]))
                await tab.until(FIRST_SCREEN)
                for text in MALFORMED:
                    await tab.websocket.send_str(text)
                await tab.websocket.send_json(["ping", "still there?"])
                answers = []
                while not answers or answers[-1] != ["pong", "still there?"]:
                    message = await tab.websocket.receive(timeout=SERVE_STARTUP_SECONDS)
                    assert message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), message
                    if message.type == aiohttp.WSMsgType.TEXT:
                        answers.append(message.json())
                await tab.websocket.send_json(["stdin", "\t"])  # and the app still takes keys
                await tab.more_output()
                await tab.websocket.close()
                return answers

        answers = asyncio.run(asyncio.wait_for(malformed(), timeout=2 * SERVE_STARTUP_SECONDS))
    assert answers[-1] == ["pong", "still there?"]
    assert "ended with an error" not in server.log and "Traceback" not in server.log


# An app that writes three megabytes of escape sequences to its stderr (retitling the teacher's terminal,
# clearing it), then is the tutor.
NOISY_APP = """
import sys
sys.stderr.write("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mnoise\\n" * 100_000)
sys.stderr.flush()
from tutor.cli import main
sys.exit(main([]))
"""


def test_an_apps_stderr_goes_to_its_own_bounded_log_not_the_teachers_terminal(tmp_path):
    codes = roster_of(tmp_path, "Ana")
    argv = [sys.executable, "-c", NOISY_APP]
    with served(tmp_path, "--class", "7b", app_argv=argv) as server:

        async def one_tab() -> None:
            async with aiohttp.ClientSession() as session:
                tab = await open_tab(session, server, personal_link("Ana", codes["Ana"]))
                await tab.until(FIRST_SCREEN)
                await tab.websocket.close()

        asyncio.run(one_tab())
        deadline = time.monotonic() + SERVE_STARTUP_SECONDS
        while "Ana left" not in server.log and time.monotonic() < deadline:
            time.sleep(0.1)
    assert "\x1b" not in server.log and "noise" not in server.log and len(server.log) < 5000
    [log] = (class_folder(tmp_path) / "logs").glob("*Ana*.log")
    text = log.read_text()
    assert "\x1b" not in text and "noise" in text
    assert len(text.encode()) < 1_100_000 and "more bytes were not kept" in text


@pytest.mark.parametrize(("asked", "clamped"), [((100_000, 100_000), (500, 200)), ((-5, -3), (10, 5))])
async def test_the_app_clamps_a_size_from_its_own_terminal_too(asked, clamped):
    """Not only the server: a Resize reaching the app (a terminal's, a driver's) is clamped there as well."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.post_message(events.Resize(Size(*asked), Size(*asked)))
        await pilot.pause()
        await pilot.pause()
        assert tuple(app.size) == clamped
        app.post_message(events.Resize(Size("wide", None), Size("wide", None)))  # refused, not a crash
        await pilot.pause()
        assert tuple(app.size) == clamped and app.is_running
