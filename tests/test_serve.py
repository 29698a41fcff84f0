"""`tutor serve`: a class opens the app in a browser through textual-serve."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from tutor.cli import main


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def browse(port: int, server: subprocess.Popen, timeout: float = 60.0) -> tuple[str, str]:
    """Open the page, then its websocket as the page's script does; return (page, first screen)."""
    import aiohttp  # textual-serve's own web stack

    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + timeout
        while True:  # until the server listens
            try:
                async with session.get(f"{base}/") as response:
                    page = await response.text()
                    break
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                await asyncio.sleep(0.2)
        screen = b""
        async with session.ws_connect(f"{base}/ws?width=100&height=30") as websocket:
            while time.monotonic() < deadline:
                message = await websocket.receive(timeout=deadline - time.monotonic())
                if message.type != aiohttp.WSMsgType.BINARY:
                    continue
                screen += message.data
                text = re.sub(rb"\x1b\[[0-9;?$]*[a-zA-Z]", b"", screen).decode("utf-8", "replace")
                if "Rosenblatt" in text:
                    return page, text
        return page, ""


def test_served_app_shows_the_lessons_in_a_browser():
    pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
    port = free_port()
    command = [sys.executable, "-m", "tutor", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ)
    try:
        page, screen = asyncio.run(browse(port, server))
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=20)
    assert "textual.js" in page and ">tutor<" in page  # the terminal page, titled "tutor"
    # The served process is the real app: its lesson tree, chapter by chapter.
    assert "One neuron, one weight" in screen and "1.1 Rosenblatt" in screen, log


def test_serve_without_textual_serve_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if not installed
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["tutor: error: 'tutor serve' needs textual-serve: pip install 'tutor[serve]'"]
