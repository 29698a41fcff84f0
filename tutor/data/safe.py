"""Reading data files without trusting them: what a file is, and what it claims, before reading it.

A data file the learner names (``--set weights=...``, ``model=...``) or the
tutor finds (MNIST's IDX files, ``mnist.npz``) may be anything: a folder, a
FIFO that blocks whoever opens it, a device, ``/proc/self/mem``, or a small
archive that unpacks to gigabytes. The helpers here look first and read
after:

- :func:`regular_file` - ``stat`` the path: a missing file is ``None``; a
  folder, FIFO, device, socket or system file is a :class:`TutorError` that
  says what it is (nothing is opened, so a FIFO never blocks);
- :func:`open_regular` - open it only once it is known to be a regular file;
- :class:`NpzReader` - the arrays of an ``.npz`` (a zip of ``.npy`` files),
  each array's shape and type read from its header before a byte of data is
  unpacked or allocated, and never unpickled;
- :func:`check_zip_size` - the total size a zip archive (a ``.keras`` model)
  would unpack to, from its directory, before anything unpacks it.

Every message names the file and says what is wrong in one line.
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np

from tutor.files import show_path
from tutor.i18n import N_, _
from tutor.reporting import TutorError

PATH_SHOWN = 200  # characters of a path shown in a message
# What the routines pass as ``what`` (images.py marks its own): a message shows it translated, _(what).
WHATS = (N_("model"), N_("weights"))


def show(path: str | os.PathLike) -> str:
    """A path fit for one line: control characters escaped, a very long one cut."""
    return show_path(path, PATH_SHOWN)


def size_text(count: int) -> str:
    """Bytes for people: 3.1 GB, 182.9 kB, 12 bytes."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return _("{count} bytes").format(count=count)


