"""Checks for the typical mistakes, built on :mod:`tutor.exercises.checking`.

- :func:`expect_close_naming_mistakes`: like ``expect_close``, but when the learner's answer
  equals what a known mistake gives (a flipped sign, a missing factor, the wrong axis) the
  message names that mistake.
- :func:`expect_no_overflow`: the right numbers with no NumPy warning on the way (``e^1000``
  overflows to inf silently in a result that may still look right).
- :func:`nudge_if_raised`: a nudge added when the learner's function raised (``math.exp``
  given an array, a broadcasting error for want of ``keepdims=True``).
- :func:`expect_same_model`: a Keras model built by the learner has the reference's layers:
  kinds, output shapes, parameter counts, activations.

The nudges given to them (a mistake's, a model's, one for a raise) are shown in the learner's
language: a checks module marks its constants with ``N_`` and these helpers translate them.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tutor.exercises.checking import FunctionRaised, Mismatch, call_learner, call_text, expect_close, translated
from tutor.i18n import _

SEQUENTIAL = "keras.Sequential([...])"
# (a function computing what the mistake gives, from the same arguments; the nudge naming it)
Mistake = tuple[Callable[..., Any], str]


def _name_of(ref_fn: Callable, mine_fn: Callable) -> str:
    """The function's name as the messages show it (the reference's, else the learner's)."""
    return str(getattr(ref_fn, "__name__", "") or getattr(mine_fn, "__name__", "function"))


def _same(got: Any, wrong: Any, rtol: float, atol: float) -> bool:
    if isinstance(wrong, tuple | list):  # a pair (W, b) of different shapes: item by item
        return (
            isinstance(got, tuple | list)
            and len(got) == len(wrong)
            and all(_same(mine, theirs, rtol, atol) for mine, theirs in zip(got, wrong))
        )
    try:
        got_array, wrong_array = np.asarray(got, dtype=float), np.asarray(wrong, dtype=float)
    except (TypeError, ValueError):
        return False
    if got_array.shape != wrong_array.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got_array, wrong_array, rtol=rtol, atol=atol))


def expect_close_naming_mistakes(
    mine_fn: Callable,
    ref_fn: Callable,
    kwargs: Mapping[str, Any],
    mistakes: Sequence[Mistake],
    nudge: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    shown_as: str | None = None,
) -> Any:
    """``expect_close``, whose nudge is the first mistake the learner's answer matches (else ``nudge``).

    ``shown_as``: how the call reads in a message when its arguments are too many to show
    (e.g. "forward(x=[1, 0.5] and the lesson's weights)").
    """
    name = _name_of(ref_fn, mine_fn)
    text = call_text(name, kwargs)
    with _shown_as(text, shown_as):
        got = call_learner(mine_fn, kwargs, text)
    for wrong_fn, wrong_nudge in mistakes:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                wrong = wrong_fn(**copy.deepcopy(dict(kwargs)))
            except Exception:  # a mistake that cannot even be computed here is not the learner's
                continue
        if _same(got, wrong, rtol, atol):
            nudge = translated(wrong_nudge)
            break

    def answer(**_: Any) -> Any:  # the learner's function is called once
        return got

    answer.__name__ = name
    with _shown_as(text, shown_as):
        return expect_close(answer, ref_fn, kwargs, nudge=nudge, rtol=rtol, atol=atol)


@contextlib.contextmanager
def _shown_as(text: str, shown_as: str | None) -> Iterator[None]:
    """Messages about the call ``text`` name it ``shown_as`` instead."""
    try:
        yield
    except Mismatch as mismatch:
        message = str(mismatch)
        if shown_as is None or not message.startswith(f"`{text}`"):
            raise
        raise type(mismatch)(f"`{shown_as}`" + message[len(text) + 2 :]) from None


def expect_no_overflow(
    mine_fn: Callable, ref_fn: Callable, kwargs: Mapping[str, Any], nudge: str, rtol: float = 1e-6, atol: float = 1e-9
) -> Any:
    """The learner's answer matches, and computing it raised no NumPy warning (overflow, 0/0)."""
    name = _name_of(ref_fn, mine_fn)
    text = call_text(name, kwargs)
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        got = call_learner(mine_fn, kwargs, text)
    numpy_warnings = [w for w in caught if issubclass(w.category, RuntimeWarning)]

    def answer(**_: Any) -> Any:
        return got

    answer.__name__ = name
    expect_close(answer, ref_fn, kwargs, nudge=nudge, rtol=rtol, atol=atol)
    if numpy_warnings:
        said = str(numpy_warnings[0].message).splitlines()[0]
        warned = _('`{call}` gave the right numbers, but NumPy warned "{warning}" on the way: {nudge}')
        raise Mismatch(warned.format(call=text, warning=said, nudge=translated(nudge)))
    return got


