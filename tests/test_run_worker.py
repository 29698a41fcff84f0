"""A run's worker process: what crosses, Stop/Pause/Step through it, its death, the prepared worker.

NumPy lessons run in the run's thread; here they are sent to a worker on purpose
(``RunSession(..., worker=True)``), which is quick, so the worker's side is tested without
TensorFlow. The Keras tests (marked) check what the worker is for: no TensorFlow in the app's
process, a prepared worker, Stop during an import or a compile followed by another run.
"""

from __future__ import annotations

import builtins
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import numpy as np
import pytest

from tests.helpers import make_course, tutor
from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.reporting import Note, Progress, ViewUpdate
from tutor.run_worker import prepared, protocol
from tutor.runner import (
    DIVERGED,
    FAILED,
    FINISHED,
    STOP_GRACE,
    STOPPED,
    LearnerCode,
    RunSession,
    RunState,
    prepare,
    run_lesson,
)

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_course()
HANG_GUARD = 300  # seconds: a worker importing TensorFlow on a loaded machine takes a minute


def wait_for(condition, timeout: float = HANG_GUARD) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "hang guard: the event never came"
        time.sleep(0.02)


def lesson_of(routine: str, **changes):
    """rosenblatt's lesson running one of tests/routines.py's routines."""
    return dataclasses.replace(make_course().get("rosenblatt"), routine=f"tests.routines:{routine}", **changes)


def gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


# ---------------------------------------------------------------- what crosses


def round_trip(message):
    return protocol.decode_event(protocol.frame(message)[4:])


def test_arrays_cross_as_dtype_shape_and_bytes_and_come_back_equal():
    data = {
        "grid": np.arange(12, dtype=np.float32).reshape(3, 4),
        "labels": np.array(["cat", "dog"]),
        "mask": np.array([True, False]),
        "count": np.int64(7),
        "points": [{"x": np.array([0.5, 1.5]), "label": "beans"}],
    }
    back = round_trip(protocol.ViewUpdate("surface", data)).data
    assert back["grid"].dtype == np.float32 and back["grid"].shape == (3, 4)
    np.testing.assert_array_equal(back["grid"], data["grid"])
    assert back["labels"].tolist() == ["cat", "dog"] and back["mask"].tolist() == [True, False]
    assert back["count"] == 7 and type(back["count"]) is int
    np.testing.assert_array_equal(back["points"][0]["x"], [0.5, 1.5])


def test_objects_never_cross():
    with pytest.raises(TypeError, match="cannot be sent"):
        protocol.frame(protocol.ViewUpdate("fit", {"x": np.array([object()])}))
    with pytest.raises(TypeError, match="cannot be sent"):
        protocol.frame(protocol.ViewUpdate("fit", {"path": Path(".")}))


def test_bytes_that_are_not_a_report_are_refused():
    refused = [
        b"\x93\x01\x02\x03",  # MessagePack, not a message of the schema
        msgspec.msgpack.encode({"type": "ended", "status": "passed"}),  # a status that does not exist
        # An extension the tutor does not read (a pickle could hide there).
        msgspec.msgpack.encode({"type": "note", "text": msgspec.msgpack.Ext(2, b"cos\nsystem\n")}),
    ]
    header = msgspec.msgpack.encode(("<f8", [1000]))
    short_array = msgspec.msgpack.Ext(1, len(header).to_bytes(4, "big") + header + b"\0" * 8)
    refused.append(msgspec.msgpack.encode({"type": "view", "view": "fit", "data": {"x": short_array}}))
    header = msgspec.msgpack.encode(("|O", [1]))
    objects = msgspec.msgpack.Ext(1, len(header).to_bytes(4, "big") + header + b"\0" * 8)
    refused.append(msgspec.msgpack.encode({"type": "view", "view": "fit", "data": {"x": objects}}))
    for payload in refused:
        with pytest.raises(protocol.ProtocolError):
            protocol.decode_event(payload)
    with pytest.raises(protocol.ProtocolError, match="more than"):
        protocol.FrameReader(limit=1024).feed((2**30).to_bytes(4, "big"))  # refused before it is read


