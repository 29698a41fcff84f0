"""Watching a run: the timeline of frames, the player, Pause/Step/Stop, the ETA and the run's owner."""

from __future__ import annotations

import math
import threading
import time

import pytest

from tests.helpers import HANG_GUARD_SECONDS
from tutor.course import load_course
from tutor.reporting import Cancelled, Progress, Reporter, RunControl
from tutor.runner import FINISHED, STOPPED, RunSession, RunState, run_lesson
from tutor.timeline import MAX_FRAMES, SPEEDS, Frame, Pace, Player, Timeline, frame_index, frames_as_json

COURSE = load_course()


def frame(step: int, **views) -> Frame:
    return Frame(step, 0, "epoch", views, step)


# ---------------------------------------------------------------- timeline


@pytest.mark.parametrize("epochs", [1, 2, 7, MAX_FRAMES, MAX_FRAMES + 1, 10_000, 1_000_000])
def test_thinning_keeps_first_and_last_an_even_spread_and_stays_bounded(epochs):
    timeline = Timeline()
    for step in range(1, epochs + 1):
        timeline.add(frame(step))
    steps = [f.step for f in timeline.frames()]
    assert steps[0] == 1 and steps[-1] == epochs
    assert len(steps) <= MAX_FRAMES + 1
    if epochs <= MAX_FRAMES:
        assert steps == list(range(1, epochs + 1))  # a short run keeps every epoch
    else:
        assert len(steps) >= MAX_FRAMES // 2
        gaps = {b - a for a, b in zip(steps[:-2], steps[1:-1])}  # all but the newest, which is always added
        assert len(gaps) == 1  # evenly spread


def test_frames_replay_in_order_and_the_json_form_lists_changed_views():
    timeline = Timeline(capacity=8)
    surface_a, surface_b = {"z": [1]}, {"z": [2]}
    for step in range(1, 21):
        timeline.add(frame(step, surface=surface_a if step < 10 else surface_b))
    frames = timeline.frames()
    assert [f.step for f in frames] == sorted(f.step for f in frames)
    as_json = frames_as_json(frames)
    assert as_json[0]["views"] == {"surface": surface_a}
    changed = [entry["step"] for entry in as_json if entry["views"]]
    assert changed[0] == frames[0].step and len(changed) == 2  # the surface changed once after the first


def test_a_run_state_takes_a_frame_per_recorded_epoch_with_the_views_of_that_epoch():
    lesson = COURSE.get("rosenblatt")
    state = RunState()
    record = run_lesson(lesson, lesson.resolve({"epochs": 30}), 0, state=state)
    frames = [f for f in state.frames() if f.inner is None]
    assert [f.step for f in frames] == list(range(0, 31))  # epoch 0: where it starts
    # In sync: each frame's line is the w the history recorded at that epoch.
    for f in frames:
        w = state.history[f.history_length - 1]["w"]
        assert f.views["fit"]["lines"][0]["y"][1] == pytest.approx(w)
        assert f.metrics["w"] == pytest.approx(w)
    assert frames[-1].views["fit"]["lines"][0]["y"][1] == pytest.approx(record.result["w"])


def test_rosenblatt_s_line_swings_up_over_frames_inside_the_first_epoch():
    lesson = COURSE.get("rosenblatt")
    state = RunState()
    run_lesson(lesson, lesson.resolve({}), 0, state=state)
    frames = state.frames()
    positions = [f.position for f in frames]
    assert positions == sorted(positions) and positions[0] == 0
    swing = [f for f in frames if 0 < f.position < 1]
    slopes = [f.views["fit"]["lines"][0]["y"][1] for f in [frames[0], *swing, frames[len(swing) + 1]]]
    assert len(swing) >= 10 and slopes == sorted(slopes)  # w grows bean by bean, frame by frame
    assert slopes[0] == pytest.approx(0.05) and slopes[-1] == pytest.approx(state.history[1]["w"])
    steps = [b - a for a, b in zip(slopes, slopes[1:])]
    assert max(steps) < 0.2  # no jump: the swing (0.05 to 1.1) is spread over the frames
    assert [f.inner.unit for f in swing] == ["bean"] * len(swing) and len(state.history) == 101
    # Played back at the normal speed, ten frames a second: the swing is seen, not skipped.
    player, shown = Player("normal"), set()
    for tick in range(int(SPEEDS["normal"] * 10) + 1):
        shown.add(player.tick(tick / 10, frames, 100).position)
    assert len([position for position in shown if 0 < position < 1]) >= 8


