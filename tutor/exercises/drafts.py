"""A learner's exercise file as one editor window holds it: typed text is never lost, nor overwritten unseen.

- **Drafts.** What the window holds and has not saved is written (atomically) a moment after typing
  stops, and at once when the app quits (ctrl+q, SIGTERM, SIGHUP, a lost terminal): beside the file,
  ``.<file>.<window>.draft``. The next window on that file offers back the newest draft of a window
  that has gone (``left_drafts``); a save, or the text going back to what is saved, removes the draft.
- **Saves that have seen what they replace.** A window remembers the fingerprint (SHA-256) of the file
  as it last loaded, saved or was shown it. A save compares it with the disk under a lock of the
  folder: when another window or editor saved in between, nothing is written (``Conflict``) - the
  second writer is told, and its text stays in its editor and its draft. Saving over the other
  version on purpose (``over_theirs``) keeps that version as ``<file>.<date-time>.bak`` first.

UI-free: the Exercise tab (``tutor.app.widgets.exercise_pane``) drives it.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

from tutor.files import TutorFileError, show_path, write_atomic
from tutor.i18n import _

DRAFT_SECONDS = 1.0  # a draft is written this long after typing stops
_windows = itertools.count(1)  # windows of one process (tests open two apps in one) have their own drafts
_open_windows: set[str] = set()  # the drafts of this process's windows still open
_DRAFT = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)-(?P<window>[0-9]+)\.draft$")


class Conflict(Exception):
    """The file on disk changed since this window last saw it; ``theirs`` is what is there now."""

    def __init__(self, path: Path, theirs: str) -> None:
        super().__init__(f"{show_path(path)} was saved from another window or editor since you opened it")
        self.theirs = theirs


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kept_copy_path(path: Path) -> Path:
    """``<file>.<date-time>.bak``, -2, -3... so that no earlier copy is overwritten (as ``tutor reset`` keeps)."""
    from tutor.exercises import _kept_copy_name

    return _kept_copy_name(path)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Two tutor processes never compare-and-write the same folder's files at once (flock on the folder)."""
    try:
        import fcntl

        handle = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):  # no flock here (Windows), or no folder yet: compare and write unlocked
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


class EditedFile:
    """The learner's file as one window sees it: what it last saw on disk, and its draft."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.seen: str | None = None  # the fingerprint of the version this window last saw
        self.draft = self.path.with_name(f".{self.path.name}.{os.getpid()}-{next(_windows)}.draft")
        _open_windows.add(str(self.draft))

    def close(self) -> None:
        """The window has gone (its lesson closed): a draft it leaves is offered to the next one."""
        _open_windows.discard(str(self.draft))

    # ------------------------------------------------------------ the file

    def read(self) -> str:
        """The file's text, now seen by this window (OSError, UnicodeDecodeError as reading raises)."""
        data = self.path.read_bytes()
        text = data.decode("utf-8")
        self.seen = fingerprint(data)
        return text

    def on_disk(self) -> str | None:
        """The file's text now (None when it cannot be read), without counting it as seen."""
        try:
            return self.path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def seen_now(self, text: str) -> None:
        """This window has been shown ``text`` as the file's content (another editor's save, reloaded)."""
        self.seen = fingerprint(text.encode("utf-8"))

    def save(self, text: str, over_theirs: bool = False) -> Path | None:
        """Write ``text`` unless another version was saved since this window saw the file.

        Raises Conflict (nothing written) in that case, or writes anyway when ``over_theirs``, keeping the
        other version first: the path of that copy is returned. TutorFileError when it cannot be written.
        """
        kept = None
        with _folder_lock(self.path.parent):
            try:
                disk: bytes | None = self.path.read_bytes()
            except FileNotFoundError:
                disk = None
            except OSError as error:
                cannot = _("cannot read {path}: {error}")
                raise TutorFileError(cannot.format(path=show_path(self.path), error=error.strerror or error)) from None
            if disk is not None and self.seen is not None and fingerprint(disk) != self.seen:
                if not over_theirs:
                    raise Conflict(self.path, disk.decode("utf-8", "replace"))
                kept = kept_copy_path(self.path)
                write_atomic(kept, disk)
            write_atomic(self.path, text)
        self.seen_now(text)
        self.discard_draft()
        return kept

    def keep_aside(self, text: str) -> Path:
        """Keep ``text`` (unsaved edits about to be replaced in the editor) as ``<file>.<date-time>.bak``."""
        kept = kept_copy_path(self.path)
        write_atomic(kept, text)
        return kept

    # ------------------------------------------------------------ drafts

    def write_draft(self, text: str) -> None:
        try:
            write_atomic(self.draft, text)
        except TutorFileError:
            pass  # a full disk: the text is still in the editor, and a save says why it fails

    def discard_draft(self) -> None:
        with contextlib.suppress(OSError):
            self.draft.unlink()

    def left_drafts(self) -> list[Path]:
        """Drafts of this file left by windows that have gone (quit, killed, crashed), newest first."""
        found: list[tuple[float, Path]] = []
        try:
            entries = list(os.scandir(self.path.parent))
        except OSError:
            return []
        for entry in entries:
            match = _DRAFT.match(entry.name)
            if not match or match.group("name") != self.path.name or entry.path in _open_windows:
                continue
            pid = int(match.group("pid"))
            if pid != os.getpid() and not _process_gone(pid):
                continue  # a window of another process is open on this file right now: its draft is its own
            with contextlib.suppress(OSError):
                found.append((entry.stat().st_mtime, Path(entry.path)))
        return [path for _stamp, path in sorted(found, reverse=True)]
