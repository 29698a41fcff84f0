"""What crosses between the runner and a run's worker process: plain data with a declared schema.

Every message is a :class:`msgspec.Struct` of this module, sent as MessagePack in a frame
(a 4-byte big-endian length, then the bytes). Commands go in (:class:`Rehearse` to a prepared worker,
:class:`Start`, then :class:`Stop`, :class:`Pause`, :class:`Resume`, :class:`Step`); events come out (the
routine's reports as :class:`Progress`, :class:`ViewUpdate`, :class:`Note`; :class:`Waiting`
when it parks at a paused check; :class:`Ended` with its result or error). NumPy arrays
in a view's data are written explicitly - dtype, shape and raw bytes in a MessagePack
extension - and only numbers, booleans and text arrays are accepted back: nothing is ever
unpickled, so a worker (which may run the learner's code) can send no object that runs
code in the tutor's process. A frame longer than :data:`MAX_FRAME` is refused unread.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import msgspec
import numpy as np

from tutor import reporting
from tutor.sandbox import plain_output
from tutor.views import check_view

MAX_FRAME = 64 * 2**20  # bytes: far above any view a routine sends (a few hundred KB at most)
MAX_TEXT = 20_000  # characters of an error, traceback or note kept from a worker
ARRAY_EXTENSION = 1  # the MessagePack extension code of an explicitly encoded NumPy array
ARRAY_KINDS = "biufcU"  # bool, int, uint, float, complex, text: never object, bytes or records
MAX_DIMENSIONS = 32

Status = Literal["finished", "stopped", "diverged", "failed"]


class ProtocolError(Exception):
    """A frame that is not a message of this schema (too long, cut short, or malformed)."""


# ---------------------------------------------------------------- commands: runner -> worker


class LearnerCode(msgspec.Struct, frozen=True):
    """The learner's exercise file whose ``functions`` replace the tutor's in the lesson's routine."""

    file: str
    functions: list[str]


class Start(msgspec.Struct, tag="start"):
    """Run this routine once. ``paused``/``steps``: Pause and Step pressed before it started."""

    lesson: str
    routine: str  # "package.module:function", as the lesson file names it
    backend: str
    values: dict[str, Any]
    seed: int
    code_dir: str | None = None  # a pack's folder, where its own routine modules are
    learner: LearnerCode | None = None
    environment: dict[str, str] = {}  # settings the routine reads (a confined worker has a clean environment)
    language: str = "en"  # the language the routine's titles, legends and notes are written in (tutor.i18n)
    paused: bool = False
    steps: int = 0


class Rehearse(msgspec.Struct, tag="rehearse"):
    """Before any Start (a prepared worker): run this routine up to its first report and throw that away.

    Keras builds, traces and compiles what the lesson's run needs (a fast loop's compiled program
    is kept for a run of the same shapes), so the learner's Run starts at once.
    """

    start: Start


class Stop(msgspec.Struct, tag="stop"):
    pass


class Pause(msgspec.Struct, tag="pause"):
    pass


class Resume(msgspec.Struct, tag="resume"):
    pass


class Step(msgspec.Struct, tag="step"):
    pass


Command = Start | Rehearse | Stop | Pause | Resume | Step


# ---------------------------------------------------------------- events: worker -> runner


class Ready(msgspec.Struct, tag="ready"):
    """A prepared worker has imported TensorFlow and done its first ``rehearsed`` rehearsals: it waits."""

    rehearsed: int = 0


class Progress(msgspec.Struct, tag="progress"):
    step: int
    total: int
    metrics: dict[str, float]
    unit: str = "epoch"
    record: bool = True
    frame: bool = False  # a frame of the replay inside the step under way (reporter.frame), not progress


class ViewUpdate(msgspec.Struct, tag="view"):
    view: str
    data: dict[str, Any]


class Note(msgspec.Struct, tag="note"):
    text: str


class Waiting(msgspec.Struct, tag="waiting"):
    """The routine parked at a paused check (True) or went on (False)."""

    waiting: bool


class DivergedAt(msgspec.Struct):
    """Where a metric blew up (:class:`tutor.reporting.Diverged`'s fields)."""

    metric: str
    value: float
    step: int
    unit: str


class Ended(msgspec.Struct, tag="ended"):
    """The routine returned or raised; the worker sends nothing after this."""

    status: Status
    result: dict[str, Any] = {}
    error: str | None = None
    traceback: str | None = None
    diverged: DivergedAt | None = None
    versions: dict[str, str] = {}


Event = Ready | Progress | ViewUpdate | Note | Waiting | Ended


# ---------------------------------------------------------------- reports <-> messages


def report_message(report: reporting.Report) -> Progress | ViewUpdate | Note:
    if isinstance(report, reporting.Progress):
        return Progress(report.step, report.total, dict(report.metrics), report.unit, report.record, report.frame)
    if isinstance(report, reporting.ViewUpdate):
        return ViewUpdate(report.view, dict(report.data))
    return Note(report.text)


