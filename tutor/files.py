"""Writing files so that nothing is half-written, replaced by mistake, or reported as a traceback.

- ``write_atomic(path, data)``: the new content goes to a temporary file in the
  same folder, is flushed to disk and renamed over the old file, so a crash,
  kill -9, a full disk or Ctrl+C leaves either the old file or the new one.
  An error or Ctrl+C removes the temporary file at once; one left by kill -9 or
  a power cut (its name says which process wrote it) is removed the next time
  the tutor writes in that folder (``remove_leftovers``).
- ``atomic_path(target)``: the same for savers that want a path (Keras
  ``model.save``, ``np.savez``): a temporary path with the target's suffix,
  renamed over the target only when the block ends without an error.
- ``check_writable_target(path)`` / ``write_output(path, text)``: for paths the
  learner gives (``--json PATH``). A device, a FIFO or ``/dev/stdout`` is written
  through, never replaced; a symlink's target is written and the link kept; a
  folder, a socket, ``/proc`` and names too long are refused - each as one line
  in a ``TutorFileError``.

Which files a lesson may name when the tutor is served is :mod:`tutor.paths`' business.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NEW_FILE_MODE = 0o644
# A temporary file's name says whose it is: ".<name>.tutor-<pid>.<random>.tmp[.<suffix>]", so that the
# next write in its folder can tell one left by a killed process from one being written right now.
TEMPORARY_MARK = ".tutor-"
_TEMPORARY = re.compile(r"^\..*\.tutor-(?P<pid>[0-9]+)\.[a-z0-9_]{8}\.tmp(?:\.[^./]*)?$")


class TutorFileError(OSError):
    """A file could not be written; ``str()`` is one line for the learner."""


def show_path(path: str | os.PathLike, limit: int = 80) -> str:
    """A path fit for one line: control characters escaped, long names cut with '…'."""
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(path))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(path: str | os.PathLike, error: OSError | str) -> TutorFileError:
    reason = error if isinstance(error, str) else (error.strerror or str(error) or type(error).__name__)
    failure = TutorFileError(f"cannot write {show_path(path)}: {reason}")
    if isinstance(error, OSError):
        failure.errno = error.errno
    return failure


def _fsync_folder(folder: Path) -> None:
    # The rename itself must reach the disk too; not every system can open a folder.
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)  # keep the old file's permissions
    except OSError:
        return NEW_FILE_MODE


def _temporary_prefix(name: str) -> str:
    return f".{name[:60]}{TEMPORARY_MARK}{os.getpid()}."


def _writer_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process: maybe another thread's write in progress
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # another user's process (alive), or no process number at all
        return False
    return False


def remove_leftovers(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of writes in ``folder`` that were interrupted for good (kill -9, a power cut).

    Only the tutor's own temporary files (named ``.<name>.tutor-<pid>.<random>.tmp``), and only those
    whose process no longer runs: a write in progress in another process is never touched, nor a
    file of another program that looks alike. Returns what was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:
        return removed
    for entry in entries:
        owned = _TEMPORARY.match(entry.name)
        if not owned or not _writer_gone(int(owned.group("pid"))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):  # some savers write a folder
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue  # another process removed it first, or it cannot be: the next write tries again
    return removed


def write_atomic(path: str | os.PathLike, data: bytes | str, encoding: str = "utf-8") -> None:
    """Replace ``path`` (a symlink's target) with ``data`` all at once; raises TutorFileError."""
    target = Path(os.path.realpath(path))  # write the target, keep the link
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    remove_leftovers(target.parent)
    try:
        handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(target.name), suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise _error(path, error) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException as error:  # a full disk, Ctrl+C, anything: no temporary file stays behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _error(path, error) from None
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target`` with the same suffix; rename it over ``target`` on success.

    For savers that take a path::

        with atomic_path(model_path) as temporary:
            model.save(temporary)          # Keras needs the .keras suffix: it is kept

    On any error (or Ctrl+C) the temporary file is removed and ``target`` is as it was.
    """
    check_writable_target(target, allow_special=False)
    final = Path(os.path.realpath(target))
    remove_leftovers(final.parent)
    try:
        handle, name = tempfile.mkstemp(
            prefix=_temporary_prefix(final.stem), suffix=f".tmp{final.suffix}", dir=final.parent
        )
        os.close(handle)
    except OSError as error:
        raise _error(target, error) from None
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as file:  # the saver closed it; make it durable before the rename
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(final))
        os.replace(temporary, final)
    except BaseException as error:
        with contextlib.suppress(OSError):
            if temporary.is_dir():  # some savers write a folder
                shutil.rmtree(temporary, ignore_errors=True)
            else:
                temporary.unlink()
        if isinstance(error, OSError) and not isinstance(error, TutorFileError):
            raise _error(target, error) from None
        raise
    _fsync_folder(final.parent)


@dataclass(frozen=True)
class Target:
    """Where output goes: ``through`` opens the path itself (devices, FIFOs, /dev/stdout)."""

    path: Path
    through: bool


_THROUGH_PREFIXES = ("/dev/", "/proc/self/fd/", "/proc/thread-self/fd/")
_OWN_FD = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/thread-self/fd)/(\d+)$")
_STANDARD = {"/dev/stdout": 1, "/dev/stderr": 2}


def _own_descriptor(given: str) -> int | None:
    """The open file descriptor a path like /dev/stdout or /dev/fd/63 names, if this process has it.

    Writing to that descriptor (not a fresh open of the path) shares its file offset: a
    --json /dev/stdout redirected to a file lands after what was printed, not over it.
    """
    match = _OWN_FD.match(given)
    number = int(match.group(1)) if match else _STANDARD.get(given)
    if number is None:
        return None
    try:
        os.fstat(number)
    except OSError:
        return None
    return number


_SYSTEM_PREFIXES = ("/proc/", "/sys/")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder if folder.exists() else "/", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_writable_target(path: str | os.PathLike, allow_special: bool = True) -> Target:
    """Decide how ``path`` can be written, or raise TutorFileError with one line saying why not."""
    given = os.fspath(path)
    if not given:
        raise _error(given, "no file name given")
    if "\0" in given:
        raise _error(given, "the name contains a NUL character")
    if len(os.fsencode(given)) >= 4096:
        raise _error(given, "the path is too long")
    try:
        info = os.stat(given)  # follows symlinks: the type of what would be written
    except FileNotFoundError:
        info = None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise _error(given, "the name is too long") from None
        if error.errno in (errno.ENOTDIR, errno.ELOOP):
            raise _error(given, error) from None
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        if not allow_special:
            raise _error(given, "it is a device or a pipe, not a file")
        return Target(Path(given), through=True)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _error(given, "it is a folder; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise _error(given, "it is not a regular file (a socket or a block device)")
    if allow_special and given.startswith(_THROUGH_PREFIXES) and info is not None:
        # /dev/stdout redirected to a file: append through it, never replace the shell's file.
        return Target(Path(given), through=True)
    final = Path(os.path.realpath(given))
    if str(final).startswith(_SYSTEM_PREFIXES) or given.startswith(_SYSTEM_PREFIXES):
        raise _error(given, "it is a system file, not a place for output")
    folder = final.parent
    if len(final.name.encode()) > _name_max(folder):
        raise _error(given, "the name is too long")
    if not folder.is_dir():
        raise _error(given, f"the folder {show_path(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _error(given, f"the folder {show_path(folder)} cannot be written (permission denied)")
    return Target(final, through=False)


def write_output(path: str | os.PathLike, text: str | bytes, encoding: str = "utf-8") -> None:
    """Write a learner-given output file: atomically if it is a file, through it if it is a device or pipe."""
    target = check_writable_target(path)
    if not target.through:
        write_atomic(target.path, text, encoding)
        return
    payload = text.encode(encoding) if isinstance(text, str) else bytes(text)
    descriptor = _own_descriptor(os.fspath(path))
    if descriptor is not None:
        for stream in (sys.stdout, sys.stderr):  # what Python printed so far goes first
            with contextlib.suppress(Exception):
                if stream is not None and stream.fileno() == descriptor:
                    stream.flush()
        try:
            _write_all(descriptor, payload)
        except OSError as error:
            raise _error(path, error) from None
        return
    try:
        # O_NONBLOCK: a FIFO nobody reads is an error now, not a hang; O_APPEND: /dev/stdout
        # redirected to a file keeps what was printed before.
        handle = os.open(target.path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise _error(path, "nothing is reading from this pipe") from None
        raise _error(path, error) from None
    try:
        os.set_blocking(handle, True)
        _write_all(handle, payload)
    except OSError as error:
        raise _error(path, error) from None
    finally:
        os.close(handle)


def _write_all(handle: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(handle, view)
        view = view[written:]
