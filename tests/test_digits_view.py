"""Browsing a digits grid in the app: keys move the selection, the top-3 follows."""

from __future__ import annotations

import re

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
        assert re.search(r"90% █+ +1", view.render().plain)
        await pilot.press("right")
        assert view.data["selected"] == 1
        drawn = view.render().plain
        assert re.search(r"60% █+ +7", drawn) and re.search(r"40% █+ +1", drawn) and "guess 7 ✗" in drawn
        await pilot.press("left", "left")  # wraps around
        assert view.data["selected"] == 3
        await pilot.press("right")
        assert view.data["selected"] == 0


def selected_label_at(text: str) -> tuple[int, int]:
    """(row, column) of the selected image's label, [n], in the drawing."""
    return next((r, line.index("[")) for r, line in enumerate(text.split("\n")) if "[" in line)


async def test_down_and_up_move_to_the_image_drawn_below_and_above():
    data = grid_data()
    data.update(
        images=np.repeat(data["images"][:1], 12, axis=0),
        labels=[str(i % 10) for i in range(12)],
        predicted=[str(i % 10) for i in range(12)],
        tops=[[(str(i % 10), 0.9)] for i in range(12)],
    )
    app = DigitsApp()
    async with app.run_test(size=(90, 30)) as pilot:
        view = app.query_one(DigitsView)
        view.show(data)
        view.focus()
        await pilot.pause()
        row, column = selected_label_at(view.render().plain)
        await pilot.press("down")
        below_row, below_column = selected_label_at(view.render().plain)
        assert view.data["selected"] > 1 and below_row > row and below_column == column
        await pilot.press("up")
        assert view.data["selected"] == 0 and selected_label_at(view.render().plain) == (row, column)
