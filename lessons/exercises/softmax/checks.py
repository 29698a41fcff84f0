"""Checks for lesson 2.5: softmax(a) and cross_entropy(y, t)."""

import numpy as np

from tutor.exercises.checking import check
from tutor.exercises.typical_checks import expect_close_naming_mistakes, expect_no_overflow, nudge_if_raised
from tutor.i18n import N_, _

KEEPDIMS = N_("keep each row's total as a column (keepdims=True), so that it divides its own row")
MAX_TRICK = N_(
    "e^1010 overflows to inf, and inf / inf is nan: subtract the largest logit first "
    "(the lesson's max trick), so that no exponent is above 0"
)
ROW_MAX = N_(
    "subtract each row's OWN largest logit (np.max with axis=-1, keepdims=True): the largest of the "
    "whole batch pushes a row of small logits so far down that all its exponentials round to 0"
)


def exponentials_only(a):
    a = np.asarray(a, dtype=float)
    return np.exp(a - np.max(a, axis=-1, keepdims=True))


def divided_by_logit_sum(a):
    a = np.asarray(a, dtype=float)
    return np.exp(a) / np.sum(a, axis=-1, keepdims=True)


def whole_batch_sum(a):
    e = np.exp(np.asarray(a, dtype=float))
    return e / np.sum(e)


def column_sums(a):
    e = np.exp(np.asarray(a, dtype=float))
    return e / np.sum(e, axis=0)


SOFTMAX_MISTAKES = [
    (exponentials_only, N_("the e^a are not divided by their total: probabilities must add up to 1")),
    (divided_by_logit_sum, N_("divide by the sum of the e^a, not of the logits themselves")),
    (whole_batch_sum, N_("each ROW must add up to 1: sum along each row (axis=-1), not over the whole array")),
    (column_sums, N_("axis=0 adds down the columns; the samples are rows: sum along axis=-1, keepdims=True")),
]


@check("softmax of the lesson's logits 0.3, 2.9, 4.0")
def softmax_of_three(mine, ref, rng):
    with nudge_if_raised(N_("use np.exp and np.sum, which work on whole arrays")):
        expect_close_naming_mistakes(
            mine.softmax,
            ref.softmax,
            dict(a=np.array([0.3, 2.9, 4.0])),
            SOFTMAX_MISTAKES,
            nudge=_("softmax(a)_k = e^(a_k) / (e^(a_1) + ... + e^(a_n))"),
        )


@check("softmax of a batch: each row becomes probabilities that add up to 1")
def softmax_of_a_batch(mine, ref, rng):
    with nudge_if_raised(KEEPDIMS):
        expect_close_naming_mistakes(
            mine.softmax,
            ref.softmax,
            dict(a=rng.normal(0.0, 3.0, size=(4, 3))),
            SOFTMAX_MISTAKES,
            nudge=_("work row by row: one sample per row"),
        )


@check("softmax of 1010, 1000, 990 does not overflow")
def softmax_of_large_logits(mine, ref, rng):
    expect_no_overflow(mine.softmax, ref.softmax, dict(a=np.array([1010.0, 1000.0, 990.0])), nudge=MAX_TRICK)


@check("softmax of a batch whose rows are far apart (1000 and -1000)")
def softmax_of_rows_far_apart(mine, ref, rng):
    logits = np.array([[1000.0, 990.0, 980.0], [-1000.0, -990.0, -1010.0]])
    with nudge_if_raised(KEEPDIMS):
        expect_no_overflow(mine.softmax, ref.softmax, dict(a=logits), nudge=ROW_MAX)


def minus_missing(y, t):
    y = np.atleast_2d(y)
    return float(np.mean(np.log(y[np.arange(len(y)), np.atleast_1d(t)])))


def summed(y, t):
    y = np.atleast_2d(y)
    return float(-np.sum(np.log(y[np.arange(len(y)), np.atleast_1d(t)])))


def whole_columns(y, t):
    y = np.atleast_2d(y)
    return float(-np.mean(np.log(y[:, np.atleast_1d(t)])))


def base_ten(y, t):
    y = np.atleast_2d(y)
    return float(-np.mean(np.log10(y[np.arange(len(y)), np.atleast_1d(t)])))


ENTROPY_MISTAKES = [
    (minus_missing, N_("the loss is MINUS the log: the log of a probability is negative, a loss is not")),
    (summed, N_("that is the sum over the rows: the loss is their mean")),
    (whole_columns, N_("y[:, t] picks whole columns; pick each row's own class with y[np.arange(len(y)), t]")),
    (base_ten, N_("use the natural log, np.log (np.log10 is base 10)")),
]
LOOSE = 1e-4  # a tiny epsilon inside the log (1e-7, as many libraries add) is fine


@check("cross_entropy of one sample: y = [0.1, 0.6, 0.3], true class 1")
def cross_entropy_of_one(mine, ref, rng):
    expect_close_naming_mistakes(
        mine.cross_entropy,
        ref.cross_entropy,
        dict(y=np.array([0.1, 0.6, 0.3]), t=1),
        ENTROPY_MISTAKES,
        nudge=_("the loss is -log of the probability of the true class"),
        rtol=LOOSE,
    )


@check("cross_entropy of a batch: the mean over the rows, each with its own true class")
def cross_entropy_of_a_batch(mine, ref, rng):
    y = ref.softmax(rng.normal(0.0, 1.0, size=(5, 4)))
    t = rng.integers(0, 4, size=5)
    with nudge_if_raised(N_("y[np.arange(len(y)), t] picks one probability from each row")):
        expect_close_naming_mistakes(
            mine.cross_entropy,
            ref.cross_entropy,
            dict(y=y, t=t),
            ENTROPY_MISTAKES,
            nudge=_("average -log(y[row, t[row]]) over the rows"),
            rtol=LOOSE,
        )
