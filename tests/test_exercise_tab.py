"""The app's Exercise tab: the learner's file, its checks, and a run with the learner's own code."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Static

from tests.helpers import (
    SIZE,
    before_snapshot,
    fixed_workspace_at,
    make_app,
    open_exercise,
    pane,
    wait_for_run,
    wait_until,
)
from tutor.app.widgets.exercise_pane import ExercisePane
from tutor.app.widgets.lesson_tree import LessonTree
from tutor.runner import run_lesson

# The rule without the bean's size: w still moves towards the beans, to the wrong place.
FORGETS_X = "    error = y - w * x\n    return w + lr * error\n"
# A sign error: each bean pushes w away from it.
WALKS_UPHILL = "    error = y - w * x\n    return w - lr * error * x\n"
RIGHT = "    return w + lr * (y - w * x) * x\n"


def learner_file_with(body: str, path: Path) -> str:
    """The starter with its ``raise NotImplementedError`` replaced by ``body``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "raise NotImplementedError" in line)
    return "".join(lines[:index]) + body + "".join(lines[index + 1 :])


async def save_in_the_editor(pilot, exercise: ExercisePane, text: str) -> None:
    before = exercise.report
    exercise.editor.load_text(text)
    exercise.editor.focus()
    await pilot.press("ctrl+s")  # the editor's save, not the screen's Stop
    await wait_until(pilot, lambda: exercise.report is not before)


async def test_the_starter_fails_and_a_right_rule_saved_in_the_tab_passes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        assert exercise.path.is_file(), "opening the tab makes the learner's file from the starter"
        assert not exercise.report.passed
        assert exercise.editor.language == "python"
        report = str(exercise.query_one("#exercise-report", Static).render())
        assert "not written yet" in report and "✗" in report

        await save_in_the_editor(pilot, exercise, learner_file_with(RIGHT, exercise.path))
        assert exercise.report.passed, exercise.report.to_json()
        assert exercise.path.read_text(encoding="utf-8").endswith(RIGHT), "saved to the learner's file"
        assert app.store.exercise_passed("rosenblatt")
        await pilot.pause()
        label = app.screen.query_one(LessonTree)._lesson_label(pane(app).lesson)
        mark = label.plain.index("✎")
        assert any(span.start <= mark < span.end and span.style == "bold green" for span in label.spans), label


async def test_a_save_from_another_editor_is_noticed_and_checked() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        first = exercise.report
        exercise.path.write_text(learner_file_with(FORGETS_X, exercise.path), encoding="utf-8")
        await wait_until(pilot, lambda: exercise.report is not first, timeout=30)
        assert FORGETS_X in exercise.editor.text, "the editor shows the file as saved elsewhere"
        failed = [result for result in exercise.report.results if not result.ok]
        assert failed and any("x" in result.message for result in failed)


async def test_run_with_my_code_trains_with_the_learners_function() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        exercise.editor.load_text(learner_file_with(WALKS_UPHILL, exercise.path))  # unsaved: the run saves it
        exercise.query_one("#exercise-run-mine", Button).press()
        await wait_until(pilot, lambda: pane(app).session is not None)
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.mine and record.status in ("finished", "diverged")
        assert exercise.path.read_text(encoding="utf-8") == exercise.editor.text
        reference = run_lesson(pane(app).lesson, record.params, record.seed)
        assert not reference.mine
        # The sign error walks uphill: the learner's loss ends far above the tutor's.
        assert record.history[-1]["loss"] > 100 * reference.history[-1]["loss"], record.history[-1]
        # It is kept with the lesson's runs, marked as the learner's.
        assert app.store.runs("rosenblatt")[-1]["mine"] is True


async def test_a_learner_file_with_a_syntax_error_is_said_inline_and_not_run() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        await save_in_the_editor(pilot, exercise, "def learn_from_bean(w, x, y, lr)\n    return w\n")
        assert exercise.report.problem and "rosenblatt.py:1: syntax error" in exercise.report.problem
        exercise.query_one("#exercise-run-mine", Button).press()
        await pilot.pause()
        assert pane(app).session is None, "a file that does not load does not start a run"


