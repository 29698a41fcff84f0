"""The app in Chinese: its own words, the palette's live switch, pictures at 80x24, and no line too wide.

The catalogue's completeness is tested in tests/test_i18n.py; lesson text in tests/test_translations.py.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.widgets import Input, TabbedContent, Tabs

from tests.helpers import before_snapshot, fixed_workspace_at, press, ready, wait_for_run, wait_until
from tutor import i18n
from tutor.app.app import TutorApp
from tutor.app.widgets.exercise_pane import ExercisePane
from tutor.app.widgets.explanation import PageText
from tutor.app.widgets.plot_view import PlotView
from tutor.course import load_course
from tutor.line_breaking import CLOSING
from tutor.progress import ProgressStore

SIZE = (80, 24)


def _chinese_app(lesson_id: str = "rosenblatt", **overrides) -> TutorApp:
    """The shipped course in Chinese on one lesson: fixed parameters and seed, no clock."""
    i18n.set_language("zh")  # as `tutor --lang zh` does before the app starts (conftest puts English back)
    return TutorApp(lesson_id=lesson_id, overrides={k: str(v) for k, v in overrides.items()}, seed=0, clock=False)


def _tab_titles(app: TutorApp) -> list[str]:
    tabs = app.screen.pane.query_one(TabbedContent)
    return [str(tabs.get_tab(pane.id).label) for pane in tabs.query("TabPane")]


async def _to_the_end_of_a_run(pilot) -> None:
    await pilot.press("ctrl+r")
    await wait_for_run(pilot)
    await pilot.press("end")
    pilot.app.clear_notifications()  # the screen itself, not the toast that says the lesson passed
    await pilot.pause()


async def _checked_exercise(pilot) -> None:
    await pilot.press("x")
    exercise = pilot.app.screen.pane.query_one(ExercisePane)
    await wait_until(pilot, lambda: exercise.report is not None and not exercise._checking)
    exercise._go_to_the_work()  # as it does once the first checks are in (after a refresh: not left to timing)
    exercise.editor.cursor_blink = False
    # The keys on the tab bar, not in the editor: the editor's focus comes after a refresh, and the
    # picture would depend on when it is taken.
    pilot.app.screen.pane.query_one(Tabs).focus()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.fixture
def fixed_workspace(monkeypatch):
    """The learner's file at one path, so the editor's title is the same in every picture."""
    with fixed_workspace_at("/tmp/tutor-snapshot-zh", monkeypatch):
        yield


# ---------------------------------------------------------------- pictures at 80x24 (looked at as PNGs)


def test_rosenblatt_stage_in_chinese(snap_compare) -> None:
    """The lesson's first page beside its fit view; tabs, buttons, status line and footer in Chinese."""
    assert snap_compare(_chinese_app(), terminal_size=SIZE, run_before=before_snapshot())


def test_rosenblatt_fit_view_after_a_run_in_chinese(snap_compare) -> None:
    assert snap_compare(_chinese_app(), terminal_size=SIZE, run_before=before_snapshot(_to_the_end_of_a_run))


def test_rosenblatt_loss_view_in_chinese(snap_compare) -> None:
    assert snap_compare(
        _chinese_app(), terminal_size=SIZE, run_before=before_snapshot(_to_the_end_of_a_run, press("2"))
    )


def test_rosenblatt_exercise_tab_in_chinese(snap_compare, fixed_workspace) -> None:
    assert snap_compare(_chinese_app(), terminal_size=SIZE, run_before=before_snapshot(_checked_exercise))


# ---------------------------------------------------------------- the palette's switch


