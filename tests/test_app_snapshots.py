"""Screenshots of the app compared with accepted ones (pytest-textual-snapshot).

Deterministic on purpose: a fixed course (tests/helpers.py's make_course),
fixed seeds, a fixed terminal size, no animations, no cursor blink, and
``clock=False`` so no ETA or duration appears. Update after a deliberate
change with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look
at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.helpers import (
    SHARED_DATA,
    SIZE,
    before_snapshot,
    make_app,
    needs_shared_data,
    press,
    wait_for_run,
    wait_until,
)
from tutor.app.app import TutorApp


async def _run_to_the_end(pilot) -> None:
    """Run, then jump to the last frame: the replay's pace depends on the clock, its end does not."""
    await pilot.press("ctrl+r")
    await wait_for_run(pilot)
    await pilot.press("end")
    error = pilot.app.screen.pane.query_one("#error-traceback")
    if error.display and pilot.app.screen.pane.query_one("#run-error").has_class("-shown"):
        # A RichLog writes once it is laid out, then is laid out again at its new height.
        await wait_until(pilot, lambda: len(error.lines) > 0 and error.region.height > 1)
    await pilot.pause()
    await pilot.pause()


async def _type_invalid_rate(pilot) -> None:
    await pilot.press("p")
    field = pilot.app.screen.pane.query_one("#param-lr", Input)
    field.focus()
    await pilot.press("ctrl+u", *"5")
    await pilot.press("ctrl+r")  # refused: the form is invalid
    await pilot.pause()


def test_start_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot())


def test_explanation_next_page(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(press("right_square_bracket")))


def test_code_tab(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(press("c")))


def test_parameters_tab(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(press("p")))


def test_after_a_completed_run(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(_run_to_the_end))


def test_invalid_parameter(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(_type_invalid_rate))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before_snapshot(press("question_mark")))


def test_routine_error(snap_compare) -> None:
    assert snap_compare(make_app(lesson_id="broken"), terminal_size=SIZE, run_before=before_snapshot(_run_to_the_end))


def test_small_terminal_after_a_run(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=before_snapshot(_run_to_the_end))


# ---------------------------------------------------------------- watching: the scenes, at 80x24 and 100x32


SIZES = {"80x24": (80, 24), "100x32": (100, 32)}


def _course_app(lesson_id: str, **overrides) -> TutorApp:
    """The real course, on one lesson, with fixed parameters and seed and no clock."""
    return TutorApp(lesson_id=lesson_id, overrides={k: str(v) for k, v in overrides.items()}, seed=0, clock=False)


async def _end_then(pilot, *keys) -> None:
    await _run_to_the_end(pilot)
    if keys:
        await pilot.press(*keys)
    pilot.app.clear_notifications()  # the views themselves, not a toast over them
    await pilot.pause()


async def _run_and_go_to_the_end(pilot) -> None:
    await _end_then(pilot)


async def _run_and_go_to_frame_3(pilot) -> None:
    await _end_then(pilot, "home", "full_stop", "full_stop")


# The default screen after a run, no view maximised: what a learner sees without knowing a key.
DEFAULT_SCREENS = [
    ("cost-surface", "80x24", {}),
    ("cost-surface", "100x32", {}),
    ("regression-mlp", "80x24", {"epochs": 40}),  # the gap between the curves opens by then
    ("deep-spiral", "80x24", {"epochs": 900}),
    ("deep-spiral", "100x32", {"epochs": 900}),
    ("mnist-inference", "80x24", {}),
    ("lenet5", "80x24", {"epochs": 1, "train_limit": 1000, "test_limit": 1000}),
    ("lenet5", "100x32", {"epochs": 1, "train_limit": 1000, "test_limit": 1000}),
]


def _default_screen_params():
    for lesson_id, size, overrides in DEFAULT_SCREENS:
        marks = []
        if lesson_id in ("regression-mlp", "deep-spiral", "lenet5"):
            marks.append(pytest.mark.keras)
        if lesson_id in ("mnist-inference", "lenet5"):
            marks.append(needs_shared_data)
        yield pytest.param(lesson_id, size, overrides, marks=marks, id=f"{lesson_id}-{size}")


@pytest.mark.parametrize(("lesson_id", "size", "overrides"), _default_screen_params())
def test_the_default_screen_after_a_run(snap_compare, monkeypatch, lesson_id, size, overrides) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    if lesson_id == "mnist-inference":  # the published weights: no training, the same digits read every time
        overrides = {"weights": SHARED_DATA / "reference" / "book_sample_weight.npz"}
    assert snap_compare(
        _course_app(lesson_id, **overrides),
        terminal_size=SIZES[size],
        run_before=before_snapshot(_run_and_go_to_the_end),
    )


def test_gradient_descent_mid_replay(snap_compare) -> None:
    """The walk on the cost curve, 30 updates in: it grows update by update (the frames are kept per update)."""
    assert snap_compare(
        _course_app("gradient-descent"),
        terminal_size=SIZES["80x24"],
        run_before=before_snapshot(_run_and_go_to_the_end, press("home", *["full_stop"] * 30)),
    )


def test_gradient_descent_compares_its_three_methods(snap_compare) -> None:
    """Page 2's view, the loss per update of the last three runs on one log-log plot."""

    async def three_runs(pilot) -> None:
        for method in ("stochastic", "mini-batch", "fixed-step"):
            pane = pilot.app.screen.pane
            pane.form.set_values({**pane.lesson.resolve({}), "method": method})
            await pilot.pause()
            await _end_then(pilot)
        await pilot.press("right_square_bracket")

    assert snap_compare(
        _course_app("gradient-descent"), terminal_size=SIZES["80x24"], run_before=before_snapshot(three_runs)
    )


@pytest.mark.keras
def test_deep_spiral_surface_forming_early(snap_compare) -> None:
    assert snap_compare(
        _course_app("deep-spiral", epochs=900),
        terminal_size=SIZES["80x24"],
        run_before=before_snapshot(_run_and_go_to_frame_3),
    )
