"""Browsing a digits grid in the app: keys move the selection, the top-3 follows."""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult

from tutor.app.widgets.digits_view import DigitsView


class DigitsApp(App):
    def compose(self) -> ComposeResult:
        yield DigitsView("digits", id="digits")


def grid_data() -> dict:
    images = np.zeros((4, 28, 28))
    images[:, 10:18, 12:16] = 255  # a bar, enough to draw
    return {
        "images": images,
        "labels": ["1", "1", "7", "1"],
        "predicted": ["1", "7", "7", "1"],
        "columns": 2,
        "selected": 0,
        "top": [("1", 0.9)],
        "tops": [[("1", 0.9)], [("7", 0.6), ("1", 0.4)], [("7", 0.99)], [("1", 0.8)]],
    }


async def test_arrow_keys_move_the_selection_and_its_probabilities():
    app = DigitsApp()
    async with app.run_test(size=(90, 30)) as pilot:
        view = app.query_one(DigitsView)
        view.show(grid_data())
        view.focus()
        await pilot.pause()
        assert " 1  90%" in view.render().plain
        await pilot.press("right")
        assert view.data["selected"] == 1
        drawn = view.render().plain
        assert " 7  60%" in drawn and " 1  40%" in drawn and "guess 7 ✗" in drawn
        await pilot.press("down")  # the grid drawn at 90 columns shows two a row: one row down is two on
        assert view.data["selected"] == 3
        await pilot.press("right")  # wraps around
        assert view.data["selected"] == 0
        await pilot.press("left")
        assert view.data["selected"] == 3