def as_report(message: Progress | ViewUpdate | Note) -> reporting.Report:
    """The report a message stands for; its text cleaned, its view checked as a routine's would be.

    Raises :class:`ProtocolError` for what a routine's own reporter would have refused.
    """
    if isinstance(message, Progress):
        if not all(math.isfinite(value) for value in message.metrics.values()):
            raise ProtocolError("a progress report with a metric that is not a finite number")
        return reporting.Progress(
            message.step,
            message.total,
            message.metrics,
            clean_text(message.unit, 40),
            message.record,
            message.frame and not message.record,  # as a routine's own reporter marks an inner frame
        )
    if isinstance(message, ViewUpdate):
        try:
            check_view(message.view, message.data)
        except (TypeError, ValueError) as error:
            raise ProtocolError(f"a view the tutor cannot show ({clean_text(str(error), 200)})") from None
        return reporting.ViewUpdate(message.view, message.data)
    return reporting.Note(clean_text(message.text))


def diverged_error(where: DivergedAt) -> reporting.Diverged:
    return reporting.Diverged(clean_text(where.metric, 80), where.value, where.step, clean_text(where.unit, 40))


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """A worker's text as the tutor shows it: no escape sequence (they retitle a terminal, write its
    clipboard) or control character, line breaks and tabs kept; at most ``limit`` characters."""
    text = plain_output(text, len(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- arrays, explicitly


def _encode_extra(value: Any) -> Any:
    """What MessagePack has no type for: NumPy arrays (an extension), NumPy scalars, other mappings."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"an array of {value.dtype} cannot be sent (numbers, booleans or text only)")
        array = np.ascontiguousarray(value)
        header = msgspec.msgpack.encode((array.dtype.str, list(array.shape)))
        return msgspec.msgpack.Ext(ARRAY_EXTENSION, len(header).to_bytes(4, "big") + header + array.tobytes())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"a {type(value).__name__} cannot be sent to the tutor (numbers, text, lists, dicts, arrays)")


def _decode_extra(code: int, data: memoryview) -> np.ndarray:
    if code != ARRAY_EXTENSION:
        raise ProtocolError(f"unknown MessagePack extension {code}")
    size = int.from_bytes(data[:4], "big")
    dtype_name, shape = msgspec.msgpack.decode(data[4 : 4 + size], type=tuple[str, list[int]])
    raw = data[4 + size :]
    try:
        dtype = np.dtype(dtype_name)
    except TypeError:
        raise ProtocolError(f"an array of unknown type {dtype_name[:40]!r}") from None
    if dtype.kind not in ARRAY_KINDS or len(shape) > MAX_DIMENSIONS or any(n < 0 for n in shape):
        raise ProtocolError(f"an array of {dtype} with shape {shape[:MAX_DIMENSIONS]} is not accepted")
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise ProtocolError(f"an array's {len(raw)} bytes do not make shape {shape} of {dtype}")
    return np.frombuffer(raw, dtype).reshape(shape).copy()


_encoder = msgspec.msgpack.Encoder(enc_hook=_encode_extra)
_command_decoder = msgspec.msgpack.Decoder(Command)
_event_decoder = msgspec.msgpack.Decoder(Event, ext_hook=_decode_extra)


def frame(message: Command | Event) -> bytes:
    """The bytes sent for ``message``: its length, then the message (TypeError if it holds an object)."""
    payload = _encoder.encode(message)
    if len(payload) > MAX_FRAME:
        raise ValueError(f"a message of {len(payload) / 2**20:.0f} MB is more than the {MAX_FRAME // 2**20} MB sent")
    return len(payload).to_bytes(4, "big") + payload


def decode_command(payload: bytes) -> Command:
    try:
        return _command_decoder.decode(payload)
    except (msgspec.DecodeError, ProtocolError, RecursionError, ValueError) as error:
        raise ProtocolError(f"not a command: {error}") from None


def decode_event(payload: bytes | memoryview) -> Event:
    try:
        return _event_decoder.decode(payload)
    except ProtocolError:
        raise
    except (msgspec.DecodeError, RecursionError, ValueError, TypeError) as error:
        raise ProtocolError(f"not a report: {clean_text(str(error), 200)}") from None


class FrameReader:
    """Cuts a byte stream into frames; refuses a frame longer than ``limit`` before it arrives."""

    def __init__(self, limit: int = MAX_FRAME) -> None:
        self.limit = limit
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= 4:
            size = int.from_bytes(self._buffer[:4], "big")
            if size > self.limit:
                raise ProtocolError(f"a message of {size / 2**20:.0f} MB, more than the {self.limit // 2**20} MB read")
            if len(self._buffer) < 4 + size:
                break
            frames.append(bytes(self._buffer[4 : 4 + size]))
            del self._buffer[: 4 + size]
        return frames

    @property
    def partial(self) -> bool:
        """A frame was begun and not finished (the stream ended in the middle of a message)."""
        return bool(self._buffer)
