"""Saving never half-writes a file, never replaces a device or a link, and fails in one line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tutor import files
from tutor.files import TutorFileError, atomic_path, check_writable_target, write_atomic, write_output


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, interrupt):
    target = tmp_path / "run.json"
    target.write_text("old")
    real_fsync = os.fsync

    def dies_mid_write(fd):  # the data is written, not yet on disk: like kill -9 or a full disk
        raise interrupt

    monkeypatch.setattr(files.os, "fsync", dies_mid_write)
    with pytest.raises((KeyboardInterrupt, TutorFileError)) as caught:
        write_atomic(target, "new" * 10_000)
    monkeypatch.setattr(files.os, "fsync", real_fsync)
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []
    if caught.type is TutorFileError:
        assert str(caught.value) == f"cannot write {target}: No space left on device"


def test_a_saver_that_fails_leaves_the_old_model_and_no_temporary(tmp_path):
    model = tmp_path / "lenet5.keras"
    model.write_bytes(b"the old model")
    with pytest.raises(RuntimeError):
        with atomic_path(model) as temporary:
            assert temporary.parent == tmp_path and temporary.name.endswith(".keras")
            temporary.write_bytes(b"half a mod")
            raise RuntimeError("killed while saving")
    assert model.read_bytes() == b"the old model"
    assert os.listdir(tmp_path) == ["lenet5.keras"]
    with atomic_path(model) as temporary:
        temporary.write_bytes(b"the new model")
    assert model.read_bytes() == b"the new model" and os.listdir(tmp_path) == ["lenet5.keras"]


def test_a_symlink_s_target_is_written_and_the_link_kept(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_output(link, '{"a": 1}')
    assert link.is_symlink() and real.read_text() == '{"a": 1}'
    write_atomic(link, "again")
    assert link.is_symlink() and real.read_text() == "again"


def test_dev_null_is_written_through_not_replaced():
    before = os.stat("/dev/null")
    write_output("/dev/null", "x" * 100)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # someone is reading, as with `--json >(cat)`
    try:
        write_output(fifo, '{"status": "finished"}')
        assert os.read(reader, 1000) == b'{"status": "finished"}'
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_one_line_not_a_hang(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(TutorFileError, match="nothing is reading from this pipe"):
        write_output(fifo, "x")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_dev_full_is_a_full_disk_in_one_line_and_stays_a_device():
    with pytest.raises(TutorFileError) as caught:
        write_output("/dev/full", "x")
    assert str(caught.value) == "cannot write /dev/full: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda tmp: (tmp / "folder").mkdir() or tmp / "folder", "it is a folder; give a file name"),
        (lambda tmp: tmp / "missing" / "run.json", "does not exist"),
        (lambda tmp: tmp / ("x" * 300 + ".json"), "the name is too long"),
        (lambda tmp: Path("/proc/version"), "it is a system file"),
    ],
)
def test_impossible_output_paths_are_refused_in_one_line(tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(TutorFileError) as caught:
        check_writable_target(path)
    message = str(caught.value)
    assert reason in message and "\n" not in message and len(message) < 200
    with pytest.raises(TutorFileError):
        write_output(path, "{}")
    assert leftovers(tmp_path) == []


def test_a_folder_in_place_of_the_file_fails_in_one_line_and_leaves_no_temporary(tmp_path):
    (tmp_path / "progress.json").mkdir()
    with pytest.raises(TutorFileError, match=r"^cannot write .*progress.json: Is a directory$"):
        write_atomic(tmp_path / "progress.json", "{}")
    assert leftovers(tmp_path) == []


def test_a_name_with_control_characters_is_shown_escaped():
    with pytest.raises(TutorFileError) as caught:
        check_writable_target("/nonexistent-\x1b]0;pwned\x07/run.json")
    assert "\x1b" not in str(caught.value) and "\\x1b" in str(caught.value)


def test_a_new_file_is_readable_by_others_like_any_saved_file(tmp_path):
    write_output(tmp_path / "run.json", "{}")
    assert stat.S_IMODE(os.stat(tmp_path / "run.json").st_mode) == files.NEW_FILE_MODE


@pytest.mark.parametrize("redirect", ["file", "pipe"])
def test_dev_stdout_adds_to_what_was_printed_and_stays_what_it_was(tmp_path, redirect):
    import subprocess
    import sys

    script = (
        "import sys; from tutor.files import write_output; print('before', flush=True); "
        "write_output('/dev/stdout', 'JSON\\n'); print('after')"
    )
    if redirect == "file":
        out = tmp_path / "out.txt"
        with open(out, "w") as handle:
            done = subprocess.run([sys.executable, "-c", script], stdout=handle, stderr=subprocess.PIPE, text=True)
        text = out.read_text()
        assert stat.S_ISREG(os.lstat(out).st_mode)
    else:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        text = done.stdout
    assert done.returncode == 0, done.stderr
    assert text == "before\nJSON\nafter\n"
