"""Checks for lesson 2.2: sigmoid(z) and gradients(w, b, x, y)."""

import numpy as np

from tutor.exercises.checking import call_learner, check, gradient_check
from tutor.exercises.typical_checks import expect_close_naming_mistakes, expect_no_overflow, nudge_if_raised
from tutor.i18n import N_, _

ON_ARRAYS = N_("use np.exp, which works on whole arrays (math.exp takes one number)")
SIGN_FLIPPED = N_("the exponent is -z: sigmoid(z) = 1 / (1 + e^-z) rises with z")


def sigmoid_sign_flipped(z):
    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))


@check("sigmoid(0) is 0.5, and sigmoid works item by item on an array")
def sigmoid_of_a_few(mine, ref, rng):
    with nudge_if_raised(ON_ARRAYS):
        expect_close_naming_mistakes(
            mine.sigmoid,
            ref.sigmoid,
            dict(z=np.array([-2.0, -0.5, 0.0, 0.5, 2.0])),
            [(sigmoid_sign_flipped, SIGN_FLIPPED)],
            nudge=_("sigmoid(z) = 1 / (1 + e^-z), with np.exp so that it works on arrays"),
        )


@check("sigmoid keeps the shape of a 2-D array")
def sigmoid_of_a_table(mine, ref, rng):
    with nudge_if_raised(ON_ARRAYS):
        expect_close_naming_mistakes(
            mine.sigmoid,
            ref.sigmoid,
            dict(z=rng.normal(0.0, 4.0, size=(3, 4))),
            [(sigmoid_sign_flipped, SIGN_FLIPPED)],
            nudge=_("work item by item (np.exp does), without flattening or summing"),
        )


@check("sigmoid does not overflow for z from -1000 to 1000")
def sigmoid_of_extremes(mine, ref, rng):
    with nudge_if_raised(ON_ARRAYS):
        expect_no_overflow(
            mine.sigmoid,
            ref.sigmoid,
            dict(z=np.array([-1000.0, -710.0, -30.0, 30.0, 710.0, 1000.0])),
            nudge=_(
                "e^1000 does not fit in a float. For z < 0 use the equal form e^z / (1 + e^z), whose "
                "exponent is negative, and note that np.where computes BOTH of its branches for every item"
            ),
        )


def gradient_pieces(ref, w, b, x, y):
    a = float(ref.sigmoid(w * x + b))
    return a, -2.0 * (y - a), a * (1.0 - a)


def gradient_mistakes(ref):
    """What the classic mistakes give, from the same (w, b, x, y)."""

    def sign_flipped(w, b, x, y):
        a, de_da, da_dz = gradient_pieces(ref, w, b, x, y)
        return -de_da * da_dz * x, -de_da * da_dz

    def no_sigmoid_slope(w, b, x, y):
        a, de_da, da_dz = gradient_pieces(ref, w, b, x, y)
        return de_da * x, de_da

    def no_x(w, b, x, y):
        a, de_da, da_dz = gradient_pieces(ref, w, b, x, y)
        return de_da * da_dz, de_da * da_dz

    def no_two(w, b, x, y):
        a, de_da, da_dz = gradient_pieces(ref, w, b, x, y)
        return de_da * da_dz * x / 2.0, de_da * da_dz / 2.0

    def swapped(w, b, x, y):
        a, de_da, da_dz = gradient_pieces(ref, w, b, x, y)
        return de_da * da_dz, de_da * da_dz * x

    return [
        (
            sign_flipped,
            N_("both signs are flipped: de/da = -2 (y - a), with the minus (the error falls as a nears y)"),
        ),
        (no_sigmoid_slope, N_("the chain misses the sigmoid's own slope da/dz = a (1 - a)")),
        (no_x, N_("de/dw needs the last link dz/dw = x")),
        (no_two, N_("both are half the right size: the derivative of (y - a)^2 brings down a 2")),
        (swapped, N_("the pair is the wrong way round: return (de/dw, de/db)")),
    ]


@check("gradients of one bean, link by link")
def gradients_of_one_bean(mine, ref, rng):
    expect_close_naming_mistakes(
        mine.gradients,
        ref.gradients,
        dict(w=1.7, b=-0.4, x=0.63, y=1.0),
        gradient_mistakes(ref),
        nudge=_(
            "de/dw = de/da * da/dz * dz/dw and de/db = de/da * da/dz * dz/db, with the links of the lesson's table"
        ),
    )


@check("gradients of harmless and toxic beans, at many weights")
def gradients_of_many_beans(mine, ref, rng):
    for _round in range(20):
        kwargs = dict(
            w=float(rng.normal(0.0, 3.0)),
            b=float(rng.normal(0.0, 2.0)),
            x=float(rng.uniform(0.0, 1.0)),
            y=float(rng.integers(0, 2)),
        )
        expect_close_naming_mistakes(
            mine.gradients,
            ref.gradients,
            kwargs,
            gradient_mistakes(ref),
            nudge=_("check each link of the chain against the lesson's table"),
        )


def compare_with_finite_differences(mine, ref, start, x, y):
    call_learner(mine.gradients, dict(w=float(start[0]), b=float(start[1]), x=x, y=y))  # raises: said plainly

    def error(wb):
        return (y - float(ref.sigmoid(wb[0] * x + wb[1]))) ** 2

    def written(wb):
        return np.asarray(mine.gradients(float(wb[0]), float(wb[1]), x, y), dtype=float)

    gradient_check(
        error,
        start,
        written,
        what=_("(dw, db) of {call}").format(call=f"gradients(w={start[0]:.6g}, b={start[1]:.6g}, x={x:.6g}, y={y:g})"),
        nudge=_(
            "nudge w (or b) by a tiny step and see how e = (y - sigmoid(w x + b))^2 changes: "
            "your slopes should predict it"
        ),
    )


@check("gradients agree with finite differences of the error")
def gradients_by_finite_differences(mine, ref, rng):
    for _round in range(5):
        x, y = float(rng.uniform(0.0, 1.0)), float(rng.integers(0, 2))
        compare_with_finite_differences(mine, ref, rng.normal(0.0, 2.0, size=2), x, y)