def test_reports_are_checked_and_cleaned_as_they_arrive():
    note = protocol.as_report(protocol.Note("\x1b]52;c;aGk=\x07copied\x1b[2J"))
    assert note == Note("copied")  # no escape sequence reaches a terminal, not even in part
    with pytest.raises(protocol.ProtocolError, match="cannot show"):
        protocol.as_report(protocol.ViewUpdate("surfce", {}))
    with pytest.raises(protocol.ProtocolError, match="finite"):
        protocol.as_report(protocol.Progress(1, 2, {"loss": float("nan")}))
    assert isinstance(protocol.as_report(protocol.Progress(1, 2, {"loss": 0.5})), Progress)
    assert isinstance(protocol.as_report(protocol.ViewUpdate("loss", {})), ViewUpdate)


# ---------------------------------------------------------------- a run in a worker


def test_a_run_in_a_worker_has_the_record_and_timeline_of_a_run_in_the_thread():
    lesson = COURSE.get("rosenblatt")
    values = lesson.resolve({"epochs": 30})
    session = RunSession(lesson, values, 3, worker=True).start()
    assert session.wait(HANG_GUARD)
    here_state = RunState()
    here = run_lesson(lesson, values, 3, state=here_state)
    there = session.record
    assert session.in_worker and there.status == here.status == FINISHED
    assert there.history == here.history and there.result == here.result
    assert there.challenge_met == here.challenge_met
    frames = session.state.frames()

    def replay(frames):  # what the replay shows: each frame's place, inner step (reporter.frame) included
        return [(f.step, f.unit, f.inner and (f.inner.step, f.inner.unit), f.metrics) for f in frames]

    assert replay(frames) == replay(here_state.frames())
    # rosenblatt's first epoch bean by bean: frames inside epoch 1 that the history does not hold.
    inner = [frame for frame in frames if frame.inner is not None]
    assert inner and {frame.step for frame in inner} == {1} and {f.inner.unit for f in inner} == {"bean"}
    assert [frame.step for frame in frames if frame.inner is None] == list(range(0, 31))
    np.testing.assert_allclose(frames[-1].views["fit"]["lines"][0]["y"], here.result["w"] * np.array([0.0, 1.0]))
    assert session.worker is not None and gone(session.worker.process.pid)


@pytest.mark.parametrize("routine, status", [("broken_routine", FAILED), ("diverging_routine", DIVERGED)])
def test_an_error_in_the_worker_is_the_same_one_line_record_as_in_the_thread(routine, status):
    lesson = lesson_of(routine)
    session = RunSession(lesson, lesson.resolve({}), 0, worker=True).start()
    assert session.wait(HANG_GUARD)
    here, there = run_lesson(lesson, lesson.resolve({}), 0), session.record
    assert there.status == here.status == status
    assert there.error == here.error and "\n" not in there.error
    assert there.history == here.history
    if status == FAILED:
        assert "Traceback" in there.traceback and "tests/routines.py" in there.traceback


def test_pause_step_and_stop_reach_the_worker():
    lesson = lesson_of("until_stopped")
    session = RunSession(lesson, lesson.resolve({}), 0, worker=True)
    session.pause()  # before it starts: the routine waits at its first check
    session.start()
    wait_for(lambda: session.control.waiting)
    assert session.state.history == []
    session.step()
    wait_for(lambda: len(session.state.history) == 1 and session.control.waiting)
    session.step()
    wait_for(lambda: len(session.state.history) == 2 and session.control.waiting)
    cpu = session.worker.process.pid
    before = _cpu_seconds(cpu)
    time.sleep(0.5)
    assert _cpu_seconds(cpu) - before < 0.2  # parked on a condition, not spinning
    assert len(session.state.history) == 2
    session.resume()
    wait_for(lambda: len(session.state.history) > 5)
    session.pause()
    wait_for(lambda: session.control.waiting)
    record = session.end()  # Stop while paused
    assert record.status == STOPPED and record is session.record  # the routine's own record: it heard Stop
    assert [point["step"] for point in record.history] == list(range(1, len(record.history) + 1))
    assert gone(session.worker.process.pid)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_worker_killed_from_outside_is_a_failed_run_saying_so_in_one_line():
    lesson = lesson_of("until_stopped")
    session = RunSession(lesson, lesson.resolve({}), 0, worker=True).start()
    wait_for(lambda: len(session.state.history) >= 2)
    os.kill(session.worker.process.pid, signal.SIGKILL)  # as the kernel's OOM killer does
    assert session.wait(HANG_GUARD)
    record = session.record
    assert record.status == FAILED and len(record.history) >= 2
    assert record.error == (
        "the run's worker process ended unexpectedly: killed (SIGKILL) - out of memory, or ended by another program"
    )