def test_gradient_descent_s_walk_grows_update_by_update_from_where_it_starts():
    lesson = COURSE.get("gradient-descent")
    state = RunState()
    record = run_lesson(lesson, lesson.resolve({"epochs": 20}), 0, state=state)
    frames = state.frames()
    walks = [len(f.views["cost"]["path"]["x"]) for f in frames]
    assert walks[:5] == [1, 2, 3, 4, 5]  # the first frame is before any update: a walk of one point
    assert [f.step for f in frames[:5]] == [0, 1, 2, 3, 4] and frames[0].unit == "update"
    assert record.history[-1]["step"] == record.result["updates"] == 20 * 500
    assert frames[-1].views["cost"]["path"]["x"][-1] == pytest.approx(record.result["w"])
    loss = state.views["loss"]
    assert loss["ylog"] and loss["xlog"] and loss["xlabel"] == "update"  # log-log: the methods compare


def test_a_run_that_records_no_epoch_still_has_its_final_frame():
    lesson = COURSE.get("activation-functions")
    state = RunState()
    record = run_lesson(lesson, lesson.resolve({}), 0, state=state)
    assert record.status == FINISHED
    frames = state.frames()
    assert len(frames) >= 1 and set(frames[-1].views) == set(state.snapshot().views)


# ---------------------------------------------------------------- player


def test_playback_gives_each_frame_its_share_of_the_time_wherever_the_routine_put_it():
    # Frames dense at the start (every update of the first 20) and sparse after (one in 100).
    frames = [frame(step) for step in [*range(0, 20), *range(100, 2001, 100)]]
    player = Player("normal")
    halfway = player.tick(0.0, frames, 2000) and player.tick(SPEEDS["normal"] * 0.5, frames, 2000)
    # A quarter of the frames in half the time (eased): inside the dense start, not at step 1000.
    assert halfway.step < 20


def test_a_quick_run_is_played_back_over_the_speed_s_seconds_not_at_once():
    frames = [frame(step) for step in range(1, 101)]
    player = Player("normal")
    seconds = SPEEDS["normal"]
    assert player.tick(0.0, frames, 100).step == 1
    # Eased: the first epochs, where the most happens, get the most time.
    assert player.tick(seconds * 0.3, frames, 100).step == pytest.approx(10, abs=1)
    assert player.tick(seconds * 0.5, frames, 100).step == pytest.approx(26, abs=1)
    assert not player.at_end(frames)
    assert player.tick(seconds + 0.1, frames, 100).step == 100
    assert player.at_end(frames)


def test_playback_never_runs_ahead_of_what_is_computed():
    player = Player("fast")
    computed = [frame(step) for step in range(1, 4)]
    assert player.tick(0.0, computed, 1000).step == 1
    assert player.tick(100.0, computed, 1000).step == 3  # a slow run: shown live, at its newest frame
    computed += [frame(4)]
    assert player.tick(100.1, computed, 1000).step == 4


def test_instant_always_shows_the_newest_frame():
    player = Player("instant")
    frames = [frame(step) for step in range(1, 50)]
    assert player.tick(0.0, frames, 49).step == 49


def test_stepping_scrubbing_first_and_last():
    frames = [frame(step) for step in (1, 5, 9, 13, 17)]
    player = Player()
    player.tick(0.0, frames, 17)
    player.move(frames, 1)
    assert not player.playing and frames[frame_index(frames, player.position)].step == 5
    player.move(frames, 10)
    assert player.at_end(frames)
    player.move(frames, -1)
    assert frames[frame_index(frames, player.position)].step == 13
    player.first(frames)
    assert frames[frame_index(frames, player.position)].step == 1
    player.last()
    assert player.position == math.inf and player.at_end(frames)
    player.toggle(frames)  # play at the end starts again
    assert player.playing and player.tick(1.0, frames, 17).step == 1


def test_speed_cycles_through_every_choice():
    player = Player()
    seen = {player.next_speed() for _ in SPEEDS}
    assert seen == set(SPEEDS)


# ---------------------------------------------------------------- pause, step, stop


def test_no_epoch_is_reported_while_paused_and_step_advances_exactly_one():
    control = RunControl()
    reports: list[int] = []
    reporter = Reporter(lambda report: reports.append(report.step), control)
    parked = threading.Event()

    def routine():
        try:
            for epoch in range(1, 1_000_000):
                reporter.check_cancelled()
                reporter.progress(epoch, 1_000_000, loss=1.0)
                if control.paused:
                    parked.set()
        except Cancelled:
            pass

    control.pause()
    thread = threading.Thread(target=routine, daemon=True)
    thread.start()
    _wait_for(lambda: control.waiting)
    assert reports == []  # paused before the first epoch: nothing reported
    control.step()
    _wait_for(lambda: len(reports) == 1 and control.waiting)
    assert reports == [1]
    control.step()
    _wait_for(lambda: len(reports) == 2 and control.waiting)
    assert reports == [1, 2]
    control.stop()  # Stop while paused ends the run
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive() and reports == [1, 2]


