"""The Textual app driven through Textual's pilot, as a learner would use it.

Each test gets its own TUTOR_HOME (tests/conftest.py), so progress is isolated.
The course is built by tests/helpers.py's make_course (the shipped rosenblatt lesson plus a lesson whose
routine has a bug) so the tests do not depend on which other lessons exist.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select, Switch

from tests.helpers import (
    HANG_GUARD_SECONDS,
    SIZE,
    Posted,
    endless_lesson,
    make_app,
    make_course,
    pane,
    ready,
    start_endless_run,
    wait_for_run,
    wait_until,
)
from tutor.app.messages import LessonPassed
from tutor.app.widgets.lesson_tree import LessonTree
from tutor.app.widgets.plot_view import PlotView
from tutor.app.widgets.run_error import RunError
from tutor.course import Param
from tutor.progress import ProgressStore

# ---------------------------------------------------------------- running


async def test_run_updates_views_finishes_and_passes(isolated_home: Path) -> None:
    app, posted = make_app(), Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await ready(pilot)
        fit = pane(app).query_one("#view-fit", PlotView)
        loss = pane(app).query_one("#view-loss", PlotView)
        # Before the first run the learner can already look at the beans (no line yet).
        await wait_until(pilot, lambda: bool(fit.data))
        assert len(fit.data["points"][0]["x"]) == 100 and not fit.data.get("lines") and not loss.history
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.status == "finished" and record.challenge_met
        # A quick run is played back at a watchable pace, not shown finished at once.
        assert pane(app).player.playing and not fit.data["title"].startswith("epoch 100:")
        # The pass is saved at once but announced when the replay ends: nothing covers the views meanwhile.
        assert ProgressStore().passed("rosenblatt") and not pane(app).has_class("-passed")
        await pilot.press("end")  # the last frame: the routine's last report and the whole history
        await pilot.pause()
        assert fit.data["title"] == f"epoch 100: w = {record.result['w']:.4f}"
        assert [point["step"] for point in loss.history] == list(range(0, 101))  # from epoch 0, the start
        assert "Finished: challenge met" in str(pane(app).query_one("#status-text").render())
        assert pane(app).has_class("-passed")
        assert "✓" in str(app.screen.query_one(LessonTree).get_node_at_line(1).label)
        assert [message.lesson_id for message in posted.of_type(LessonPassed)] == ["rosenblatt"]
        assert any("lesson passed" in (n.title or "") for n in posted.notifications())
    store = ProgressStore()
    assert store.passed("rosenblatt") and store.runs("rosenblatt")[-1]["status"] == "finished"


async def test_a_finished_run_is_a_timeline_to_step_and_scrub() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        fit = pane(app).query_one("#view-fit", PlotView)
        loss = pane(app).query_one("#view-loss", PlotView)
        await pilot.press("end")
        await wait_until(pilot, lambda: str(pane(app).query_one("#status-text").render()).startswith("Finished"))
        await pilot.press("home")
        await pilot.pause()
        assert fit.data["title"].startswith("epoch 0: before any bean")  # the flat line w starts from
        await pilot.press("full_stop")  # the first epoch holds the swing: it is shown every five beans
        await pilot.pause()
        assert fit.data["title"].startswith("epoch 1, bean 5 of 100: ")
        for _ in range(22):
            await pilot.press("full_stop")
        await pilot.press("comma")
        await pilot.pause()
        # Every view in sync at epoch 3: the line, and the cursor on the loss curve.
        w = pane(app).last_record.history[3]["w"]
        assert fit.data["title"] == f"epoch 3: w = {w:.4f}"
        assert loss.cursor == 3
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert fit.data["title"].startswith("epoch 13: ")
        assert "33/120" in str(pane(app).query_one("#strip-frame").render())
        assert "Replay epoch 13/100" in str(pane(app).query_one("#status-text").render())
        await pilot.press("space")  # play from here to the end
        await wait_until(pilot, lambda: fit.data["title"].startswith("epoch 100: "))
        # Back at the end, the status says how the run ended again.
        await wait_until(pilot, lambda: str(pane(app).query_one("#status-text").render()).startswith("Finished"))
        # Nothing moves at the end: space is offered as Play, and plays the run again from its first frame.
        await wait_until(pilot, lambda: space_says(app) == "Play")
        await pilot.press("space")
        await wait_until(pilot, lambda: space_says(app) == "Pause")
        assert str(pane(app).query_one("#strip-frame").render()).startswith("▶ ")


def space_says(app) -> str:
    """What the footer says the space key does now."""
    from textual.widgets._footer import FooterKey

    return next((key.description for key in app.screen.query(FooterKey) if key.action == "play_pause"), "")


async def test_pause_holds_the_routine_and_step_computes_exactly_one_epoch() -> None:
    app = make_app(endless_lesson(), lesson_id="endless")
    async with app.run_test(size=SIZE) as pilot:
        await start_endless_run(pilot)
        session = pane(app).session
        await pilot.press("space")
        await wait_until(pilot, lambda: session.control.waiting)
        epochs = len(session.state.history)
        await pilot.pause(0.3)
        assert len(session.state.history) == epochs  # paused: no epoch computed
        assert "Paused at epoch" in str(pane(app).query_one("#status-text").render())
        await pilot.press("end", "full_stop")  # at the newest frame, Step computes one more epoch
        await wait_until(pilot, lambda: len(session.state.history) == epochs + 1 and session.control.waiting)
        await pilot.pause(0.3)
        assert len(session.state.history) == epochs + 1
        await pilot.press("space")  # resume
        await wait_until(pilot, lambda: len(session.state.history) > epochs + 3)
        await pilot.press("space")
        await wait_until(pilot, lambda: session.control.waiting)
        await pilot.press("ctrl+s")  # Stop while paused ends the run
        await wait_for_run(pilot)
        assert pane(app).last_record.status == "stopped"


async def test_m_maximises_a_view_and_restores_the_layout() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("v", "m")
        await pilot.pause()
        assert app.screen.maximized is not None and app.screen.maximized.has_class("view")
        assert app.screen.maximized.size.width >= SIZE[0] - 2
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.maximized is None


async def test_stop_ends_the_run_and_keeps_the_plots() -> None:
    app = make_app(endless_lesson(), lesson_id="endless")
    async with app.run_test(size=SIZE) as pilot:
        fit = await start_endless_run(pilot)
        await pilot.press("ctrl+s")
        # A hang guard, not a timing assertion: the routine checks for Stop every epoch.
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.status == "stopped"
        assert record.history, "the epochs before Stop are kept"
        assert fit.data, "the plots keep what was drawn"
        assert str(pane(app).query_one("#status-text").render()).startswith("Stopped at epoch")
        # Run again restarts from the beginning.
        assert not pane(app).query_one("#run", Button).disabled
        await pilot.press("ctrl+r")
        assert pane(app).running
        await pilot.press("ctrl+s")
        await wait_for_run(pilot)
        assert pane(app).last_record.status == "stopped"


async def test_stop_frees_the_app_even_while_the_routine_is_deaf_to_it(monkeypatch) -> None:
    import tutor.runner as runner
    from tests import routines
    from tutor.keras_status import LOADING_MESSAGE

    routines.BUSY.clear()
    routines.GO_ON.clear()
    # As a Keras lesson on its first run, deaf while TensorFlow loads - in the run's own thread, the
    # way NumPy lessons run (a Keras lesson's worker process is ended instead: test_run_worker.py).
    monkeypatch.setattr(runner, "tensorflow_loaded", lambda: False)
    monkeypatch.setattr(runner, "runs_in_a_worker", lambda lesson, learner: False)
    deaf = dataclasses.replace(
        make_course().get("rosenblatt"), id="deaf", order=3, backend="keras", routine="tests.routines:deaf_at_first"
    )
    app = make_app(deaf, lesson_id="deaf")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("ctrl+r")
            await wait_until(pilot, routines.BUSY.is_set)
            # The runner reports it; the status shows it while no epoch has come.
            await wait_until(pilot, lambda: str(pane(app).query_one("#status-text").render()) == LOADING_MESSAGE)
            await pilot.press("ctrl+s")
            # The pane lets go of the routine: ready for another run while it is still busy.
            await wait_until(pilot, lambda: not pane(app).running)
            assert not routines.GO_ON.is_set()
            assert not pane(app).query_one("#run", Button).disabled
            assert "ends in the background" in str(pane(app).query_one("#status-text").render())
            # When it can, the routine sees the Stop; its run is recorded as stopped.
            routines.GO_ON.set()
            await wait_until(pilot, lambda: bool(ProgressStore().runs("deaf")))
            assert ProgressStore().runs("deaf")[0]["status"] == "stopped"
            assert pane(app).last_record.status == "stopped"
    finally:
        routines.GO_ON.set()


async def test_quit_during_a_run_ends_the_routine(monkeypatch) -> None:
    import tutor.runner as runner

    returned = threading.Event()
    records = []

    def recording_run_lesson(*args, **kwargs):
        records.append(recording_run_lesson.__wrapped__(*args, **kwargs))
        returned.set()
        return records[-1]

    recording_run_lesson.__wrapped__ = runner.run_lesson
    monkeypatch.setattr(runner, "run_lesson", recording_run_lesson)
    app = make_app(endless_lesson(), lesson_id="endless")
    async with app.run_test(size=SIZE) as pilot:
        await start_endless_run(pilot)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert returned.wait(HANG_GUARD_SECONDS), "the routine kept running after the app quit"
    assert records[0].status == "stopped"
    # The stopped run was recorded before the app closed.
    [kept] = ProgressStore().runs("endless")
    assert kept["status"] == "stopped" and len(kept["history"]) == len(records[0].history)


async def test_quit_while_the_routine_is_deaf_to_stop_still_records_the_run_as_stopped() -> None:
    """Closing the tab of a served learner (SIGTERM) while TensorFlow loads: the run is kept, at once."""
    from tests import routines

    routines.BUSY.clear()
    routines.GO_ON.clear()
    deaf = dataclasses.replace(
        make_course().get("rosenblatt"), id="deaf", order=3, routine="tests.routines:deaf_at_first"
    )
    app = make_app(deaf, lesson_id="deaf")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("ctrl+r")
            await wait_until(pilot, routines.BUSY.is_set)
            await app.action_quit()
        assert not routines.GO_ON.is_set(), "the routine was still busy when the app closed"
        [kept] = ProgressStore().runs("deaf")
        assert kept["status"] == "stopped"
    finally:
        routines.GO_ON.set()


async def test_opening_another_lesson_stops_the_run_and_keeps_it_with_the_recent_runs() -> None:
    app = make_app(endless_lesson(), lesson_id="endless")
    async with app.run_test(size=SIZE) as pilot:
        await start_endless_run(pilot)
        await wait_until(pilot, lambda: len(pane(app).query_one("#view-loss", PlotView).history) >= 3)
        app.screen.open_lesson("rosenblatt")
        await wait_until(pilot, lambda: bool(ProgressStore().runs("endless")))
        [run] = ProgressStore().runs("endless")
        assert run["status"] == "stopped" and len(run["history"]) >= 3
        # Back on the lesson, the stopped run is there to compare with the next one.
        app.screen.open_lesson("endless")
        await ready(pilot)
        assert [past["history"] for past in pane(app).past] == [run["history"]]


async def test_routine_error_is_shown_and_the_app_keeps_working() -> None:
    app = make_app(lesson_id="broken")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        error = pane(app).query_one(RunError)
        assert error.has_class("-shown")
        message = str(error.query_one("#error-message").render())
        assert "ValueError: weights and inputs do not line up: 3 vs 4" in message
        log_text = "\n".join(line.text for line in error.query_one("#error-traceback").lines)
        assert "Traceback" in log_text and "broken_routine" in log_text
        # The app still works: open the other lesson and run it.
        app.screen.open_lesson("rosenblatt")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        assert pane(app).last_record.status == "finished"


async def test_a_diverged_run_explains_itself() -> None:
    rosenblatt = make_course().get("rosenblatt")
    diverging = dataclasses.replace(rosenblatt, id="diverging", order=3, routine="tests.routines:diverging_routine")
    app = make_app(diverging, lesson_id="diverging")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        assert pane(app).last_record.status == "diverged"
        error = pane(app).query_one(RunError)
        message = str(error.query_one("#error-message").render())
        assert message.startswith("✗ The run diverged: loss became inf at epoch 3")
        assert "smaller learning rate" in message
        assert not error.query_one("#error-traceback").display
        # The loss of the first two epochs stays on the plot, and the blow-up is marked after them.
        history = pane(app).query_one("#view-loss", PlotView).history
        assert [point["loss"] for point in history[:2]] == [1.0, 0.5] and history[2]["step"] == 3


async def test_the_app_follows_the_theme() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        fit = pane(app).query_one("#view-fit", PlotView)
        backgrounds = {}
        for theme in ("textual-light", "textual-dark"):
            app.theme = theme
            await pilot.pause()
            # The plot's own background is taken from the theme.
            drawn = fit.render()
            backgrounds[theme] = {
                span.style.bgcolor.triplet
                for span in drawn.spans
                if not isinstance(span.style, str) and span.style.bgcolor
            }
        assert backgrounds["textual-light"] and backgrounds["textual-dark"]
        assert backgrounds["textual-light"] != backgrounds["textual-dark"]


# ---------------------------------------------------------------- parameters


async def test_invalid_value_is_marked_and_blocks_run() -> None:
    app, posted = make_app(), Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await ready(pilot)
        await pilot.press("p")
        field = pane(app).query_one("#param-lr", Input)
        field.focus()
        field.value = "5"
        await pilot.pause()
        row = pane(app).query_one("#row-lr")
        assert row.has_class("-invalid")
        assert "above the maximum 2.0" in str(row.query_one(".param-help").render())
        assert pane(app).query_one("#run", Button).disabled
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not pane(app).running and pane(app).last_record is None
        assert any(n.title == "Cannot run" for n in posted.notifications("error"))
        # Fixing the value makes Run possible again.
        field.value = "0.5"
        await pilot.pause()
        assert not row.has_class("-invalid")
        assert not pane(app).query_one("#run", Button).disabled


async def test_typing_a_value_is_used_by_the_run_and_reset_restores_defaults() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("p")
        pane(app).query_one("#param-epochs", Input).focus()
        await pilot.press("ctrl+u", "7")
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.params["epochs"] == 7 and len(record.history) == 7 + 1  # and epoch 0
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert pane(app).query_one("#param-epochs", Input).value == "100"
        assert pane(app).form.values() == pane(app).lesson.defaults()


async def test_tutor_run_opens_the_lesson_and_starts_it() -> None:
    app = make_app(lesson_id="rosenblatt", autorun=True, overrides={"epochs": "12"})
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for_run(pilot)
        assert pane(app).query_one("#lesson-tabs").active == "tab-lesson"
        record = pane(app).last_record
        assert record.status == "finished" and len(record.history) == 12 + 1  # and epoch 0


async def test_choices_switches_and_presets() -> None:
    rosenblatt = make_course().get("rosenblatt")
    params = {
        **rosenblatt.params,
        "preset": Param("preset", "choice", "gentle", choices=("gentle", "bold")),
        "noisy": Param("noisy", "bool", True),
    }
    presets = {"gentle": {"lr": 0.05}, "bold": {"lr": 1.5, "epochs": 20}}
    lesson = dataclasses.replace(rosenblatt, id="presets", order=3, params=params, presets=presets)
    app = make_app(lesson, lesson_id="presets", overrides={"epochs": "7"})
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        form = pane(app).form
        # The command line's value survives the preset Select settling in.
        assert form.values()["epochs"] == 7 and form.values()["preset"] == "gentle"
        form.query_one("#param-preset", Select).value = "bold"
        await pilot.pause()
        assert form.query_one("#param-lr", Input).value == "1.5"
        assert form.values()["epochs"] == 20
        form.query_one("#param-noisy", Switch).value = False
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        record = pane(app).last_record
        assert record.params["lr"] == 1.5 and record.params["noisy"] is False
        assert len(record.history) == 20 + 1  # and epoch 0


async def test_overrides_from_the_command_line_fill_the_form() -> None:
    app = make_app(overrides={"lr": "0.5"})
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert pane(app).form.values()["lr"] == 0.5


# ---------------------------------------------------------------- progress


async def test_progress_survives_a_restart(isolated_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        app.screen.open_lesson("broken")
        await pilot.pause()
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        # The last lesson opened is reopened, rosenblatt is still marked passed...
        assert pane(again).lesson.id == "broken"
        assert "✓" in str(again.screen.query_one(LessonTree).get_node_at_line(1).label)
        # ...and its earlier run is overlaid on the loss plot.
        again.screen.open_lesson("rosenblatt")
        await pilot.pause()
        assert pane(again).has_class("-passed")
        assert len(pane(again).query_one("#view-loss", PlotView).past) == 1


async def test_corrupt_progress_file_is_set_aside_with_a_warning(isolated_home: Path) -> None:
    (isolated_home / "progress.json").write_text("{not json", encoding="utf-8")
    app, posted = make_app(), Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await ready(pilot)
        await pilot.pause()
        warnings = posted.notifications("warning")
        assert warnings and "damaged" in warnings[0].message
        assert pane(app).lesson.id == "rosenblatt"
    assert list(isolated_home.glob("progress.json.corrupt-*"))


async def test_unwritable_progress_is_a_warning_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("TUTOR_HOME", str(blocker))  # the data dir cannot be created
    app, posted = make_app(), Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        assert pane(app).last_record.challenge_met
        warnings = [n.message for n in posted.notifications("warning")]
        assert any("not being saved" in message for message in warnings)
        await pilot.press("end")  # the pass is announced when its replay ends
        await pilot.pause()
        assert "✓" in str(app.screen.query_one(LessonTree).get_node_at_line(1).label)


# ---------------------------------------------------------------- navigation


async def test_tree_opens_lessons_and_command_palette_lists_them() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        tree = app.screen.query_one(LessonTree)
        tree.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert pane(app).lesson.id == "broken"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"rosenb")
        await wait_until(
            pilot,
            lambda: "Go to lesson 1.1" in str(app.screen.query("CommandList").first().get_option_at_index(0).prompt),
        )
        await pilot.press("enter")
        await pilot.pause()
        assert pane(app).lesson.id == "rosenblatt"
        assert ProgressStore().last_lesson == "rosenblatt"


async def test_help_screen_lists_the_keys() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        rows = dict((what, keys) for keys, what in app.screen._rows())
        assert rows["Run the lesson's routine"] == "^r, f5"
        assert rows["Stop the run, keep the plots"] == "^s, f6"
        assert rows["Restore the default parameters"] == "^o"
        assert rows["Quit (ends a run first)"] == "^q"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "MainScreen"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_terminals_run_without_overlap(size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        screen = app.screen
        controls = pane(app).query_one("#strip-top").region
        status = pane(app).query_one("#status").region
        tabs = pane(app).query_one("#lesson-tabs").region
        assert not controls.overlaps(status) and not tabs.overlaps(controls)
        assert status.bottom <= size[1] - 1  # the footer keeps the last line
        tree = screen.query_one(LessonTree)
        assert tree.display == (size[0] >= 120)  # below 120 columns the stage gets the width
        if size[0] < 76:
            await pilot.press("ctrl+b")  # the tree can still be reached
            await pilot.pause()
            assert tree.region.width > 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals only")
def test_the_screen_is_drawn_apart_from_fd_2(isolated_home: Path) -> None:
    """TensorFlow's C++ side writes to fd 2: that must reach the log, not the learner's screen."""
    import os

    code = (
        "import os\n"
        "from tutor.app.terminal import private_terminal\n"
        "with private_terminal() as screen:\n"
        "    assert screen is not None\n"
        "    os.write(2, b'C++ noise\\n')\n"
        "    screen.write('the screen\\n'); screen.flush()\n"
        "os.write(2, b'after the app\\n')\n"
    )
    main, child = os.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-c", code],
            stderr=child,
            stdout=subprocess.PIPE,
            timeout=60,
            env={**os.environ, "TUTOR_HOME": str(isolated_home)},
        )
        os.close(child)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert process.returncode == 0
    assert b"the screen" in seen and b"after the app" in seen
    assert b"C++ noise" not in seen
    assert "C++ noise" in (isolated_home / "stderr.log").read_text()


def test_importing_the_app_package_is_cheap_and_startup_never_imports_tensorflow() -> None:
    code = (
        "import sys, asyncio\n"
        "import tutor.app\n"
        "assert 'textual' not in sys.modules, 'import tutor.app loaded textual'\n"
        "from tutor.app.app import TutorApp\n"
        "async def main():\n"
        "    app = TutorApp(clock=False)\n"  # the whole shipped course
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
        "print('tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


async def test_tab_keys_work_while_a_view_has_focus() -> None:
    # A focused view used to pull the tabs back to Views: 'e' only moved the focus to the next view.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("v", "m", "escape")  # maximise the first view, restore it: it keeps the focus
        await pilot.pause()
        assert app.focused is not None and app.focused.has_class("view")
        await pilot.press("e")
        await pilot.pause()
        assert pane(app).query_one("#lesson-tabs").active == "tab-lesson"
        await pilot.press("p")
        await pilot.pause()
        assert pane(app).query_one("#lesson-tabs").active == "tab-parameters"