def test_a_worker_that_crashes_is_a_failed_run_saying_so():
    lesson = lesson_of("crashes")
    session = RunSession(lesson, lesson.resolve({}), 0, worker=True).start()
    assert session.wait(HANG_GUARD)
    record = session.record
    assert record.status == FAILED and record.history == [{"step": 1, "loss": 1.0}]
    assert record.error.startswith("the run's worker process ended unexpectedly: crashed (SIGSEGV")
    assert "\n" not in record.error


def test_a_worker_deaf_to_stop_is_ended_after_the_grace_and_nothing_of_it_remains():
    lesson = lesson_of("deaf_for_a_minute")
    session = RunSession(lesson, lesson.resolve({}), 0, worker=True).start()
    wait_for(lambda: "deaf from now on" in session.state.notes)  # past its last check (a Stop before it is heard)
    pid = session.worker.process.pid
    began = time.monotonic()
    record = session.end()  # Stop, the grace, then the worker is ended
    assert record.status == STOPPED and record is session.let_go_record
    assert record.history == [{"step": 1, "loss": 1.0}]
    assert session.done and not session.computing  # the run's thread has ended too
    assert gone(pid)
    assert time.monotonic() - began < STOP_GRACE + 5  # a hang guard: the routine would sleep 60 s
    assert session.record is record


# ---------------------------------------------------------------- the learner's code


LEARNER_FILE = """\
import builtins

builtins.TUTOR_LEARNER_FILE_RAN_HERE = True  # only ever in a confined process


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
"""


def test_a_run_with_the_learners_code_never_imports_it_here_and_never_passes_the_lesson(tmp_path):
    lesson = COURSE.get("rosenblatt")
    path = tmp_path / "rosenblatt.py"
    path.write_text(LEARNER_FILE, encoding="utf-8")
    session = RunSession(lesson, lesson.resolve({}), 0, learner=LearnerCode(str(path), ["learn_from_bean"]))
    session.start()
    assert session.wait(HANG_GUARD)
    record = session.record
    assert session.in_worker and record.mine and record.status == FINISHED, record.error
    assert record.result == run_lesson(lesson, lesson.resolve({}), 0).result  # the tutor's own maths
    assert record.challenge_met is True and not record.passes_lesson  # met with their code: no lesson pass
    assert not hasattr(builtins, "TUTOR_LEARNER_FILE_RAN_HERE")
    assert not any(getattr(module, "__file__", None) == str(path) for module in list(sys.modules.values()))


def test_run_mine_met_with_the_learners_code_says_so_and_leaves_the_lesson_unpassed(isolated_home):
    workspace = isolated_home / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "rosenblatt.py").write_text(LEARNER_FILE, encoding="utf-8")
    done = tutor("run", "rosenblatt", "--headless", "--mine")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Challenge met with your code" in done.stdout and "Lesson passed" not in done.stdout
    store = ProgressStore()
    assert not store.passed("rosenblatt") and store.runs("rosenblatt")[-1]["mine"] is True
    mine_met = tutor("run", "rosenblatt", "--headless")  # the tutor's own code passes it
    assert "Lesson passed" in mine_met.stdout and ProgressStore().passed("rosenblatt")


# ---------------------------------------------------------------- the prepared worker and Keras


def test_opening_a_lesson_without_keras_ends_the_prepared_worker():
    keras_lesson = COURSE.get("keras-basics")
    prepare(keras_lesson)
    worker = prepared.prepared()
    assert worker is not None and worker.alive
    prepare(keras_lesson)  # the same lesson again: the same worker, still loading
    assert prepared.prepared() is worker
    prepare(COURSE.get("rosenblatt"))
    assert prepared.prepared() is None and gone(worker.process.pid)


@pytest.mark.keras
def test_a_prepared_worker_has_tensorflow_and_the_run_rehearsed_before_run_and_trains_as_a_cold_one():
    lesson = COURSE.get("keras-beans")
    values = lesson.resolve({"epochs": 30})
    prepare(lesson, values)
    assert prepared.prepared().wait_until_ready(HANG_GUARD)  # TensorFlow imported, the run rehearsed
    warm = RunSession(lesson, values, 0).start()
    assert warm.wait(HANG_GUARD)
    # The lesson is still open: the next Run's worker is prepared as this one ends, and outlives the
    # run's thread that started it.
    following = prepared.prepared()
    assert following is not None and following is not warm.worker
    wait_for(lambda: not warm._thread.is_alive())
    assert following.wait_until_ready(HANG_GUARD)
    prepare(None)
    cold = RunSession(lesson, values, 0).start()
    assert cold.wait(HANG_GUARD)
    assert not any("Loading TensorFlow" in note for note in warm.state.snapshot().notes)
    assert any("Loading TensorFlow" in note for note in cold.state.snapshot().notes)
    assert warm.record.status == cold.record.status == FINISHED
    assert warm.record.history == cold.record.history and warm.record.result == cold.record.result
    assert "tensorflow" in warm.record.versions  # the worker's TensorFlow, named in the record
    # The untrained network (reporter.frame before epoch 1) is the replay's first frame, not a history point.
    first = warm.state.frames()[0]
    assert first.step == 0 and first.inner is not None and "surface" in first.views


