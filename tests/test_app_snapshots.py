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


def _maximise(view_id: str):
    async def step(pilot) -> None:
        pilot.app.screen.pane.query_one(f"#{view_id}").focus()
        await pilot.press("m")
        await pilot.pause()

    return step


async def _run_and_go_to_the_end(pilot) -> None:
    await _end_then(pilot)


async def _run_and_go_to_frame_3(pilot) -> None:
    await _end_then(pilot, "home", "full_stop", "full_stop")


@pytest.mark.parametrize("size", SIZES)
def test_cost_surface_with_its_path(snap_compare, size) -> None:
    assert snap_compare(
        _course_app("cost-surface"), terminal_size=SIZES[size], run_before=before_snapshot(_run_and_go_to_the_end)
    )


@pytest.mark.parametrize("size", SIZES)
def test_gradient_descent_compares_its_three_methods(snap_compare, size) -> None:
    async def three_runs(pilot) -> None:
        for method in ("stochastic", "mini-batch", "fixed-step"):
            pane = pilot.app.screen.pane
            pane.form.set_values({**pane.lesson.resolve({}), "method": method})
            await pilot.pause()
            await _end_then(pilot)

    assert snap_compare(
        _course_app("gradient-descent"), terminal_size=SIZES[size], run_before=before_snapshot(three_runs)
    )


@pytest.mark.keras
@pytest.mark.parametrize("frame", ["early", "late"])
@pytest.mark.parametrize("size", SIZES)
def test_deep_spiral_surface_forming(snap_compare, size, frame) -> None:
    go = _run_and_go_to_frame_3 if frame == "early" else _run_and_go_to_the_end
    assert snap_compare(
        _course_app("deep-spiral", epochs=900),
        terminal_size=SIZES[size],
        run_before=before_snapshot(go, _maximise("view-surface")),
    )


@needs_shared_data
@pytest.mark.parametrize("size", SIZES)
def test_mnist_inference_maximised_digit_with_its_top_3(snap_compare, size, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    app = _course_app("mnist-inference", weights=SHARED_DATA / "reference" / "book_sample_weight.npz")
    assert snap_compare(
        app,
        terminal_size=SIZES[size],
        run_before=before_snapshot(_run_and_go_to_the_end, _maximise("view-digits"), press("right")),
    )


@pytest.mark.keras
@needs_shared_data
@pytest.mark.parametrize("size", SIZES)
def test_lenet5_confusion_matrix_maximised(snap_compare, size, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    app = _course_app("lenet5", epochs=1, train_limit=1000, test_limit=1000)
    assert snap_compare(
        app, terminal_size=SIZES[size], run_before=before_snapshot(_run_and_go_to_the_end, _maximise("view-matrix"))
    )
