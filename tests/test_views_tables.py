"""Tables and matrices as a learner reads them at 80 and 100 columns."""

from __future__ import annotations

import re

import numpy as np
import pytest
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


# ---------------------------------------------------------------- every lesson's tables, whole

# The lessons whose tables come from NumPy (quick to run), with parameters that keep them short.
NUMPY_TABLES = {
    "activation-functions": {},
    "cost-function": {},
    "forward-pass": {},
    "hidden-layer": {"epochs": 300},
    "sigmoid-neuron": {"epochs": 300},
    "softmax": {},
    "mnist-data": {},
}


def text_views_reported(lesson_id: str, overrides: dict) -> list[tuple[str, dict]]:
    """The tables and matrices the lesson's run reported: of each kind the first, the last
    and the one with the longest numbers (the widest)."""
    from tutor.course import load_course
    from tutor.runner import RunState, run_lesson

    lesson = load_course().get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(overrides), lesson.seed, state=state)
    assert record.status == "finished", record.error
    reported: dict[str, list[dict]] = {}
    for frame in [*state.frames(), state.snapshot()]:
        for kind, data in frame.views.items():
            if kind in ("table", "matrix") and all(data is not seen for seen in reported.get(kind, [])):
                reported.setdefault(kind, []).append(data)
    picked = []
    for kind, payloads in reported.items():
        widest = max(payloads, key=lambda data: sum(map(len, numbers_of(kind, data))))
        for data in {id(data): data for data in (payloads[0], widest, payloads[-1])}.values():
            picked.append((kind, data))
    return picked


def numbers_of(kind: str, data: dict) -> list[str]:
    """Every number of a table or matrix, written as the view writes it."""
    if kind == "table":
        cells = [value for row in data["rows"] for value in row]
    else:
        cells = [value for entry in data["matrices"] for value in np.asarray(entry["values"]).ravel().tolist()]
    numeric = (int, float, np.integer, np.floating)
    return [compact(value) for value in cells if isinstance(value, numeric) and not isinstance(value, bool)]


class OneTextView(App):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def compose(self):
        yield TextView(self.kind, id="view")


async def screen_of(kind: str, data: dict, width: int, height: int = 150) -> tuple[str, bool]:
    """The screen a text view of ``width`` x ``height`` shows, and whether it says it scrolls sideways."""
    app = OneTextView(kind)
    async with app.run_test(size=(width, height)) as pilot:
        view = app.query_one(TextView)
        view.show(data)
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        hint = view.query_one(".text-view-hint", Static)
        return text, hint.display and "sideways" in str(hint.render())


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?(?![\w.])")


def missing_numbers(numbers: list[str], screen: str) -> list[str]:
    """The numbers not on the screen as whole tokens (a cut 156 shows as 15)."""
    return [n for n in numbers if not re.search(rf"(?<![\w.+-]){re.escape(n)}(?![\w.])", screen)]


def strangers(kind: str, data: dict, screen: str) -> list[str]:
    """Numbers on the screen that are none of the payload's: what is left of a cut one."""
    words = " ".join(str(value) for value in [data.get("title", ""), *data.get("columns", ())])
    if kind == "table":
        words += " " + " ".join(str(value) for row in data["rows"] for value in row if isinstance(value, str))
    else:
        words += " " + " ".join(str(entry.get("title", "")) for entry in data["matrices"])
    allowed = set(numbers_of(kind, data)) | set(NUMBER.findall(words))
    shown = "\n".join(line for line in screen.split("\n") if "more line" not in line)  # not the hint
    return [token for token in NUMBER.findall(shown) if token not in allowed]


async def assert_every_number_whole(kind: str, data: dict, where: str) -> None:
    numbers = numbers_of(kind, data)
    screen, sideways = await screen_of(kind, data, 80)
    assert not sideways and not missing_numbers(numbers, screen), f"{where} at 80 columns:\n{screen}"
    # At the stage's width a table may scroll sideways (and says so); what it shows is whole,
    # also when it is taller than the view and a scrollbar takes its place.
    for height in (150, 14):
        screen, sideways = await screen_of(kind, data, 56, height)
        if not sideways and height == 150:
            assert not missing_numbers(numbers, screen), f"{where} at 56 columns:\n{screen}"
        assert not strangers(kind, data, screen), f"{where} at 56 x {height}:\n{screen}"


@pytest.mark.parametrize("lesson_id", NUMPY_TABLES)
async def test_every_number_of_every_numpy_lesson_s_tables_is_shown_whole(lesson_id):
    for kind, data in text_views_reported(lesson_id, NUMPY_TABLES[lesson_id]):
        await assert_every_number_whole(kind, data, f"{lesson_id} {kind} {data.get('title', '')}")


@pytest.mark.keras
async def test_every_number_of_the_keras_lessons_model_summaries_is_shown_whole():
    from tutor.keras_bridge import import_keras, summary_table
    from tutor.routines import (
        binary_mlp,
        deep_spiral,
        keras_basics,
        keras_beans,
        lenet5,
        random_labels,
        regression_mlp,
    )

    keras = import_keras()
    models = {
        "deep-spiral": deep_spiral.build_model(keras, 3, 8, 0.05),
        "keras-beans": keras_beans.build_model(keras, 2, 1.0),
        "binary-mlp": binary_mlp.build_model(keras, 20),
        "keras-basics": keras_basics.build_model(keras, 0.01),
        "random-labels": random_labels.build_model(keras, 100, 100, 10),
        "regression-mlp": regression_mlp.build_model(keras, 13, 100, 0.001),
        "lenet5": lenet5.lenet5(keras),
    }
    for lesson_id, model in models.items():
        await assert_every_number_whole("table", dict(summary_table(model)), f"{lesson_id} summary")
