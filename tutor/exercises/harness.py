"""The learner's side of the checks: loads the learner's file and calls its functions, nothing else.

``python -I harness.py PATHS`` runs confined (:mod:`tutor.sandbox`) and imports no module of the
tutor: not the checks, not the reference, not the messages. It reads requests on its standard
input and answers on its standard output, one msgpack frame each (a 4-byte length, then the
message), with the schema below:

- ``Prepare``: import what the functions will be given (Keras), before any time limit;
- ``Load``: the learner's source and path -> ``Loaded`` (each function's parameters) or ``Failed``;
- ``Call``: a function's name and plain arguments -> ``Returned`` (a plain value and the warnings
  it raised), ``Raised`` (the exception, the learner's function and line), ``TimedOut`` or ``Exited``.

Only plain data crosses, both ways: numbers, strings, lists, tuples, dicts with string keys,
NumPy arrays and scalars (dtype, shape and bytes: never a pickle), a Keras model as its JSON
configuration, and for anything else only its type's name. What the learner's code prints goes
to standard error (its file descriptors 1 and 2 both), which the tutor reads with a bound.

The time limit of each call is a timer in this process (``setitimer``): an endless loop is
interrupted inside the learner's function, so the answer names the function and its line.
The tutor also waits only so long, and ends this process if the timer is taken from it.

This module is imported by the tutor too, for the schema and :func:`encode_value` /
:func:`decode_value`: one copy of the protocol on both sides.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import signal
import struct
import sys
import traceback
import types
import warnings
from collections.abc import Callable
from typing import Any, BinaryIO

import msgspec

MAX_FRAME = 64 << 20  # bytes of one message; a larger answer is refused, not read
MAX_TEXT = 2000  # characters of a string, a message or a warning kept
MAX_DEPTH = 20  # nesting of lists, tuples and dicts
MAX_WARNINGS = 20
NUMERIC_KINDS = "biuf"  # bool, int, unsigned, float: the arrays that cross
KERAS = "keras"


# ---------------------------------------------------------------- values


class Array(msgspec.Struct, tag=True):
    dtype: str
    shape: list[int]
    data: bytes


class Scalar(msgspec.Struct, tag=True):  # a NumPy scalar (np.float64(0.5)), kept as such
    dtype: str
    data: bytes


class Items(msgspec.Struct, tag=True):
    items: list[Value]
    is_tuple: bool = False


class Mapping(msgspec.Struct, tag=True):  # a dict with string keys
    keys: list[str]
    values: list[Value]


class Module(msgspec.Struct, tag=True):  # an argument that is a module: only Keras
    name: str


class Model(msgspec.Struct, tag=True):  # a Keras model, as model.to_json() gives it
    config: str


class Other(msgspec.Struct, tag=True):  # anything else: only what it is
    description: str


Value = None | bool | int | float | str | Array | Scalar | Items | Mapping | Module | Model | Other


# ---------------------------------------------------------------- messages


class Prepare(msgspec.Struct, tag=True):
    modules: list[str]


class Load(msgspec.Struct, tag=True):
    path: str
    source: str
    functions: list[str]
    seconds: float


class Call(msgspec.Struct, tag=True):
    function: str
    args: list[Value]
    kwargs: dict[str, Value]
    seconds: float


Request = Prepare | Load | Call


class Ready(msgspec.Struct, tag=True):
    problem: str = ""


class Signature(msgspec.Struct):
    found: bool  # a callable of that name exists
    parameters: list[str] | None = None  # None: its signature cannot be read (a builtin)
    defaulted: list[bool] | None = None


class Loaded(msgspec.Struct, tag=True):
    functions: dict[str, Signature]


class Failed(msgspec.Struct, tag=True):
    kind: str  # "syntax", "exception", "timeout", "exit", "memory"
    line: int = 0
    type_name: str = ""
    message: str = ""
    text: str = ""  # the line's code, for a syntax error


class Warned(msgspec.Struct):
    category: str
    message: str
    line: int = 0


class Returned(msgspec.Struct, tag=True):
    value: Value
    warnings: list[Warned] = []


class Raised(msgspec.Struct, tag=True):
    type_name: str
    message: str
    function: str = ""  # the deepest frame of the learner's file ("" when none)
    line: int = 0


class TimedOut(msgspec.Struct, tag=True):
    function: str = ""
    line: int = 0


class Exited(msgspec.Struct, tag=True):
    pass


Reply = Ready | Loaded | Failed | Returned | Raised | TimedOut | Exited


def write_frame(stream: BinaryIO, message: Any) -> None:
    body = msgspec.msgpack.encode(message)
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(4)
    if len(header) < 4:
        return None
    (size,) = struct.unpack(">I", header)
    if size > MAX_FRAME:
        raise ValueError(f"a message of {size} bytes")
    body = stream.read(size)
    return body if len(body) == size else None


# ---------------------------------------------------------------- plain values, both ways


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _type_name(value: Any) -> str:
    return type(value).__name__


def encode_value(value: Any, depth: int = 0) -> Any:
    """``value`` as plain data (see the module's docstring); never calls the value's own code
    except a Keras model's ``to_json``."""
    import numpy as np

    if value is None or type(value) in (bool, str, float):
        return _cut(value) if type(value) is str else value
    if type(value) is int:
        return value if -(2**63) <= value < 2**63 else float(value)
    if depth > MAX_DEPTH:
        return Other(f"a {_type_name(value)} nested more than {MAX_DEPTH} deep")
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        if value.dtype.kind not in NUMERIC_KINDS:
            return Other(f"an array of {value.dtype}")
        return Array(value.dtype.str, list(value.shape), np.ascontiguousarray(value).tobytes())
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        if value.dtype.kind not in NUMERIC_KINDS:
            return Other(f"a NumPy {value.dtype}")
        return Scalar(value.dtype.str, value.tobytes())
    if type(value) in (list, tuple):
        return Items([encode_value(item, depth + 1) for item in value], is_tuple=type(value) is tuple)
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            return Other("a dict whose keys are not all strings")
        return Mapping(list(value), [encode_value(item, depth + 1) for item in value.values()])
    if isinstance(value, types.ModuleType) and value.__name__ == KERAS:
        return Module(KERAS)
    if type(value).__module__.split(".")[0] == KERAS and hasattr(value, "to_json"):
        try:
            return Model(value.to_json())
        except Exception as error:
            return Other(f"a {_type_name(value)} whose configuration cannot be saved ({_type_name(error)})")
    return Other(f"a {_type_name(value)}")


def decode_value(
    value: Any,
    module: Callable[[str], Any] | None = None,
    model: Callable[[str], Any] | None = None,
    other: Callable[[str], Any] | None = None,
) -> Any:
    """Plain data back as values: arrays, tuples, dicts; ``module``, ``model`` and ``other`` say
    what a module, a Keras configuration and an unknown value become on this side."""
    import numpy as np

    def back(item: Any) -> Any:
        if isinstance(item, Items):
            items = [back(one) for one in item.items]
            return tuple(items) if item.is_tuple else items
        if isinstance(item, Mapping):
            if len(item.keys) != len(item.values):
                raise ValueError("a dict whose keys and values differ in number")
            return dict(zip(item.keys, [back(one) for one in item.values]))
        if isinstance(item, Array | Scalar):
            dtype = np.dtype(item.dtype)
            if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
                raise ValueError(f"an array of {dtype}")
            shape = item.shape if isinstance(item, Array) else []
            if any(size < 0 for size in shape) or int(np.prod(shape)) * dtype.itemsize != len(item.data):
                raise ValueError("an array whose size is not its shape's")
            array = np.frombuffer(item.data, dtype=dtype).reshape(shape).copy()
            return array if isinstance(item, Array) else array[()]
        if isinstance(item, Module):
            if module is None:
                raise ValueError(f"a module ({item.name})")
            return module(item.name)
        if isinstance(item, Model):
            if model is None:
                raise ValueError("a Keras model")
            return model(item.config)
        if isinstance(item, Other):
            if other is None:
                raise ValueError(item.description)
            return other(item.description)
        return item

    return back(value)


# ---------------------------------------------------------------- the learner's side


class TimeLimit(BaseException):
    """The call's time ran out (a BaseException: a learner's ``except Exception`` does not stop it)."""


def _alarm(signum: int, frame: Any) -> None:
    raise TimeLimit


def _arm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def _deepest(error: BaseException, path: str) -> tuple[str, int]:
    """(function, line) of the deepest frame of the learner's file in ``error``'s traceback."""
    found = ("", 0)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == path:
            found = (frame.name, frame.lineno or 0)
    return found


def _first_line(error: BaseException) -> str:
    text = str(error)
    return _cut(text.splitlines()[0]) if text else ""


def _import_quietly(name: str) -> Any:
    """Import ``name`` with file descriptor 2 pointed at /dev/null (TensorFlow's C++ start-up lines)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            return __import__(name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class Harness:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.path = ""
        self.modules: dict[str, Any] = {}

    def module(self, name: str) -> Any:
        if name != KERAS:
            raise ValueError(f"the module {name}")
        if name not in self.modules:
            self.modules[name] = _import_quietly(name)
        return self.modules[name]

    def prepare(self, request: Prepare) -> Reply:
        try:
            for name in request.modules:
                self.module(name)
        except Exception as error:
            return Ready(problem=f"{_type_name(error)}: {_first_line(error)}")
        return Ready()

    def load(self, request: Load) -> Reply:
        self.path = request.path
        name = "tutor_learner_" + "".join(c if c.isalnum() else "_" for c in os.path.basename(request.path)[:-3])
        namespace: dict[str, Any] = {"__name__": name, "__file__": request.path, "__builtins__": builtins}
        try:
            code = compile(request.source, request.path, "exec", dont_inherit=True)
        except SyntaxError as error:
            return Failed("syntax", error.lineno or 0, message=error.msg or "", text=(error.text or "").strip())
        except ValueError as error:  # a NUL byte in the source
            return Failed("syntax", 0, message=_first_line(error))
        try:
            _arm(request.seconds)
            try:
                exec(code, namespace)
            finally:
                _disarm()
                _flush()
        except TimeLimit as error:
            return Failed("timeout", _deepest(error, self.path)[1])
        except SystemExit:
            return Failed("exit")
        except MemoryError:
            return Failed("memory")
        except Exception as error:
            return Failed("exception", _deepest(error, self.path)[1] or 1, _type_name(error), _first_line(error))
        self.namespace = namespace
        return Loaded({name: self.signature(name) for name in request.functions})

    def signature(self, name: str) -> Signature:
        import inspect

        function = self.namespace.get(name)
        if not callable(function):
            return Signature(found=False)
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            return Signature(found=True)
        return Signature(
            found=True,
            parameters=list(parameters),
            defaulted=[p.default is not inspect.Parameter.empty for p in parameters.values()],
        )

    def call(self, request: Call) -> Reply:
        function = self.namespace.get(request.function)
        if not callable(function):
            return Raised("NameError", f"your file has no function {request.function}")
        try:
            args = [decode_value(value, self.module) for value in request.args]
            kwargs = {key: decode_value(value, self.module) for key, value in request.kwargs.items()}
        except Exception as error:
            return Raised(_type_name(error), f"the tutor's arguments could not be read: {_first_line(error)}")
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _arm(request.seconds)
                try:
                    value = function(*args, **kwargs)
                finally:
                    _disarm()
            _arm(request.seconds)  # what it returned may be large: encoding it is timed too
            try:
                plain = encode_value(value)
            finally:
                _disarm()
        except TimeLimit as error:
            return TimedOut(*_deepest(error, self.path))
        except SystemExit:
            return Exited()
        except BaseException as error:  # KeyboardInterrupt raised by the learner's code too
            return Raised(_type_name(error), _first_line(error), *_deepest(error, self.path))
        finally:
            _flush()
        said = [
            Warned(_type_name_of(w.category), _cut(str(w.message)), w.lineno if w.filename == self.path else 0)
            for w in caught[:MAX_WARNINGS]
        ]
        return Returned(plain, said)

    def answer(self, request: Request) -> Reply:
        if isinstance(request, Prepare):
            return self.prepare(request)
        if isinstance(request, Load):
            return self.load(request)
        return self.call(request)


def _flush() -> None:
    """What the learner's code printed goes out now (this process may be ended at any time)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _type_name_of(category: type) -> str:
    return category.__name__ if isinstance(category, type) else "UserWarning"


def main(argv: list[str]) -> int:
    sys.path[:] = [entry for entry in json.loads(argv[1]) if os.path.exists(entry)] if len(argv) > 1 else sys.path
    sys.dont_write_bytecode = True
    # The requests and answers keep descriptors of their own; 0 becomes /dev/null and 1 the
    # output stream (2), so that nothing the learner's code prints can mix with an answer.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    signal.signal(signal.SIGALRM, _alarm)
    decoder = msgspec.msgpack.Decoder(Request)
    harness = Harness()
    while True:
        frame = read_frame(requests)
        if frame is None:
            return 0
        write_frame(answers, harness.answer(decoder.decode(frame)))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
