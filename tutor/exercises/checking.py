"""What an exercise's ``checks.py`` is written with.

A check is a function ``(mine, ref, rng)`` marked with ``@check("what it checks")``:
``mine`` holds the learner's functions, ``ref`` the tutor's own (the lesson's routine
module), ``rng`` a generator seeded for that check (the same inputs every time). The
checks run in the tutor's process; ``mine.f(...)`` sends the arguments to the learner's
process and returns what ``f`` returned there (plain numbers, arrays, lists, dicts), or
raises :class:`LearnerRaised` for what ``f`` raised. It
passes by returning and fails by raising :class:`Mismatch` with a message a beginner
can act on. The helpers build such messages::

    @check("one bean moves w by lr * error * x")
    def one_update(mine, ref, rng):
        expect_close(mine.learn_from_bean, ref.learn_from_bean, dict(w=0.5, x=0.2, y=0.3, lr=0.1),
                     nudge="did you multiply the error by x?")

gives "`learn_from_bean(w=0.5, x=0.2, y=0.3, lr=0.1)` returned 0.5 - expected 0.504: did
you multiply the error by x?". A learner's function that raises is reported as
"`name(args)` raised ZeroDivisionError: ... (your file, line N)"; a check never shows a
bare assertion or a traceback of the tutor's code.
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from tutor.formatting import format_number
from tutor.i18n import N_, _

NOT_WRITTEN = N_("is not written yet")  # a starter's body still raises NotImplementedError

CHECK_TITLE = "__tutor_check__"  # the attribute @check puts on a check function
SHOWN_ITEMS = 6  # arrays up to this size are shown in full in a message
MESSAGE_DIGITS = 6  # significant digits of a number in a message: two values that differ read apart

# The files whose frames are "your file" in a report; the worker sets it to the learner's file.
learner_files: set[str] = set()


class Mismatch(Exception):
    """A check failed; ``str()`` is the message shown to the learner."""


class FunctionRaised(Mismatch):
    """A check failed because the learner's function raised (a nudge may say why: ``nudge_if_raised``)."""


class LearnerRaised(Exception):
    """The learner's function raised, in the learner's own process: what it raised and where."""

    def __init__(self, type_name: str, message: str, function: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.type_name, self.message, self.function, self.line = type_name, message, function, line


class Foreign:
    """What came back from the learner's process that is not plain data: only what it was."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return self.description


def check(title: str) -> Callable[[Callable], Callable]:
    """Mark a function of checks.py as a check; checks run in the order they are written.

    ``title`` is written in English (it seeds the check's generator, so the inputs are the same in
    every language); Babel extracts it (``check`` is one of its keywords) and the judge shows it
    translated.
    """

    def mark(function: Callable) -> Callable:
        setattr(function, CHECK_TITLE, title)
        return function

    return mark


def translated(text: str) -> str:
    """``text`` in the learner's language: a nudge a checks module marked with ``N_`` (a constant, defined
    at import time) is translated where it is shown; one already translated comes back as it is."""
    return _(text) if text else ""  # _("") would be the catalogue's header


def checks_of(namespace: Mapping[str, Any]) -> list[Callable]:
    """The @check functions of a checks module's namespace, in the order they were defined."""
    return [value for value in namespace.values() if callable(value) and hasattr(value, CHECK_TITLE)]


# ---------------------------------------------------------------- showing values


