"""2.5 Softmax turns scores into probabilities; cross-entropy scores them.

    softmax(a)_k = e^(a_k) / sum_i e^(a_i)

e^1010 does not fit in a float (it overflows to inf, and inf / inf is nan).
Subtracting max(a) first changes nothing mathematically - the common factor
e^-max cancels - but keeps every exponent <= 0, so nothing overflows.
"""

from __future__ import annotations

import re

import numpy as np

from tutor.i18n import _
from tutor.reporting import TutorError
from tutor.routine_types import Params, Reporter

OVERFLOW_EXAMPLE = (1010.0, 1000.0, 990.0)
LOGIT_LIMIT = 1e6  # typed logits beyond this are refused (the loss stays a readable number)
EPSILON = 1e-7  # keeps log() finite when a probability rounds to 0


def softmax_naive(a: np.ndarray) -> np.ndarray:
    """The formula as written: overflows for large logits."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a)
        return e / np.sum(e, axis=-1, keepdims=True)


def softmax(a: np.ndarray) -> np.ndarray:
    """The stable version: shift by the largest logit (per row for a batch)."""
    a = np.asarray(a, dtype=float)
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy(y: np.ndarray, t: np.ndarray) -> float:
    """-sum t_k log y_k, averaged over a batch; t is one-hot or class indices."""
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.size == y.shape[0]:  # labels as class indices: pick each row's true class
        picked = y[np.arange(y.shape[0]), t.ravel().astype(int)]
    else:
        picked = np.sum(np.atleast_2d(t) * y, axis=1)
    return float(-np.mean(np.log(picked + EPSILON)))


def cross_entropy_of_logits(a: np.ndarray, label: int) -> float:
    """-log(softmax(a)[label]) without forming the probability: log(sum e^(a - max)) - (a_label - max).

    No epsilon is needed: it stays exact (and finite) where the probability
    itself rounds to 0.
    """
    a = np.asarray(a, dtype=float)
    shifted = a - a.max()
    return float(np.log(np.sum(np.exp(shifted))) - shifted[label])


def probability_text(p: float, loss: float) -> str:
    """p as the table shows it; as e^-loss where a float rounds it to (or near) 0."""
    return f"{p:.6g}" if p >= 1e-300 else f"e^-{loss:.6g}"


def parse_logits(text: str) -> np.ndarray:
    """'0.3, 2.9, 4.0' (commas and/or spaces) -> array; a TutorError says what is wrong."""
    parts = [part for part in re.split(r"[,\s;]+", str(text).strip().strip("[]()")) if part]
    if len(parts) < 2:
        raise TutorError(_("logits: type at least two numbers separated by commas, e.g. 0.3, 2.9, 4.0 "
                           "(got {text!r})").format(text=text))
    if len(parts) > 20:
        raise TutorError(_("logits: at most 20 numbers fit the bars (got {count})").format(count=len(parts)))
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise TutorError(_("logits: {part!r} is not a number; type numbers separated by commas, "
                               "e.g. 0.3, 2.9, 4.0").format(part=part)) from None
        if not np.isfinite(value):
            raise TutorError(_("logits: {part!r} is not a finite number").format(part=part))
        if abs(value) > LOGIT_LIMIT:  # no network scores like that; the loss could reach 2e100
            raise TutorError(_("logits: {part} is too large; keep logits within +-{limit:g}").format(
                part=part, limit=LOGIT_LIMIT))
        values.append(value)
    return np.array(values)


def run(params: Params, reporter: Reporter) -> dict:
    a = parse_logits(params.logits)
    if not 0 <= params.label < len(a):
        raise TutorError(_("label: the true class must be between 0 and {last} for {count} logits (got {label})")
                         .format(last=len(a) - 1, count=len(a), label=params.label))
    y = softmax(a)
    naive = softmax_naive(a)
    naive_finite = bool(np.all(np.isfinite(naive)))
    t = np.eye(len(a))[params.label]  # one-hot
    loss = cross_entropy_of_logits(a, params.label)
    # the same loss from the probabilities, as most code computes it: capped near -log(EPSILON) = 16.1
    loss_from_y = cross_entropy(y, params.label)

    with np.errstate(over="ignore"):
        exp_naive = np.exp(a)
    exp_shifted = np.exp(a - a.max())
    classes = [_("class {k}").format(k=k) for k in range(len(a))]
    reporter.view("bars", labels=classes, values=y, ylim=(0.0, 1.0),
                  title=f"softmax({', '.join(f'{v:g}' for v in a)})", ylabel=_("probability"))
    reporter.view(
        "table",
        title=_("sum = {total:.6f}   cross-entropy for true class {label} = -log({p}) = {loss:.4g}").format(
            total=y.sum(), label=params.label, p=probability_text(y[params.label], loss), loss=loss),
        # computed from the logits, -log p = log(sum e^(a - max)) - (a_true - max): no epsilon, so the
        # number shown is -log of the probability shown, even where p rounds to 0
        columns=[_("class"), "logit a", _("stable p"), _("naive p"), _("t (one-hot)"), "e^(a - max)", _("e^a (naive)")],
        rows=[[classes[k], a[k], y[k], naive[k], int(t[k]), exp_shifted[k], exp_naive[k]]
              for k in range(len(a))],
    )
    big = np.array(OVERFLOW_EXAMPLE)
    with np.errstate(over="ignore"):
        big_exp = np.exp(big)
    reporter.view("matrix", matrices=[
        {"title": _("the overflow example a = [1010, 1000, 990]"),
         "values": np.vstack([big_exp, softmax_naive(big), np.exp(big - big.max()), softmax(big)]),
         "rows": ["e^a", _("naive p"), "e^(a - 1010)", _("stable p")],
         "cols": ["a1", "a2", "a3"]},
    ])
    reporter.progress(1, 1, cross_entropy=loss)
    return {
        "probabilities": y.tolist(),
        "total": float(y.sum()),
        "true_probability": float(y[params.label]),
        "cross_entropy": loss,
        "loss_from_y": loss_from_y,
        "naive_finite": naive_finite,
        # how far the naive result is from the stable one (only meaningful when it is finite)
        "naive_difference": float(np.max(np.abs(naive - y))) if naive_finite else -1.0,
    }
