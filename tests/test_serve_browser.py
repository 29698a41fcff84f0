"""`tutor serve` in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).

What the browser shows is read from the bytes the app sends over the page's websocket (xterm.js draws
them on a canvas), fed to a terminal emulator of the page's own size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SERVE_STARTUP_SECONDS, ServedScreen, served

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (Debian's 'chromium')"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytest.importorskip("textual_serve", reason="tutor[serve] is not installed")
pytest.importorskip("pyte", reason="pyte reads the served screen")


class Tab:
    """A browser tab on the served tutor, and the screen its terminal shows."""

    def __init__(self, page) -> None:
        self.page = page
        self.screen: ServedScreen | None = None
        page.on("websocket", self._watch)

    def _watch(self, websocket) -> None:
        websocket.on("framesent", self._sent)
        websocket.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        message = json.loads(payload) if isinstance(payload, str) else None
        if message and message[0] == "resize" and self.screen is None:
            self.screen = ServedScreen(message[1]["width"], message[1]["height"])

    def _received(self, payload) -> None:
        if isinstance(payload, bytes) and self.screen is not None:
            self.screen.feed(payload)

    def text(self) -> str:
        return self.screen.text() if self.screen else ""

    def until(self, text: str, shown: Callable[[], bool] | None = None) -> str:
        """The screen once ``text`` is on it (or ``shown()``); fails with the screen after a hang guard."""
        deadline = time.monotonic() + SERVE_STARTUP_SECONDS
        while not (shown() if shown else text in self.text()):
            assert time.monotonic() < deadline, f"no {text}:\n{self.text()}"
            self.page.wait_for_timeout(50)  # Playwright's events arrive while it waits
        return self.text()

    def focused_under(self, label: str) -> bool:
        """Textual puts the terminal's cursor in the focused field: is it on the line under ``label``?"""
        lines = self.text().splitlines()
        row = next((number for number, line in enumerate(lines) if label in line), None)
        return self.screen is not None and row is not None and self.screen.screen.cursor.y == row + 1


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def test_keys_work_without_a_click_and_a_burst_arrives_whole(browser, tmp_path):
    with served(tmp_path) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        outside: list[str] = []
        page.on("request", lambda request: None if request.url.startswith(server.base) else outside.append(request.url))
        tab = Tab(page)
        page.goto(f"{server.base}/")
        assert "Rosenblatt" in tab.until("Rosenblatt")
        tab.until("Ready: press Run")  # the lesson pane's status line: its keys work from here
        assert page.title() == "tutor"
        assert page.evaluate("document.activeElement.closest('#terminal') !== null")  # focused, no click
        page.keyboard.press("p")  # the Parameters tab, typed without a click
        assert "passes over the beans" in tab.until("passes over the beans")
        for _ in range(3):  # the tab bar, the learning rate, the epochs field (100)
            page.keyboard.press("Tab")
        # Keys go to the field focused when they arrive: the bursts wait for the focus to get there.
        tab.until("the epochs field focused", lambda: tab.focused_under("passes over the beans"))
        screens = []
        for typed in ("1551", "1552", "1553"):  # a burst as a slow network bunches keys, three times
            page.keyboard.press("End")
            for _ in range(6):
                page.keyboard.press("Backspace")
            page.keyboard.type(typed)
            screens.append(tab.until(typed))
        page.close()
    for typed, screen in zip(("1551", "1552", "1553"), screens, strict=True):
        assert any(line.rstrip().endswith(typed) for line in screen.splitlines()), screen
    assert outside == []  # the page asked nothing of any other server