def shown(value: Any) -> str:
    """A value as a message shows it: numbers to 6 significant digits, small arrays in full."""
    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _number(float(value))
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return shown(value.item())
        if value.size > SHOWN_ITEMS:
            return _("an array of shape {shape}").format(shape=value.shape)
        return np.array2string(value, separator=", ", formatter={"float_kind": _number})  # type: ignore[arg-type]
    if isinstance(value, tuple | list):
        inner = ", ".join(shown(item) for item in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _number(value: float) -> str:
    return format_number(value, MESSAGE_DIGITS)


def call_text(name: str, kwargs: Mapping[str, Any]) -> str:
    """How a call reads in a message: ``learn_from_bean(w=0.5, x=0.2, y=0.3, lr=0.1)``."""
    return f"{name}({', '.join(f'{key}={shown(value)}' for key, value in kwargs.items())})"


def _kind(value: Any) -> str:
    """What sort of value this is, in words: 'one number', 'an array of shape (3,)', 'a str'."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return _("an array of shape {shape}").format(shape=value.shape)
    if _is_number(value):
        return _("one number")
    if isinstance(value, tuple | list):
        return _("a {type} of {count} items").format(type=type(value).__name__, count=len(value))
    return "None" if value is None else _("a {type}").format(type=type(value).__name__)


def _is_number(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and np.issubdtype(value.dtype, np.number)
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


# ---------------------------------------------------------------- calling the learner's code


def where_in_learner_file(error: BaseException) -> tuple[str, int] | None:
    """(function name, line) of the deepest frame of the learner's file in ``error``'s traceback."""
    if isinstance(error, LearnerRaised):
        return (error.function, error.line) if error.line else None
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename in learner_files:
            found = (frame.name, frame.lineno or 0)
    return found


def _your_line(error: BaseException) -> str:
    where = where_in_learner_file(error)
    return _(" (your file, line {line})").format(line=where[1]) if where else ""


def _at_your_line(error: BaseException) -> str:
    where = where_in_learner_file(error)
    return _(" at line {line} of your file").format(line=where[1]) if where else ""


def raised_text(error: BaseException) -> str:
    """``ZeroDivisionError: division by zero``: what was raised, in one line."""
    name = error.type_name if isinstance(error, LearnerRaised) else type(error).__name__
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{name}{': ' if message else ''}{message}"


def foreign_in(value: Any, depth: int = 0) -> Foreign | None:
    """The first value in ``value`` (a list, tuple or dict of values) that is not plain data."""
    if isinstance(value, Foreign):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
    for item in items:
        found = foreign_in(item, depth + 1) if depth < 30 else None
        if found is not None:
            return found
    return None


def call_learner(
    function: Callable, kwargs: Mapping[str, Any], text: str | None = None, expected: str = N_("a number or an array")
) -> Any:
    """Call the learner's ``function`` with copies of ``kwargs``; an exception becomes a Mismatch.

    So does a value the checks cannot read (an object of the learner's own): "returned a Foo,
    not ``expected``".
    """
    text = text or call_text(getattr(function, "__name__", "function"), kwargs)
    try:
        got = function(**copy.deepcopy(dict(kwargs)))
    except Exception as error:  # the learner's bug, reported as one line (the time limit is not an Exception)
        name = error.type_name if isinstance(error, LearnerRaised) else type(error).__name__
        if name == "NotImplementedError":  # the starter's body: said once, short
            called = text.partition("(")[0]
            unwritten = _("`{call}` {not_written} (it raises NotImplementedError{where})")
            raise Mismatch(
                unwritten.format(call=called, not_written=_(NOT_WRITTEN), where=_at_your_line(error))
            ) from None
        raised = _("`{call}` raised {error}{where}")
        raise FunctionRaised(raised.format(call=text, error=raised_text(error), where=_your_line(error))) from None
    foreign = foreign_in(got)
    if foreign is not None:
        not_plain = _("`{call}` returned {what}, not {expected}")
        raise Mismatch(not_plain.format(call=text, what=foreign.description, expected=_(expected)))
    return got


def _differs(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """Why ``got`` is not ``expected`` (type, shape, value), or None when they match."""
    if isinstance(expected, tuple | list) and not isinstance(expected, np.ndarray):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return _("returned {got} - expected a pair of {count} items {expected}").format(
                got=_kind(got), count=len(expected), expected=shown(expected)
            )
        for index, (mine, theirs) in enumerate(zip(got, expected)):
            if _differs(mine, theirs, rtol, atol):
                return _("returned {got} - expected {expected} (item {number} differs)").format(
                    got=shown(got), expected=shown(expected), number=index + 1
                )
        return None
    expected_array = np.asarray(expected, dtype=float)
    if isinstance(got, Foreign):
        return _("returned {got}, not a number or an array").format(got=got.description)
    if got is None:
        return _("returned None - expected {expected} (is a `return` missing?)").format(expected=shown(expected))
    not_numbers = _("returned {got} ({kind}) - expected {expected}")
    if isinstance(got, bool | np.bool_) or not (_is_number(got) or isinstance(got, np.ndarray)):
        return not_numbers.format(got=shown(got), kind=_kind(got), expected=shown(expected))
    got_array = np.asarray(got)
    if not np.issubdtype(got_array.dtype, np.number):
        return not_numbers.format(got=shown(got), kind=_kind(got), expected=shown(expected))
    if got_array.shape != expected_array.shape:
        if expected_array.ndim == 0:
            return _("returned {got} - expected one number, {expected}").format(
                got=_kind(got), expected=shown(expected)
            )
        if got_array.ndim == 0:
            return _("returned one number, {got} - expected {expected} (one value per input)").format(
                got=shown(got), expected=_kind(expected)
            )
        return _("returned an array of shape {got} - expected shape {expected}").format(
            got=got_array.shape, expected=expected_array.shape
        )
    got_array = got_array.astype(float)
    if np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if got_array.size > SHOWN_ITEMS:  # say where, since the whole array is not shown
        bad = np.argwhere(~np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True))[0]
        at = tuple(int(i) for i in bad)
        at_text = at[0] if len(at) == 1 else at
        return _("returned {got} at index {index} - expected {expected} there").format(
            got=shown(got_array[at]), index=at_text, expected=shown(expected_array[at])
        )
    got_text, expected_text = shown(got), shown(expected)
    if got_text == expected_text:  # close at 6 digits, not within the tolerance: show them all
        got_text, expected_text = repr(got_array.tolist()), repr(expected_array.tolist())
    return _("returned {got} - expected {expected}").format(got=got_text, expected=expected_text)


def expect_close(
    mine_fn: Callable,
    ref_fn: Callable,
    kwargs: Mapping[str, Any],
    nudge: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Any:
    """Call both with ``kwargs`` and raise Mismatch unless the learner's result matches; returns it.

    Type and shape count: one number where an array is expected (or the reverse), a (3, 1)
    array for a (3,) one, or a pair of the wrong length each get a message of their own.
    ``nudge`` is shown in the learner's language (:func:`translated`): ``_("...")`` or an ``N_`` constant.
    """
    nudge = translated(nudge)
    expected = ref_fn(**copy.deepcopy(dict(kwargs)))
    name = str(getattr(ref_fn, "__name__", None) or getattr(mine_fn, "__name__", "function"))
    text = call_text(name, kwargs)
    got = call_learner(mine_fn, kwargs, text)
    why = _differs(got, expected, rtol, atol)
    if why:
        # A sign error gets one diagnosis, not a check's nudge about something else.
        if not any(word in nudge.lower() for word in ("sign", "minus", "符号", "负号")):
            nudge = _sign_nudge(got, expected, rtol, atol) or nudge
        tail = _(": ") + nudge if nudge else ""
        raise Mismatch(f"`{text}` {why}{tail}")
    return got


def _sign_nudge(got: Any, expected: Any, rtol: float, atol: float) -> str:
    """The nudge for a result that is the answer with the opposite sign ('' for any other)."""
    if _is_negated(got, expected, rtol, atol):
        return _("the sign is the opposite of the answer's - is a minus missing, or one too many?")
    return ""


def _is_negated(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    """``got`` is ``-expected`` (numbers or arrays, not all zero): a sign error."""
    try:
        got_array, expected_array = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        if got_array.shape != expected_array.shape or not np.any(np.abs(expected_array) > atol):
            return False
        return bool(np.allclose(-got_array, expected_array, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def expect(condition: bool, message: str) -> None:
    """Raise Mismatch(message) unless ``condition``: for checks the helpers do not cover."""
    if not condition:
        raise Mismatch(message)


def gradient_check(
    f: Callable[[Any], Any],
    x: Any,
    dfdx: Callable[[Any], Any],
    *,
    what: str = N_("the derivative"),
    nudge: str = "",
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> None:
    """Compare a written derivative ``dfdx(x)`` with central finite differences of ``f`` at ``x``.

    ``f`` may be elementwise (``f(x)`` has ``x``'s shape: each derivative is that of its own
    item) or scalar-valued (the gradient: one partial derivative per item of ``x``).
    Raises Mismatch naming ``what`` (e.g. "dw of gradients(w=0.5, b=0.1, ...)").
    """
    what = translated(what)
    x = np.asarray(x, dtype=float)
    try:
        written = dfdx(x.item() if x.ndim == 0 else x.copy())
    except Mismatch:
        raise
    except Exception as error:
        raised = _("{what} raised {error}{where}")
        raise FunctionRaised(raised.format(what=what, error=raised_text(error), where=_your_line(error))) from None
    value = np.asarray(f(x.item() if x.ndim == 0 else x.copy()), dtype=float)
    if value.shape == x.shape:  # elementwise (or one number of one number)
        measured = (np.asarray(f(x + eps), dtype=float) - np.asarray(f(x - eps), dtype=float)) / (2 * eps)
    else:
        measured = np.empty_like(x)
        for index in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[index] = eps
            measured[index] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    why = _differs(written, measured.item() if measured.ndim == 0 else measured, rtol, atol)
    if why:
        # The comparison's words, said of a derivative: every "returned ... - expected ..." message (and its
        # translation) starts with the first and has the second once.
        why = why.replace(_("returned"), _("is"), 1).replace(_("- expected"), _("- finite differences say"), 1)
        nudge = _sign_nudge(written, measured, rtol, atol) or translated(nudge)
        tail = _(": ") + nudge if nudge else ""
        raise Mismatch(f"{what} {why}{tail}")
