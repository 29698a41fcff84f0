"""The views at the sizes the stage gives them (56x19 at 80x24, 70x26 at 100x32): every
line fits, the words leave the picture most of the rows, and the pictures say what
their pages say."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from rich.cells import cell_len
from textual.app import App

from tutor.app.widgets.views_area import WIDGETS
from tutor.course import load_course, shipped_lessons_dir
from tutor.runner import RunState, run_lesson
from tutor.views import VIEWS, Renderer

STAGES = [(56, 19), (70, 26)]
# Quick NumPy lessons and parameters that keep them short; their views as the pages name them.
LESSONS = {
    "rosenblatt": {},
    "gradient-descent": {"epochs": 20},
    "cost-surface": {},
    "hidden-layer": {"epochs": 300},
    "sigmoid-neuron": {"epochs": 300},
    "activation-functions": {},
    "softmax": {},
    "cost-function": {},
}


def page_views(lesson_id: str) -> list[str]:
    """The views the lesson's pages put on the stage."""
    lesson = tomllib.loads((shipped_lessons_dir() / f"{lesson_id}.toml").read_text())
    views = [page.get("view", lesson.get("stage")) for page in lesson["pages"]]
    return list(dict.fromkeys(views))


class Stage(App):
    def __init__(self, kind: str, width: int, height: int) -> None:
        super().__init__()
        self.kind, self.width, self.height = kind, width, height
        self.CSS = f"#view {{ width: {width}; height: {height}; }}"

    def compose(self):
        yield WIDGETS[VIEWS[self.kind].renderer](self.kind, id="view")


async def drawn_on_stage(kind: str, data, history, width: int, height: int) -> list[str]:
    """The lines a plot or digits view draws at this size."""
    app = Stage(kind, width, height)
    async with app.run_test(size=(width, height)) as pilot:
        view = app.query_one("#view")
        view.show(data, history) if VIEWS[kind].from_history else view.show(data)
        await pilot.pause()
        return view.render().plain.split("\n")


@pytest.mark.parametrize("lesson_id", LESSONS)
async def test_every_plot_a_numpy_lesson_s_pages_show_fits_the_stage_and_leaves_the_picture_room(lesson_id):
    lesson = load_course().get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(LESSONS[lesson_id]), lesson.seed, state=state)
    assert record.status == "finished", record.error
    views = state.snapshot().views
    for kind in page_views(lesson_id):
        if VIEWS[kind].renderer is Renderer.TEXT:
            continue  # tables: tests/test_views_tables.py
        for width, height in STAGES:
            lines = await drawn_on_stage(kind, views.get(kind), state.history, width, height)
            assert len(lines) == height and all(cell_len(line) <= width for line in lines), (kind, lines)
            assert not any("cannot draw" in line for line in lines), lines
            # The words above the picture (title, legend, key) take a few rows; the picture the rest.
            words = next(i for i, line in enumerate(lines) if any(mark in line for mark in "│┤▀▄█▏▎▍▌▋▊▉"))
            assert words <= 4, f"{lesson_id} {kind} at {width}x{height}: {lines}"


async def test_a_long_title_in_a_wide_script_wraps_whole_and_never_widens_the_view():
    title = "成本曲线：每个 w 都是一条直线，成本说明它离豆子有多远；曲线最低处就是最好的 w"
    data = {"points": [{"x": [0.1, 0.9], "y": [0.1, 0.8], "label": "豆子"}], "title": title}
    lines = await drawn_on_stage("fit", data, (), 56, 19)
    assert len(lines) == 19 and all(cell_len(line) <= 56 for line in lines)
    assert cell_len(title) > 56  # it must wrap, and every character of it is shown
    assert "".join("".join(lines[:3]).split()).startswith("".join(title.split()))


async def test_the_digits_on_stage_show_the_selected_one_large_and_how_many_of_the_rest():
    images = np.zeros((24, 28, 28))
    images[:, 4:24, 12:16] = 255
    data = {
        "images": images,
        "labels": [str(i % 10) for i in range(24)],
        "predicted": [str(i % 10) for i in range(24)],
        "tops": [[(str(i % 10), 0.9)] for i in range(24)],
        "title": "the first 24 test digits and the network's answers",
    }
    for (width, height), at_least in zip(STAGES, (4, 6)):
        lines = await drawn_on_stage("digits", data, (), width, height)
        shown = next(line for line in lines if "on screen" in line)
        assert int(shown.split(" of 24")[0]) >= at_least and "← → for more" in shown
        assert sum(1 for line in lines if line.startswith(" " * 12 + "████")) == 10  # 28 x 14, a pixel a column
