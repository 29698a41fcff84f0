"""Faults that must end well, headless: Ctrl+C, a routine that raises, an unwritable
or corrupt progress file. (The app's side is in test_app.py.)"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import VALID, Output, default_sigint, tutor
from tutor.progress import ProgressStore

FAILING_ROUTINE = """
def run(params, reporter):
    reporter.progress(1, 2, loss=0.5)
    raise ValueError("the routine broke on purpose")
"""


def interrupted(process: subprocess.Popen, signum: int, when: re.Pattern[str], seconds: float = 60) -> tuple[str, str]:
    """Send ``signum`` once ``when`` is on the process's output (its progress bar: training is
    under way); (stdout, stderr) once it has ended, within ``seconds`` of the signal."""
    out, err = Output(process.stdout), Output(process.stderr)
    try:
        out.until(when)
        process.send_signal(signum)
        process.wait(timeout=seconds)
    finally:
        if process.poll() is None:
            process.kill()
    return out.everything(), err.everything()


# Ctrl+C, and being told to end (a scheduler's SIGTERM, a closed terminal's SIGHUP), end a run the same way.
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_ctrl_c_stops_a_headless_run_cleanly_and_keeps_its_record(tmp_path, signal_name):
    target = tmp_path / "run.json"
    env = {**os.environ, "NO_COLOR": "1", "TTY_COMPATIBLE": "1"}  # the progress bar drawn as in a terminal
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tutor",
            "run",
            "gradient-descent",
            "--headless",
            "--set",
            "epochs=5000",
            "--set",
            "beans=5000",
            "--json",
            str(target),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=default_sigint,
    )
    counting = re.compile(r"\b[1-9]\d*/\d")  # the progress bar past 0, whatever it counts (epochs, updates)
    out, err = interrupted(process, getattr(signal, signal_name), when=counting)
    assert process.returncode == 130
    assert "Stopped" in out and "Traceback" not in err
    run = json.loads(target.read_text())
    assert run["status"] == "stopped" and len(run["history"]) >= 1
    assert [kept["status"] for kept in ProgressStore().runs("gradient-descent")] == ["stopped"]


DEAF_ROUTINE = """
import time

def run(params, reporter):
    reporter.progress(1, 2, loss=0.5)
    time.sleep(60)  # deaf to Stop, as while TensorFlow loads
    reporter.check_cancelled()
    return {}