async def _choose_in_the_palette(pilot, typed: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    palette = pilot.app.screen
    await wait_until(pilot, lambda: any("中文" in str(option.prompt) for option in _options(palette)))
    await pilot.press("enter")


def _options(palette):
    from textual.command import CommandList

    found = palette.query(CommandList)
    return [found.first().get_option_at_index(i) for i in range(found.first().option_count)] if found else []


async def test_the_palette_switches_to_chinese_keeping_the_lesson_its_typed_text_and_its_run() -> None:
    # A run long enough to be still computing when the language changes; paused, so it waits for us.
    app = TutorApp(lesson_id="rosenblatt", overrides={"epochs": "2000", "beans": "5000"}, seed=0, clock=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        pane = app.screen.pane
        await pilot.press("x")
        exercise = pane.query_one(ExercisePane)
        await wait_until(pilot, lambda: exercise.report is not None)
        exercise.editor.insert("# my first thought\n", (0, 0))  # typed, not saved
        await pilot.press("escape", "e", "ctrl+r")
        session = pane.session
        await wait_until(pilot, lambda: session.state.snapshot().progress is not None)
        await pilot.press("space")  # paused: the routine waits, the run is not over
        await pilot.press("p")
        pane.query_one("#param-lr", Input).value = "0.5x"  # an invalid value, as typed (for the next run)
        await pilot.pause()
        assert pane.query_one("#row-lr").has_class("-invalid")
        assert _tab_titles(app)[0] == "Lesson"

        await _choose_in_the_palette(pilot, "language")
        await wait_until(pilot, lambda: app.screen.pane is not pane and app.screen.pane.is_mounted)
        new = app.screen.pane

        assert i18n.current() == "zh"
        assert _tab_titles(app)[:2] == ["课文", "代码"]
        assert new.lesson.title == "Rosenblatt 的神经元学会一条直线"  # the lesson's own text too
        assert new.running and new.session is session and not session.done  # the same run, still going
        assert new.query_one("#param-lr", Input).value == "0.5x"
        assert new.query_one("#row-lr").has_class("-invalid")
        editor = new.query_one(ExercisePane).editor
        assert editor.text.startswith("# my first thought\n") and editor.border_subtitle == "● 未保存"
        status = str(new.query_one("#status-text").render())
        assert "暂停在" in status, status  # the status line tells the paused run in Chinese

        await pilot.press("ctrl+s")  # Stop: the run ends in the pane that took it over, and is kept once
        await wait_until(pilot, lambda: not new.running and new.last_record is not None)
        assert new.last_record.status == "stopped"
        await wait_until(pilot, lambda: len(app.store.runs("rosenblatt")) == 1)
        assert "已停止" in str(new.query_one("#status-text").render())


async def test_the_choice_is_remembered_and_the_flag_or_the_variable_still_wins(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("TUTOR_LANG")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    store = ProgressStore(tmp_path / "progress.db")
    app = TutorApp(lesson_id="rosenblatt", store=store, clock=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        await app.switch_language("zh")
        await pilot.pause()
        assert store.language == "zh"
    i18n.set_language("en")  # a new start: the command line chose nothing

    again = TutorApp(store=ProgressStore(tmp_path / "progress.db"), clock=False)
    async with again.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        assert i18n.current() == "zh"
        assert _tab_titles(again)[0] == "课文"
        assert again.screen.pane.lesson.title == "Rosenblatt 的神经元学会一条直线"
    i18n.set_language("en")

    monkeypatch.setenv("TUTOR_LANG", "en")  # the variable (like --lang) wins over the remembered choice
    third = TutorApp(store=ProgressStore(tmp_path / "progress.db"), clock=False)
    async with third.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        assert i18n.current() == "en"
        assert _tab_titles(third)[0] == "Lesson"


# ---------------------------------------------------------------- no line wider than the screen


def _drawable_lessons() -> list[str]:
    """Chinese lessons that open without TensorFlow or the MNIST files."""
    course = load_course(language="zh")
    return [
        lesson.id
        for lesson in course.lessons
        if lesson.language == "zh" and lesson.backend != "keras" and "mnist" not in lesson.id
    ]


LESSONS = _drawable_lessons()
SCREENS = [(), ("c",), ("x",), ("p",), ("r",), ("question_mark",), ("right_square_bracket",), ("2",), ("ctrl+b",)]


async def _too_wide(lesson_id: str, size: tuple[int, int], keys: tuple[str, ...]) -> list[str]:
    width = size[0]
    app = _chinese_app(lesson_id)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        if keys == ("x",):
            exercise = app.screen.pane.query(ExercisePane)
            if exercise:
                await wait_until(pilot, lambda: exercise.first().report is not None)
        await pilot.pause()
        problems = []
        for row, strip in enumerate(app.screen._compositor.render_strips()):
            text = "".join(segment.text for segment in strip)
            if cell_len(text) > width:
                problems.append(f"screen line {row}: {cell_len(text)} cells: {text!r}")
        # A plot's own lines (plotext's canvas and the captions above it) fit its width: a line
        # plotext measured wrongly would be wrapped or cut by Textual.
        for view in app.screen.query(PlotView):
            if not view.display or view.region.width == 0:
                continue
            for number, line in enumerate(str(view.render()).splitlines()):
                if cell_len(line) > view.size.width:
                    problems.append(f"{view.id} line {number}: {cell_len(line)} > {view.size.width}: {line!r}")
        return problems


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lesson_id=st.sampled_from(LESSONS),
    size=st.sampled_from([(80, 24), (100, 32)]),
    keys=st.sampled_from(SCREENS),
)
def test_no_rendered_line_is_wider_than_the_screen_in_chinese(lesson_id, size, keys) -> None:
    try:
        problems = asyncio.run(_too_wide(lesson_id, size, keys))
    finally:
        i18n.set_language("en")
    assert not problems, "\n".join(problems)


async def test_a_chinese_page_breaks_its_lines_between_characters_never_inside_a_word() -> None:
    """At 80x24 rosenblatt's first page, as the side column shows it: an English term in brackets
    stays whole ("（toxicity）", not "（toxic" / "ity）") and no line begins with a closing mark."""
    app = _chinese_app("rosenblatt")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            page = app.screen.pane.query_one(PageText)
            source = page.source
            region = page.content_region.intersection(app.screen.pane.query_one("#page-scroll").content_region)
            strips = app.screen._compositor.render_strips()
            lines = [
                "".join(segment.text for segment in strips[row].crop(region.x, region.right)).strip()
                for row in range(region.y, region.bottom)
            ]
    finally:
        i18n.set_language("en")
    shown = [line for line in lines if line]
    assert len(shown) >= 4, lines
    assert "toxicity" in source
    words = set(re.findall(r"[A-Za-z]+", source))
    for line in shown:
        assert line[0] not in CLOSING, f"a line begins with {line[0]!r}: {shown}"
        for word in re.findall(r"[A-Za-z]+", line):
            assert word in words, f"{word!r} is a piece of a word cut by the line's end: {shown}"
