"""What keeps one served session from costing the others: sizes, messages, stderr, wrong codes.

- ``browser_size`` / ``browser_message``: what a browser (or anything speaking its websocket) sends,
  read strictly - a screen size clamped to ``tutor.app.terminal.SIZE_MIN..SIZE_MAX``, anything
  malformed refused (None), never a traceback;
- ``SessionLog``: an app's stderr goes to a log file of its own (at most ``SESSION_LOG_BYTES``,
  control sequences removed), never raw into the teacher's terminal; old logs are pruned;
- ``SignInLimiter``: at most ``FAILURES_ALLOWED`` wrong names or codes a minute from one address.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as _dt
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from tutor.app.terminal import SIZE_MAX, clamped_size
from tutor.i18n import _

SESSION_LOG_BYTES = 1_000_000  # an app that writes more (a loop printing) loses the rest, and the log says so
SESSION_LOGS_KEPT = 200
FAILURES_ALLOWED = 10  # wrong names or codes from one address...
FAILURE_WINDOW_S = 60.0  # ...within this many seconds, before it waits
ADDRESSES_TRACKED = 10_000
MESSAGE_TYPES = ("stdin", "resize", "ping", "blur", "focus")

# Escape sequences (CSI, OSC, other ESC pairs) and the other control characters except newline and tab.
_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def browser_size(data: Any) -> tuple[int, int] | None:
    """``{"width": W, "height": H}`` as a clamped (W, H); None for anything else."""
    if not isinstance(data, dict):
        return None
    return clamped_size(data.get("width"), data.get("height"))


def url_size(width: str, height: str) -> tuple[int, int]:
    """A link's ?width=&height=, clamped; what is not a number is the usual 80x24."""
    size = clamped_size(_whole(width, 80), _whole(height, 24))
    return size if size is not None else (80, 24)


def _whole(text: str, default: int) -> int:
    text = text.strip()
    if len(text) > len(str(SIZE_MAX[0])) + 1:  # a number of a thousand digits is not parsed, it is big
        return SIZE_MAX[0] if text.lstrip("+").isdigit() else default
    try:
        return int(text)
    except ValueError:
        return default


def browser_message(text: str) -> tuple[str, Any] | None:
    """A websocket text message as (type, data): ``["stdin", "x"]``, ``["resize", {...}]``...; None if malformed."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or not envelope or envelope[0] not in MESSAGE_TYPES:
        return None
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and not isinstance(data, str):
        return None
    if kind == "resize":
        size = browser_size(data)
        return None if size is None else (kind, size)
    return kind, data


def plain_text(text: str) -> str:
    """Text fit for a log or a terminal: escape sequences removed, other control characters escaped."""
    text = _SEQUENCE.sub("", text)
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class SessionLog:
    """One session's log file: what its app wrote to stderr, bounded, as plain text."""

    def __init__(self, folder: Path, label: str, limit: int = SESSION_LOG_BYTES) -> None:
        self.folder = folder
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^\w.-]+", "-", label)[:40] or "tab"
        self.path = folder / f"{stamp}-{safe}-{os.getpid()}-{id(self) % 100000}.log"
        self.limit = limit
        self.written = 0
        self.dropped = 0

    async def keep(self, stream: asyncio.StreamReader) -> None:
        """Read ``stream`` to its end; write the first ``limit`` bytes of it (as plain text) to the log."""
        handle = self._open()
        try:
            while chunk := await stream.read(65536):
                room = self.limit - self.written
                kept = chunk[: max(room, 0)]
                self.dropped += len(chunk) - len(kept)
                if kept and handle is not None:
                    text = plain_text(kept.decode("utf-8", "replace"))
                    handle.write(text)
                    handle.flush()
                    self.written += len(kept)
            if self.dropped and handle is not None:
                dropped = _("[{count:,} more bytes were not kept: a log keeps {limit:,}]")
                handle.write("\n" + dropped.format(count=self.dropped, limit=self.limit) + "\n")
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            if handle is not None:
                handle.close()

    def _open(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _prune(self.folder, SESSION_LOGS_KEPT - 1)
            return open(self.path, "w", encoding="utf-8")
        except OSError:
            return None  # nowhere to write: the stream is still read (an app blocked on stderr would hang)


def _prune(folder: Path, keep: int) -> None:
    try:
        logs = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime)
    except OSError:
        return
    for old in logs[: max(len(logs) - keep, 0)]:
        try:
            old.unlink()
        except OSError:
            pass


class SignInLimiter:
    """Wrong sign-ins per address: a guesser waits; a class behind one address still gets in."""

    def __init__(self, allowed: int = FAILURES_ALLOWED, window: float = FAILURE_WINDOW_S) -> None:
        self.allowed = allowed
        self.window = window
        self.failures: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()

    def _recent(self, address: str) -> collections.deque[float]:
        now = time.monotonic()
        times = self.failures.get(address, collections.deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.allowed

    def failed(self, address: str) -> None:
        times = self._recent(address)
        times.append(time.monotonic())
        self.failures[address] = times
        self.failures.move_to_end(address)
        while len(self.failures) > ADDRESSES_TRACKED:
            self.failures.popitem(last=False)