APP_KERAS_RUN = """
import asyncio, sys
from tests.helpers import ready, wait_for_run
from tutor.app.app import TutorApp

async def main():
    app = TutorApp(lesson_id="keras-basics", overrides={"epochs": "2", "points": "40"}, clock=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        print(app.screen.pane.last_record.status)
asyncio.run(main())
print("tensorflow" in sys.modules, "keras" in sys.modules)
"""


@pytest.mark.keras
def test_a_keras_run_in_the_app_leaves_no_tensorflow_in_the_app_process():
    done = subprocess.run(
        [sys.executable, "-c", APP_KERAS_RUN], capture_output=True, text=True, cwd=ROOT, timeout=HANG_GUARD
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["finished", "False", "False"]


SMALL = {"epochs": 2, "points": 40}


async def _stop_then_run_another(pilot, stop_when: str):
    """Run binary-mlp, Stop it while it imports TensorFlow or compiles, then run keras-basics."""
    from tests.helpers import pane, ready, wait_for_run, wait_until
    from tutor.keras_status import LOADING_MESSAGE

    app = pilot.app

    def shown(lesson_id: str) -> bool:
        """Every widget of the lesson's pane mounted (a pane removed while its widgets mount trips Textual)."""
        shown = pane(app)
        return shown is not None and shown.lesson.id == lesson_id and all(w.is_mounted for w in shown.query("*"))

    await wait_until(pilot, lambda: shown(pane(app).lesson.id))
    app.screen.open_lesson("binary-mlp")  # 3,000 epochs: compiled by XLA, seconds
    await wait_until(pilot, lambda: shown("binary-mlp"))
    await ready(pilot)
    pane(app).start_run()
    session = pane(app).session

    def due() -> bool:
        snapshot = session.state.snapshot()
        # "table" is sent just before the training loop is compiled.
        return (stop_when == "import" and LOADING_MESSAGE in snapshot.notes) or "table" in snapshot.views

    await wait_until(pilot, lambda: due() or session.done, timeout=HANG_GUARD)
    pane(app).stop_run()
    await wait_for_run(pilot)
    stopped = pane(app).last_record
    app.screen.open_lesson("keras-basics", overrides=SMALL)
    await wait_until(pilot, lambda: shown("keras-basics"))
    await ready(pilot)
    pane(app).start_run()
    await wait_for_run(pilot)
    return session, stopped, pane(app).last_record


@pytest.mark.keras
async def test_stop_during_an_import_or_a_compile_then_another_keras_lesson_20_times_in_one_app():
    """The crash of issue 19: a compile let go after Stop, and the next Keras run clearing the session
    under it. Now each run has its own worker, ended after Stop: nothing is left to race."""
    from tutor.app.app import TutorApp
    from tutor.course import Course

    lessons = tuple(COURSE.get(lesson_id) for lesson_id in ("binary-mlp", "keras-basics"))
    course = Course(lessons, {3: COURSE.chapter_title(3)})
    app = TutorApp(course, lesson_id="keras-basics", clock=False)
    finished_runs = []
    async with app.run_test(size=(100, 32)) as pilot:
        for attempt in range(20):
            stop_when = "import" if attempt % 2 == 0 else "compile"
            session, stopped, finished = await _stop_then_run_another(pilot, stop_when)
            assert (stopped.lesson, stopped.status) == ("binary-mlp", STOPPED), (attempt, stopped.error)
            assert [point["step"] for point in stopped.history] == list(range(1, len(stopped.history) + 1))
            assert (finished.lesson, finished.status) == ("keras-basics", FINISHED), (attempt, finished.error)
            assert session.done and gone(session.worker.process.pid)  # nothing of the stopped run goes on
            finished_runs.append(finished)
    first = finished_runs[0]
    assert all(run.history == first.history and run.result == first.result for run in finished_runs)
    assert len(first.history) == 2


@pytest.mark.keras
def test_the_first_epoch_benchmark_runs_in_its_quick_mode():
    done = subprocess.run(
        [sys.executable, "benchmarks/keras_first_epoch.py", "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=2 * HANG_GUARD,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "keras-basics: cold" in done.stdout and "prepared is" in done.stdout
    assert "TensorFlow in this process: no" in done.stdout


TUTOR_THAT_DIES = """
import sys, time
from tutor.course import load_course
from tutor.runner import prepare
from tutor.run_worker import prepared

prepare(load_course().get("keras-basics"))
print(prepared.prepared().process.pid, flush=True)
time.sleep(600)
"""


def test_a_worker_ends_with_the_tutor_that_started_it_even_killed():
    tutor_process = subprocess.Popen(
        [sys.executable, "-c", TUTOR_THAT_DIES], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        worker = int(tutor_process.stdout.readline())
        assert not gone(worker)
        tutor_process.kill()  # no atexit, no cleanup: the worker sees its commands end
        tutor_process.wait()
        wait_for(lambda: gone(worker))
    finally:
        tutor_process.kill()


# ---------------------------------------------------------------- hostile code, run with --mine in a class seat

HOSTILE = Path(__file__).resolve().parent / "hostile"
TOKEN = "class-token-Zq81xT4kPw"


def _class_seat(root: Path) -> tuple[dict[str, str], Path, Callable[[], dict[str, bytes]]]:
    """A class with two learners: ana, whose code runs, and bo; (ana's environment, her workspace,
    a fingerprint of everything in the class that is not ana's)."""
    from tutor.classroom import class_store

    klass = root / "classes" / "7b"
    workspace, home = klass / "workspaces" / "ana", klass / "learners" / "ana"
    for folder in (workspace, home, klass / "workspaces" / "bo", klass / "learners" / "bo"):
        folder.mkdir(parents=True)
    (klass / "workspaces" / "bo" / "rosenblatt.py").write_text("# BO-SECRET-FILE\n")
    (klass / "learners" / "bo" / "weights.npz").write_bytes(b"BO-SECRET-DATA")
    class_store(klass, "bo").mark_passed("rosenblatt")

    def fingerprint() -> dict[str, bytes]:
        return {
            str(path): path.read_bytes()
            for path in sorted(klass.rglob("*"))
            if path.is_file() and not {workspace, home} & set(path.parents)
        }

    environment = {
        **os.environ,
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "TUTOR_SERVED": "1",
        "TUTOR_CLASS_DIR": str(klass),
        "TUTOR_LEARNER": "ana",
        "TUTOR_HOME": str(home),
        "TUTOR_WORKSPACE": str(workspace),
        "TUTOR_UNCONFINED": "",
        "SERVER_TOKEN": TOKEN,
    }
    return environment, workspace, fingerprint


def _sandbox_missing() -> str | None:
    from tutor import sandbox

    return sandbox.why_unconfined()


@pytest.mark.skipif(_sandbox_missing() is not None, reason=_sandbox_missing() or "")
@pytest.mark.parametrize("name", sorted(path.name for path in HOSTILE.glob("attack_*.py")))
def test_a_hostile_file_run_with_mine_in_a_class_seat_reaches_nothing(name, tmp_path):
    environment, workspace, fingerprint = _class_seat(tmp_path)
    (workspace / "rosenblatt.py").write_bytes((HOSTILE / name).read_bytes())
    before = fingerprint()
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "--token", TOKEN])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "run", "rosenblatt", "--headless", "--mine", "--set", "epochs=3"],
            capture_output=True,
            env=environment,
            cwd=ROOT,
            timeout=HANG_GUARD,
        )
        text = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        assert done.returncode in (0, 1, 2), text[-2000:]  # a run or a refusal, never a crash of the tutor
        assert "Traceback" not in text and "REACHED" not in text, text[-2000:]
        for secret in (TOKEN, "BO-SECRET", "TUTOR_CLASS_DIR", "SERVER_TOKEN"):
            assert secret not in text
        assert "\x1b" not in text and len(text) < 20_000
        assert fingerprint() == before  # bo's file, data and passes, the class database: untouched
        assert server.poll() is None  # the 'server' lives
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody connected
        from tutor.classroom import class_store

        assert not class_store(Path(environment["TUTOR_CLASS_DIR"]), "ana").passed("rosenblatt")
    finally:
        listener.close()
        server.kill()
        server.wait()