async def test_hints_come_one_at_a_time_and_the_solution_asks_first() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        hint = exercise.query_one("#exercise-hint", Static)
        exercise.query_one("#exercise-next-hint", Button).press()
        await pilot.pause()
        assert "Hint 1 of" in str(hint.render())
        exercise.query_one("#exercise-next-hint", Button).press()
        await pilot.pause()
        assert "Hint 2 of" in str(hint.render()) and "Hint 1 of" not in str(hint.render()), "one at a time"
        assert app.store.hints_shown("rosenblatt") == 2

        exercise.query_one("#exercise-solution", Button).press()
        await pilot.pause()
        assert app.screen.query_one("#solution-question")  # not passed yet: asked to confirm
        assert not app.screen.query("#solution-code")
        await pilot.click("#solution-give-up")
        await pilot.pause()
        code = str(app.screen.query_one("#solution-code Static").render())
        assert "def learn_from_bean" in code


@pytest.fixture
def fixed_workspace(monkeypatch):
    """The learner's file at one path, so the editor's title is the same in every snapshot."""
    with fixed_workspace_at("/tmp/tutor-snapshot", monkeypatch):
        yield


async def _a_failing_check(pilot) -> None:
    exercise = await open_exercise(pilot)
    await save_in_the_editor(pilot, exercise, learner_file_with(FORGETS_X, exercise.path))
    exercise._go_to_the_work()
    exercise.editor.cursor_blink = False
    exercise.editor.focus()
    # The cursor is drawn once the editor has handled its Focus (late on a loaded machine).
    await wait_until(pilot, lambda: exercise.editor.has_focus)
    await pilot.pause()


def test_exercise_tab_snapshot_with_one_failing_check(snap_compare, fixed_workspace) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 32), run_before=before_snapshot(_a_failing_check))


async def test_run_with_my_code_never_imports_a_file_that_hangs_as_it_loads() -> None:
    """The file is checked in a separate process first: a loop at its top level stops there."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        exercise.editor.load_text("while True:\n    pass\n")  # unsaved: Run with my code saves and checks it
        exercise.query_one("#exercise-run-mine", Button).press()
        await pilot.pause()
        assert exercise._run_when_checked, "the run waits for the checks"
        await wait_until(pilot, lambda: not exercise._checking, timeout=60)
        assert exercise.report.problem and not exercise.report.results
        await pilot.pause()
        assert pane(app).session is None, "a file that does not load is never run"


async def test_enter_in_the_editor_keeps_the_indentation_and_indents_after_a_colon() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        editor = exercise.editor
        editor.load_text("def f(x):")
        editor.focus()
        editor.move_cursor((0, len("def f(x):")))
        await pilot.press("enter", *"y = x", "enter", *"return y")
        assert editor.text == "def f(x):\n    y = x\n    return y"


async def test_a_save_elsewhere_while_edits_here_are_unsaved_can_be_loaded() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        exercise.editor.load_text("# my unsaved edit\n")
        await pilot.pause()
        reload = exercise.query_one("#exercise-reload", Button)
        assert not reload.display
        elsewhere = learner_file_with(RIGHT, exercise.path)
        exercise.path.write_text(elsewhere, encoding="utf-8")
        await wait_until(pilot, lambda: reload.display, timeout=30)
        assert exercise.editor.text == "# my unsaved edit\n", "the edits here are kept until the learner chooses"
        reload.press()
        await wait_until(pilot, lambda: exercise.editor.text == elsewhere and not exercise._checking, timeout=30)
        assert not reload.display and not exercise.unsaved
        assert exercise.report.passed


async def test_run_with_my_code_on_the_starter_asks_for_the_function_first() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        exercise = await open_exercise(pilot)
        assert exercise.report.not_written
        exercise.query_one("#exercise-run-mine", Button).press()
        await pilot.pause()
        assert pane(app).session is None, "a run would only stop at the TODO"
