"""Nothing left behind: a killed write's temporary file, a closed pipe, a terminal that went away."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tutor.files import atomic_path, write_atomic

# A writer that stops for good between writing its temporary file and renaming it (as kill -9 does):
# it says "ready" once the temporary file exists, then waits to be killed.
STUCK_WRITER = textwrap.dedent("""
    import os, sys, time
    from tutor import files
    from tutor.files import atomic_path, write_atomic
    target, how = sys.argv[1], sys.argv[2]

    def stuck(fd):
        print("ready", flush=True)
        time.sleep(600)

    files.os.fsync = stuck
    if how == "write_atomic":
        write_atomic(target, "new" * 100_000)
    else:
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half a model")
""")


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".tmp" in name)


def stuck_writer(tmp_path: Path, target: Path, how: str) -> subprocess.Popen:
    """A process stopped in the middle of writing ``target`` (its temporary file is there)."""
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_WRITER)
    root = Path(__file__).resolve().parents[1]
    writer = subprocess.Popen(
        [sys.executable, str(script), str(target), how],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"  # blocks until it is mid-write
    return writer


@pytest.mark.parametrize("how", ["write_atomic", "atomic_path"])
def test_a_write_killed_with_minus_9_leaves_a_temporary_the_next_write_removes(tmp_path, how):
    folder = tmp_path / "data"
    folder.mkdir()
    target = folder / ("run.json" if how == "write_atomic" else "lenet5.keras")
    target.write_text("old")
    writer = stuck_writer(tmp_path, target, how)
    [left] = temporaries(folder)
    write_atomic(folder / "other.json", "{}")  # its writer is still alive: a write in progress is left alone
    assert temporaries(folder) == [left]
    writer.kill()  # kill -9: no cleanup of its own
    writer.wait()
    assert temporaries(folder) == [left] and target.read_text() == "old"
    if how == "write_atomic":
        write_atomic(folder / "other.json", "{}")
    else:
        with atomic_path(folder / "other.keras") as temporary:
            temporary.write_bytes(b"model")
    assert temporaries(folder) == []
    assert target.read_text() == "old"


def test_a_file_of_another_program_that_looks_like_a_temporary_is_never_removed(tmp_path):
    theirs = [".notes.txt.abcdefgh.tmp", ".model-abcd1234.tmp.keras", ".x.tutor-notanumber.abcdefgh.tmp"]
    for name in theirs:
        (tmp_path / name).write_text("not the tutor's")
    write_atomic(tmp_path / "run.json", "{}")
    assert temporaries(tmp_path) == sorted(theirs)


# ---------------------------------------------------------------- a closed pipe


@pytest.mark.parametrize("command", [["verify"], ["hint", "rosenblatt"]])
def test_output_into_a_pipe_already_closed_ends_quietly_with_exit_0(command, isolated_home):
    """As `tutor verify | head -3` once head has its lines: no "Broken pipe" error, no traceback, exit 0."""
    subprocess.run([sys.executable, "-m", "tutor", "exercise", "rosenblatt"], capture_output=True, check=True)
    reader, writer = os.pipe()
    os.close(reader)  # the reader went away before the tutor wrote anything
    done = subprocess.run(
        [sys.executable, "-m", "tutor", *command], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120
    )
    os.close(writer)
    assert done.returncode == 0 and done.stderr == ""


def test_tutor_verify_into_head_ends_quietly(isolated_home):
    for lesson in ("rosenblatt", "cost-function"):
        subprocess.run([sys.executable, "-m", "tutor", "exercise", lesson], capture_output=True, check=True)
    done = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m tutor verify | head -3; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == "" and len(done.stdout.splitlines()) == 3


# ---------------------------------------------------------------- a terminal that went away

ENDLESS_RUN = """
import dataclasses, sys
from tests.helpers import endless_lesson, make_course
from tutor.app import run_app
course = make_course()
lessons = course.lessons + (endless_lesson(),)
sys.exit(run_app("endless", autorun=True, course=dataclasses.replace(course, lessons=lessons)))
"""


def test_an_app_whose_terminal_closes_without_a_sighup_ends_and_records_its_run(isolated_home):
    """The pseudo-terminal's other end closes; the app is not its session's leader, so no SIGHUP comes."""
    import fcntl
    import select
    import struct
    import termios

    try:
        main, child = os.openpty()
    except OSError as error:  # a container without /dev/pts
        pytest.skip(f"no pseudo-terminal here: {error}")
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    root = Path(__file__).resolve().parents[1]
    app = subprocess.Popen(
        [sys.executable, "-c", ENDLESS_RUN],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=root,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(child)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"epoch 3" not in seen:  # the run is going
            assert time.monotonic() < deadline and app.poll() is None, seen[-500:]
            if select.select([main], [], [], 0.2)[0]:
                seen += os.read(main, 65536)
        os.close(main)  # the terminal goes away
        closed = time.monotonic()
        assert app.wait(timeout=30) == 0
        print(f"the app ended {time.monotonic() - closed:.1f} s after its terminal closed")
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    from tutor.progress import ProgressStore

    [run] = ProgressStore().runs("endless")
    assert run["status"] == "stopped" and len(run["history"]) >= 3