def test_a_paused_session_uses_no_cpu_and_resumes_where_it_was():
    lesson = COURSE.get("rosenblatt")
    session = RunSession(lesson, lesson.resolve({"epochs": 2000, "beans": 5000}), 0)
    session.pause()
    session.start()
    _wait_for(lambda: session.control.waiting)
    cpu = time.thread_time()  # this thread's; the routine's thread is parked on a condition
    reported = len(session.state.history)  # at most epoch 0, its starting point
    before = time.process_time()
    time.sleep(0.5)
    assert time.process_time() - before < 0.2  # parked, not spinning
    assert len(session.state.history) == reported <= 1
    session.step()
    _wait_for(lambda: len(session.state.history) == reported + 1 and session.control.waiting)
    session.resume()
    _wait_for(lambda: len(session.state.history) > 5)
    record = session.end()
    assert record.status == STOPPED and cpu >= 0


def test_stop_while_paused_wakes_the_routine_and_ends_the_run():
    # How soon: benchmarks/stop_latency.py (the promise is within a second).
    lesson = COURSE.get("rosenblatt")
    session = RunSession(lesson, lesson.resolve({"epochs": 2000, "beans": 5000}), 0).start()
    _wait_for(lambda: len(session.state.history) > 2)
    session.pause()
    _wait_for(lambda: session.control.waiting)
    record = session.end(grace=HANG_GUARD_SECONDS)  # the paused routine wakes to Stop: no letting go
    assert record.status == STOPPED and record is session.record  # the routine's own record


def test_a_routine_deaf_to_stop_is_let_go_and_recorded_as_stopped(monkeypatch):
    import tests.routines as routines

    lesson = COURSE.get("rosenblatt")
    monkeypatch.setattr(type(lesson), "load_routine", lambda self: routines.deaf_at_first)
    routines.GO_ON.clear()
    session = RunSession(lesson, lesson.resolve({}), 0).start()
    try:
        routines.BUSY.wait(5)
        record = session.end(grace=0.2)
        assert record.status == STOPPED and record is session.let_go_record
        assert not session.computing
    finally:
        routines.GO_ON.set()
    assert session.wait(5) and session.record.status == STOPPED


def test_the_session_calls_on_end_with_the_record_in_its_thread():
    lesson = COURSE.get("rosenblatt")
    ended = []
    session = RunSession(
        lesson,
        lesson.resolve({"epochs": 3}),
        0,
        on_end=lambda record: ended.append((record, threading.current_thread().name)),
    )
    session.start().wait(10)
    _wait_for(lambda: ended)
    record, thread = ended[0]
    assert record is session.record and record.status == FINISHED and thread.startswith("tutor-routine-")


# ---------------------------------------------------------------- ETA


def test_the_eta_ignores_the_slow_first_call_and_a_burst_of_reports():
    pace = Pace()

    def report(step, at, unit="epoch", record=True, total=100):
        progress = Progress(step, total, {}, unit, record)
        pace.observe(progress, at)
        return {unit: progress}

    # A compiled loop: 10 s to compile, then epochs 1-8 reported at once, then 8 more each second.
    latest = report(1, 10.0)
    for step in range(2, 9):
        latest = report(step, 10.0 + step * 1e-4)
    assert pace.eta(latest) is None  # one burst tells nothing yet
    for step in range(9, 17):
        latest = report(step, 11.0 + (step - 9) * 1e-4)
    assert pace.eta(latest) == pytest.approx((100 - 16) / 8, rel=0.05)  # 1 s per 8 epochs, not 11 s


def test_after_the_first_epoch_the_eta_counts_the_batches_left():
    pace = Pace()
    pace.observe(Progress(1, 6, {}, "epoch", True), 15.0)  # the first epoch, compile included: 15 s
    for batch in range(1, 11):
        pace.observe(Progress(batch, 100, {}, "batch", False), 15.0 + batch * 0.1)
    latest = {"epoch": Progress(1, 6, {}, "epoch", True), "batch": Progress(10, 100, {}, "batch", False)}
    # 0.1 s a batch: 90 left in this epoch, 100 in each of the 4 after it - not 15 s an epoch.
    assert pace.eta(latest) == pytest.approx((90 + 100 * 4) * 0.1, rel=0.05)


def _wait_for(condition, timeout: float = HANG_GUARD_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_a_diverged_run_keeps_its_last_finite_frame_and_the_blow_up_on_its_history():
    from tests.routines import diverging_routine

    lesson = COURSE.get("rosenblatt")
    state = RunState()
    import dataclasses

    diverging = dataclasses.replace(lesson, routine="tests.routines:diverging_routine")
    record = run_lesson(diverging, lesson.resolve({}), 0, state=state)
    assert record.status == "diverged" and diverging_routine
    assert [point["step"] for point in record.history] == [1, 2, 3]
    assert record.history[-1]["loss"] == 1e300  # inf, kept finite: the JSON stays valid
    frames = state.frames()
    assert frames[-1].history_length == 3
