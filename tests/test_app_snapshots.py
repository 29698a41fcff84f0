"""Screenshots of the app compared with accepted ones (pytest-textual-snapshot).

Deterministic on purpose: a fixed course (tests/test_app.py's make_course),
fixed seeds, a fixed terminal size, no animations, no cursor blink, and
``clock=False`` so no ETA or duration appears. Update after a deliberate
change with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look
at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.test_app import make_app, wait_for_run, wait_until

SIZE = (100, 34)


async def _settle(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.screen.pane is not None and app.screen.pane.is_mounted)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _then(*steps):
    """A run_before that settles the app, then runs ``steps`` (async callables of pilot)."""

    async def run_before(pilot) -> None:
        await _settle(pilot)
        for step in steps:
            await step(pilot)
        await pilot.pause()

    return run_before


def _press(*keys):
    async def step(pilot) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    return step


async def _run_to_the_end(pilot) -> None:
    await pilot.press("ctrl+r")
    await wait_for_run(pilot)
    await pilot.pause()


async def _type_invalid_rate(pilot) -> None:
    await pilot.press("p")
    field = pilot.app.screen.pane.query_one("#param-lr", Input)
    field.focus()
    await pilot.press("ctrl+u", *"5")
    await pilot.press("ctrl+r")  # refused: the form is invalid
    await pilot.pause()


def test_start_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then())


def test_explanation_next_page(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_press("right_square_bracket")))


def test_code_tab(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_press("c")))


def test_parameters_tab(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_press("p")))


def test_after_a_completed_run(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_run_to_the_end))


def test_invalid_parameter(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_type_invalid_rate))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_then(_press("question_mark")))


def test_routine_error(snap_compare) -> None:
    assert snap_compare(make_app(lesson_id="broken"), terminal_size=SIZE, run_before=_then(_run_to_the_end))


def test_small_terminal_after_a_run(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=_then(_run_to_the_end))
