"""Tables and matrices as a learner reads them at 80 and 100 columns."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.measure import Measurement
from textual.app import App
from textual.widgets import Static

from tutor.app.widgets.text_view import TextView
from tutor.textviews import compact, renderable

MNIST = [str(d) for d in range(10)]
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def printed(view, width: int) -> list[str]:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(view)
    return console.export_text().rstrip("\n").split("\n")


def confusion(names) -> dict:
    counts = np.diag([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]) + np.eye(10, k=1, dtype=int) * 7
    return {
        "matrices": [
            {
                "title": "confusion matrix: rows = true class, columns = prediction (9548 of 10000 on the diagonal)",
                "values": counts,
                "rows": names,
                "cols": names,
            }
        ]
    }


def test_numbers_are_compact():
    assert compact(60000.0) == "60000" and compact(60000) == "60000"
    assert compact(0.95481234) == "0.9548" and compact(-0.0) == "0" and compact(12345.678) == "12346"
    assert compact(1.5e-05) == "1.5e-05" and compact(float("nan")) == "nan"


def test_the_confusion_matrix_shows_all_ten_columns_in_78_columns():
    for names in (MNIST, FASHION):
        lines = printed(renderable("matrix", confusion(names)), 78)
        assert max(len(line) for line in lines) <= 78
        rows = [line for line in lines if line.split() and line.split()[0] in {"8", "Bag"}]
        assert rows and len(rows[0].split()) == 11  # the label and ten counts on one line
        assert "1135" in "\n".join(lines)


def test_a_table_of_formulas_fits_a_half_screen_view_by_wrapping_its_text():
    data = {
        "title": "the chain rule for bean 50 (w = 27.8936, b = -12.5669)",
        "columns": ["piece", "value", "formula"],
        "rows": [
            ["x (size)", 0.5943, ""],
            ["de/dw", -0.0003701, "de/da * da/dz * dz/dw"],
            ["images", 60000.0, "the training set"],
        ],
    }
    view = renderable("table", data)
    console = Console(width=200)
    assert Measurement.get(console, console.options, view).minimum <= 38
    text = "\n".join(printed(view, 38))
    assert "-0.0003701" in text and "60000" in text and "e+0" not in text


class Tables(App):
    def compose(self):
        yield TextView("table", id="view")


async def test_the_app_says_when_a_table_scrolls_and_not_when_it_fits():
    wide = {"columns": [f"column {i}" for i in range(12)], "rows": [[123456.0 + i for i in range(12)]]}
    narrow = {"columns": ["piece", "value"], "rows": [["w", 0.5]]}
    app = Tables()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TextView)
        hint = view.query_one(".text-view-hint", Static)
        view.show(wide)
        await pilot.pause()
        assert hint.display and "→ scrolls" in str(hint.render())
        view.show(narrow)
        await pilot.pause()
        assert not hint.display
        assert app.screen.maximize(view, container=False)  # the maximise key works on tables too