"""


def test_ctrl_c_while_the_routine_is_deaf_to_it_still_stops_and_saves_the_run(tmp_path):
    (tmp_path / "deaf_routine.py").write_text(DEAF_ROUTINE)
    # As a Keras lesson's first run, deaf while TensorFlow loads.
    (tmp_path / "deaf.toml").write_text(
        VALID.replace("tutor.routines.rosenblatt:run", "deaf_routine:run").replace(
            'backend = "numpy"', 'backend = "keras"'
        )
    )
    target = tmp_path / "run.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "--lessons", str(tmp_path), "run", "demo", "--headless", "--json", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "TTY_COMPATIBLE": "1"},
        preexec_fn=default_sigint,
    )
    # Ended before its 60 s are up: the routine reported epoch 1 and is deaf from there.
    out, err = interrupted(process, signal.SIGINT, when=re.compile(r"\b1/2\b"), seconds=45)
    assert process.returncode == 130
    assert "routine was busy" in out and "Traceback" not in err
    assert "Loading TensorFlow" in out
    run = json.loads(target.read_text())
    assert run["status"] == "stopped" and run["history"] == [{"step": 1, "loss": 0.5}]
    assert ProgressStore().runs("demo")[-1]["status"] == "stopped"


def test_a_routine_that_raises_exits_nonzero_with_its_message(tmp_path):
    (tmp_path / "broken_routine.py").write_text(FAILING_ROUTINE)
    (tmp_path / "broken.toml").write_text(VALID.replace("tutor.routines.rosenblatt:run", "broken_routine:run"))
    done = tutor("--lessons", str(tmp_path), "run", "demo", "--headless", "--json", str(tmp_path / "r.json"))
    assert done.returncode == 1
    assert "Error: ValueError: the routine broke on purpose" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    run = json.loads((tmp_path / "r.json").read_text())
    assert run["status"] == "failed" and run["history"] == [{"step": 1, "loss": 0.5}]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_data_folder_only_disables_saving(isolated_home):
    os.chmod(isolated_home, 0o500)
    try:
        done = tutor("run", "rosenblatt", "--headless", "--set", "epochs=5")
    finally:
        os.chmod(isolated_home, 0o700)
    assert done.returncode == 0
    assert "Progress is not being saved" in done.stdout


def test_unwritable_progress_file_only_disables_saving(isolated_home):
    # A file where the folder should be makes the write fail, even for root.
    (isolated_home / "missing-parent").write_text("a file, not a folder")
    store = ProgressStore(isolated_home / "missing-parent" / "x" / "progress.sqlite3")
    assert not store.saving
    assert "Progress is not being saved" in store.warning
    store.mark_passed("rosenblatt")  # still remembered for this session
    assert store.passed("rosenblatt")


def test_corrupt_progress_file_is_moved_aside_with_a_warning(isolated_home):
    (isolated_home / "progress.json").write_text("{ not json")
    done = tutor("list")
    assert done.returncode == 0
    assert "progress file was damaged" in done.stdout
    assert list(isolated_home.glob("progress.json.corrupt-*"))
    assert ProgressStore().warning is None  # a fresh file from now on


def test_progress_survives_between_runs(isolated_home):
    assert tutor("run", "rosenblatt", "--headless").returncode == 0
    store = ProgressStore()
    assert store.passed("rosenblatt")
    [run] = store.runs("rosenblatt")
    assert run["status"] == "finished" and run["history"]


async def test_resizing_the_terminal_during_a_run_keeps_the_app_consistent():
    from tests.helpers import SIZE, endless_lesson, make_app, pane, start_endless_run, wait_for_run

    app = make_app(endless_lesson(), lesson_id="endless")
    async with app.run_test(size=SIZE) as pilot:
        fit = await start_endless_run(pilot)
        for size in [(60, 20), (40, 12), (140, 45), SIZE]:  # shrink past tiny, then grow
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert pane(app).running, "the run should outlast the resizes"
        await pilot.press("ctrl+s")
        await wait_for_run(pilot)
        assert pane(app).last_record.status == "stopped"
        assert fit.data and fit.region.height > 0


QUIT_WHILE_DEAF = """
import dataclasses, sys
from tests.helpers import make_course
from tutor.app import run_app
course = make_course()
deaf = dataclasses.replace(course.get("rosenblatt"), id="deaf", order=3, routine="tests.routines:deaf_at_first")
sys.exit(run_app("deaf", autorun=True, course=dataclasses.replace(course, lessons=course.lessons + (deaf,))))
"""


def app_on_a_terminal(script: str, when: str, act) -> tuple[bool, int]:
    """Run ``script`` (an app) on a real pseudo-terminal, 100x30; once ``when`` is on the
    screen call ``act(pid, terminal)``. Returns (acted, exit code); fails after 2 minutes (a hang guard)."""
    import pty
    import select

    root = Path(__file__).resolve().parents[1]
    try:
        pid, terminal = pty.fork()
    except OSError as error:  # a container without /dev/pts
        pytest.skip(f"no pseudo-terminal here: {error}")
    if pid == 0:  # the child: the app on a real (pseudo) terminal, 100x30
        os.chdir(root)
        os.environ.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
        os.execv(sys.executable, [sys.executable, "-c", script])
    screen = ""
    acted = False
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if select.select([terminal], [], [], 0.1)[0]:
            try:
                screen += re.sub(r"\x1b\[[0-9;?<>=]*[a-zA-Z~]", "", os.read(terminal, 65536).decode("utf-8", "replace"))
            except OSError:  # the child closed the terminal
                pass
        if not acted and when in screen:
            act(pid, terminal)
            acted = True
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail(f"the app did not end (acted: {acted})")
    os.close(terminal)
    return acted, os.waitstatus_to_exitcode(status)


def test_quit_while_a_routine_is_deaf_to_stop_ends_the_process(isolated_home):
    """As when quitting while a Keras lesson imports TensorFlow: the process must not wait for it."""
    # The routine would wait 60 s for a go-ahead that never comes: the process did not wait for it.
    acted, code = app_on_a_terminal(QUIT_WHILE_DEAF, "Starting", lambda pid, terminal: os.write(terminal, b"\x11"))
    assert acted and code == 0


TERMINATED_DURING_A_RUN = """
import dataclasses, sys
from tests.helpers import endless_lesson, make_course
from tutor.app import run_app
course = make_course()
lessons = course.lessons + (endless_lesson(),)
sys.exit(run_app("endless", autorun=True, course=dataclasses.replace(course, lessons=lessons)))
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_the_app_told_to_end_during_a_run_records_it_as_stopped(isolated_home, signal_name):
    acted, code = app_on_a_terminal(
        TERMINATED_DURING_A_RUN, "epoch 3", lambda pid, terminal: os.kill(pid, getattr(signal, signal_name))
    )
    assert acted and code == 0
    [run] = ProgressStore().runs("endless")
    assert run["status"] == "stopped" and len(run["history"]) >= 3
