"""The app's terminal: kept apart from file descriptor 2, and watched for going away.

Textual draws on stderr. TensorFlow's C++ side (and keras_bridge, which
silences it by pointing fd 2 at /dev/null while TensorFlow loads) also uses
fd 2 - so a Keras lesson could blank or scribble over the screen. While the
app runs, it draws on a private duplicate of the terminal, and fd 2 goes to a
log file in the user data dir instead.

A terminal can go away without a word: a pseudo-terminal whose other end is
closed sends no SIGHUP to a process that is not its session's leader, and
Textual then spins on the dead input (81% of a core, for ever).
:func:`terminal_gone` is what the app asks about its terminal every second.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tutor.paths import user_data_dir

LOG_NAME = "stderr.log"
# The sizes a screen may have, wherever the size comes from (a terminal, a browser's window, a link's
# ?width=, a websocket message): a 100000x100000 screen grew the app by 85 MB a second; a negative one
# crashed it. Nobody reads more than 500 columns by 200 lines; below 10x5 nothing fits.
SIZE_MIN = (10, 5)
SIZE_MAX = (500, 200)


@contextlib.contextmanager
def private_terminal() -> Iterator[IO[str] | None]:
    """Yield a writable copy of the terminal (None when not on a POSIX terminal, or in a browser)."""
    if os.name != "posix" or os.environ.get("TEXTUAL_DRIVER") or not _isatty(2):
        yield None
        return
    sys.stderr.flush()
    terminal_fd = os.dup(2)
    log = _open_log()
    os.dup2(log.fileno(), 2)
    terminal = os.fdopen(
        terminal_fd, "w", encoding=getattr(sys.__stderr__, "encoding", None) or "utf-8", errors="replace", closefd=False
    )
    try:
        yield terminal
    finally:
        try:
            terminal.flush()
        except OSError:
            pass
        os.dup2(terminal_fd, 2)
        os.close(terminal_fd)
        log.close()


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _open_log() -> IO[str]:
    try:
        directory = user_data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        return open(Path(directory) / LOG_NAME, "a", encoding="utf-8")
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")


def driver_on(terminal: IO[str], base: type) -> type:
    """A subclass of Textual's Linux/macOS driver that draws on ``terminal``."""

    class PrivateTerminalDriver(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._file = terminal

    return PrivateTerminalDriver


def clamped_size(width: object, height: object) -> tuple[int, int] | None:
    """(width, height) within SIZE_MIN..SIZE_MAX; None when either is not a whole number (refused)."""
    if type(width) is not int or type(height) is not int:  # not bool, float, text or None
        return None
    return (
        min(max(width, SIZE_MIN[0]), SIZE_MAX[0]),
        min(max(height, SIZE_MIN[1]), SIZE_MAX[1]),
    )


def watched_terminals(*candidates: int | None) -> list[int]:
    """The descriptors among ``candidates`` that are terminals now (the ones worth watching)."""
    return [fd for fd in candidates if fd is not None and _isatty(fd)]


def terminal_gone(fd: int) -> bool:
    """True once the terminal on ``fd`` has hung up: its window closed, its pseudo-terminal's other end gone."""
    import termios

    try:
        termios.tcgetattr(fd)
    except termios.error as error:
        return bool(error.args) and error.args[0] in (errno.EIO, errno.ENXIO, errno.EBADF, errno.ENOTTY)
    except (OSError, ValueError):
        return True
    return False