def kind(mode: int) -> str:
    """What a stat mode is, in words: 'a folder', 'a named pipe (FIFO)', ..."""
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode):
        return _("a character device")
    if stat.S_ISBLK(mode):
        return _("a block device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


_SYSTEM = ("/proc/", "/sys/")  # regular-looking files that are not data (/proc/self/mem)


def regular_file(path: str | os.PathLike, what: str) -> os.stat_result | None:
    """The ``stat`` of ``path`` (links followed) if it is a regular file, ``None`` if nothing is there.

    Anything else is a :class:`TutorError` saying what the path is, e.g.
    "weights: /tmp/w.npz is a folder, not a file". ``what`` starts the message.
    """
    given = os.fspath(path)
    if "\0" in given:
        raise TutorError(_("{what}: the name {path} contains a NUL character").format(what=_(what), path=show(given)))
    try:
        info = os.stat(given)
    except FileNotFoundError:
        if os.path.islink(given):
            raise TutorError(
                _("{what}: {path} is a link to {target}, which does not exist").format(
                    what=_(what), path=show(given), target=show(os.readlink(given))
                )
            ) from None
        return None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise TutorError(
                _("{what}: the name {path} is too long for this system").format(what=_(what), path=show(given))
            ) from None
        if error.errno == errno.ENOTDIR:
            raise TutorError(
                _("{what}: {path}: a part of the path is a file, not a folder").format(what=_(what), path=show(given))
            ) from None
        if error.errno == errno.ELOOP:
            raise TutorError(
                _("{what}: {path}: too many levels of links").format(what=_(what), path=show(given))
            ) from None
        raise TutorError(
            _("{what}: cannot look at {path}: {error}").format(
                what=_(what), path=show(given), error=error.strerror or error
            )
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise TutorError(
            _("{what}: {path} is {kind}, not a file").format(what=_(what), path=show(given), kind=kind(info.st_mode))
        )
    real = os.path.realpath(given)
    if real.startswith(_SYSTEM) or given.startswith(_SYSTEM):
        raise TutorError(_("{what}: {path} is a system file, not a data file").format(what=_(what), path=show(given)))
    return info


def open_regular(path: str | os.PathLike, what: str) -> io.BufferedReader:
    """Open ``path`` for reading once it is known to be a regular file (never blocks on a FIFO)."""
    if regular_file(path, what) is None:
        raise TutorError(_("{what}: there is no file {path}").format(what=_(what), path=show(path)))
    try:
        # O_NONBLOCK: should the path become a FIFO after the check, opening it still returns at once.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise TutorError(
            _("{what}: cannot open {path}: {error}").format(
                what=_(what), path=show(path), error=error.strerror or error
            )
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise TutorError(_("{what}: {path} is not a regular file").format(what=_(what), path=show(path)))
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


class ReadsInto(Protocol):
    """A binary stream that fills a buffer it is given (a file, a gzip or zip member)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


def read_into(stream: ReadsInto, count: int) -> bytearray:
    """Up to ``count`` bytes from ``stream`` into one writable buffer (shorter at the end of the data)."""
    buffer = bytearray(count)
    view = memoryview(buffer)
    filled = 0
    while filled < count:
        got = stream.readinto(view[filled:])
        if not got:
            break
        filled += got
    view.release()
    if filled < count:
        del buffer[filled:]
    return buffer


# ---------------------------------------------------------------- zip archives


def check_zip_size(
    path: str | os.PathLike, what: str, limit: int, ratio: float = 50.0, small: int = 64 * 2**20
) -> None:
    """Refuse a zip archive whose members would unpack to more than ``limit`` bytes in all,
    or - above ``small`` bytes - to more than ``ratio`` times the archive's size (a
    decompression bomb: trained weights hardly compress). Only the zip's directory is read.
    A file that is not a zip is left to its reader."""
    with open_regular(path, what) as handle:
        if not zipfile.is_zipfile(handle):
            return
        handle.seek(0)
        packed = os.fstat(handle.fileno()).st_size
        try:
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise TutorError(
                _("{what}: {path} is a damaged zip archive ({error})").format(
                    what=_(what), path=show(path), error=error
                )
            ) from None
    total = sum(int(member.file_size) for member in members)
    if total > limit:
        raise TutorError(
            _(
                "{what}: {path} would unpack to {total} ({packed} packed), more than the {limit} "
                "the tutor reads; it was not opened"
            ).format(
                what=_(what), path=show(path), total=size_text(total), packed=size_text(packed), limit=size_text(limit)
            )
        )
    if total > small and total > ratio * max(1, packed):
        raise TutorError(
            _(
                "{what}: {path} would unpack to {total} from {packed} ({times:,.0f} times its size): "
                "a decompression bomb, not a saved model; it was not opened"
            ).format(
                what=_(what),
                path=show(path),
                total=size_text(total),
                packed=size_text(packed),
                times=total / max(1, packed),
            )
        )


class NpzReader:
    """The arrays of an ``.npz``: headers first, data only for what passed the caller's checks.

    ::

        with NpzReader(path, "weights") as npz:
            shape, dtype = npz.header("W1")   # nothing unpacked or allocated yet
            ...                               # check them against what the lesson needs
            w1 = npz.read("W1")               # at most max_bytes, exactly what the header says

    Object arrays (which would need pickle) are refused in :meth:`header`.
    """

    def __init__(self, path: str | os.PathLike, what: str, max_bytes: int = 256 * 2**20):
        self.path = Path(path)
        self.what = what
        self.max_bytes = max_bytes
        self._handle = open_regular(path, what)
        try:
            if not zipfile.is_zipfile(self._handle):
                self._handle.seek(0)
                single = self._handle.read(6) == b"\x93NUMPY"
                if single:
                    message = _("{what}: {path} holds a single array (.npy), not an .npz archive")
                else:
                    message = _("{what}: {path} is not an .npz archive")
                raise TutorError(message.format(what=_(what), path=show(path)))
            self._handle.seek(0)
            self._zip = zipfile.ZipFile(self._handle)
            self._members = {
                name[:-4]: info for info in self._zip.infolist() if (name := info.filename).endswith(".npy")
            }
        except TutorError:
            self._handle.close()
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            self._handle.close()
            raise TutorError(
                _("{what}: cannot read {path} as .npz ({error})").format(what=_(what), path=show(path), error=error)
            ) from None
        self._headers: dict[str, tuple[tuple[int, ...], np.dtype, bool, int]] = {}

    @property
    def files(self) -> list[str]:
        return list(self._members)

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._handle.close()

    def _damaged(self, key: str, reason: object) -> TutorError:
        return TutorError(
            _("{what}: array {key!r} in {path} is damaged ({reason})").format(
                what=_(self.what), key=key, path=show(self.path), reason=reason
            )
        )

    def _read_header(self, stream) -> tuple[tuple[int, ...], bool, np.dtype]:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(stream, max_header_size=10_000)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(stream, max_header_size=10_000)
        raise ValueError(f".npy format version {version[0]}.{version[1]} is not supported")

    def header(self, key: str) -> tuple[tuple[int, ...], np.dtype]:
        """(shape, dtype) of array ``key`` as its header declares them; nothing else is read."""
        if key in self._headers:
            shape, dtype = self._headers[key][:2]
            return shape, dtype
        info = self._members[key]
        try:
            with self._zip.open(info) as stream:
                shape, fortran, dtype = self._read_header(stream)
                offset = stream.tell()
        except (
            ValueError,
            OSError,
            EOFError,
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
        ) as error:  # RuntimeError: an encrypted member
            raise self._damaged(key, error) from None
        shape = tuple(int(d) for d in shape)
        if dtype.hasobject:
            raise TutorError(
                _(
                    "{what}: {path} contains pickled objects (array {key!r}), "
                    "which the tutor does not load (save plain arrays with np.savez)"
                ).format(what=_(self.what), path=show(self.path), key=key)
            )
        self._headers[key] = (shape, dtype, bool(fortran), offset)
        return shape, dtype

    def read(self, key: str) -> np.ndarray:
        """Array ``key``, exactly as its header declares it; writable.

        Refused before anything is allocated or unpacked when the declared size
        is above ``max_bytes`` or differs from what the archive's directory says
        the member holds."""
        shape, dtype = self.header(key)
        fortran, offset = self._headers[key][2:]
        nbytes = math.prod(shape) * dtype.itemsize  # Python ints: never overflows
        if nbytes > self.max_bytes:
            raise TutorError(
                _(
                    "{what}: array {key!r} in {path} declares shape {shape} of {dtype}, {size}; "
                    "the tutor reads at most {most} - it was not loaded"
                ).format(
                    what=_(self.what),
                    key=key,
                    path=show(self.path),
                    shape=shape,
                    dtype=dtype,
                    size=size_text(nbytes),
                    most=size_text(self.max_bytes),
                )
            )
        held = int(self._members[key].file_size) - offset
        if held != nbytes:
            raise self._damaged(
                key,
                _("its header declares {size} of data for shape {shape}, the archive says it holds {held}").format(
                    size=size_text(nbytes), shape=shape, held=size_text(max(0, held))
                ),
            )
        try:
            with self._zip.open(self._members[key]) as stream:
                stream.read(offset)
                # typeshed types ZipFile.open as IO[bytes]; it is a ZipExtFile, which has readinto
                data = read_into(stream, nbytes)  # type: ignore[arg-type]
        except (
            OSError,
            EOFError,
            zipfile.BadZipFile,
            zlib.error,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            raise self._damaged(key, error) from None
        if len(data) != nbytes:
            raise self._damaged(
                key,
                _("{size} of data, its header declares {declared}").format(
                    size=size_text(len(data)), declared=size_text(nbytes)
                ),
            )
        return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