@contextlib.contextmanager
def nudge_if_raised(nudge: str) -> Iterator[None]:
    """Add ``nudge`` to the message when the learner's function raised (e.g. math.exp given an array)."""
    try:
        yield
    except FunctionRaised as raised:
        message, nudge = str(raised), translated(nudge)
        tail = _(": ") + nudge
        if tail not in message:
            raise FunctionRaised(message + tail) from None
        raise


# ---------------------------------------------------------------- Keras models


def layer_facts(model: Any) -> list[dict[str, Any]]:
    """Each layer of a built Keras model: kind, output shape (without the batch), parameters, activation."""
    facts = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)[1:]
        except (AttributeError, ValueError):
            shape = None
        activation = getattr(layer, "activation", None)
        facts.append(
            {
                "kind": type(layer).__name__,
                "shape": shape,
                "parameters": int(layer.count_params()),
                "activation": getattr(activation, "__name__", None) if activation is not None else None,
            }
        )
    return facts


def layer_text(fact: Mapping[str, Any]) -> str:
    """``Dense -> (8,), 24 parameters, relu``."""
    parts = [f"{fact['kind']} -> {fact['shape']}", _("{count} parameters").format(count=fact["parameters"])]
    if fact["activation"]:
        parts.append(_("activation {name}").format(name=fact["activation"]))
    return _(", ").join(parts)


def build_learner_model(mine_fn: Callable, keras: Any, kwargs: Mapping[str, Any]) -> Any:
    """The learner's model, or a Mismatch saying why there is none."""
    text = call_text(getattr(mine_fn, "__name__", "function"), {"keras": _KerasName(), **kwargs})
    # keras is passed around call_learner's deep copy of the arguments (a module cannot be copied)
    a_model = _("a Keras model ({sequential})").format(sequential=SEQUENTIAL)
    model = call_learner(lambda **given: mine_fn(keras, **given), kwargs, text, expected=a_model)
    if model is None:
        raise Mismatch(_("`{call}` returned None - expected a model (is `return model` missing?)").format(call=text))
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        not_a_model = _("`{call}` returned a {type} - expected {model}")
        raise Mismatch(not_a_model.format(call=text, type=type(model).__name__, model=a_model))
    if not getattr(model, "built", True):
        no_input = _(
            "`{call}` returned a model that does not know the shape of its input yet: "
            "start the list of layers with keras.Input(shape)"
        )
        raise Mismatch(no_input.format(call=text))
    return model


class _KerasName:
    """Shows as ``keras`` in a call's text."""

    def __repr__(self) -> str:
        return "keras"


def expect_same_model(
    mine_fn: Callable,
    ref_fn: Callable,
    keras: Any,
    kwargs: Mapping[str, Any],
    nudges: Mapping[str, str] | None = None,
) -> None:
    """The learner's model has the reference's layers, one by one.

    ``nudges`` by what differs first: "count", "kind", "shape", "parameters", "activation".
    """
    nudges = nudges or {}
    text = call_text(getattr(ref_fn, "__name__", "function"), {"keras": _KerasName(), **kwargs})
    mine = layer_facts(build_learner_model(mine_fn, keras, kwargs))
    ref = layer_facts(ref_fn(keras, **copy.deepcopy(dict(kwargs))))

    def fail(what: str, detail: str) -> None:
        nudge = translated(nudges.get(what, ""))
        raise Mismatch(f"`{text}`{_(': ')}{detail}{_(': ') + nudge if nudge else ''}")

    if len(mine) != len(ref):
        count = _("the model has {got} layers ({got_layers}) - expected {expected} ({expected_layers})")
        fail(
            "count",
            count.format(
                got=len(mine), got_layers=short_list(mine), expected=len(ref), expected_layers=short_list(ref)
            ),
        )
    for index, (got, expected) in enumerate(zip(mine, ref), start=1):
        for what in ("kind", "activation", "shape", "parameters"):
            if got[what] != expected[what]:
                layer = _("layer {number} is {got} - expected {expected}")
                fail(what, layer.format(number=index, got=layer_text(got), expected=layer_text(expected)))


def short_list(facts: Sequence[Mapping[str, Any]]) -> str:
    """``Dense (8,) relu, Dense (1,) sigmoid``: a model's layers in one line."""
    return _(", ").join(
        f"{fact['kind']} {fact['shape']}" + (f" {fact['activation']}" if fact["activation"] else "") for fact in facts
    )
