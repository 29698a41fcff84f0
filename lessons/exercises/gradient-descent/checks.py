"""Checks of slope: the sign, the factor 2, the chain rule's x, elementwise arrays, finite differences."""

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, call_text, check, expect_close, gradient_check
from tutor.i18n import _


@check("right of the bottom the slope is positive (uphill)")
def sign(mine, ref, rng):
    kwargs = dict(w=2.0, x=1.0, y=1.0)  # this bean's cost is lowest at w = y / x = 1
    got = call_learner(mine.slope, kwargs)
    if np.ndim(got) == 0 and isinstance(got, (int, float, np.number)) and not got > 0:
        downhill = _(
            "`{call}` returned {got:.6g} - expected a positive slope: at w = 2 the cost rises as w grows. "
            "Check the sign: d/dw of -2 x y w is -2 x y, and of x^2 w^2 is +2 x^2 w"
        )
        raise Mismatch(downhill.format(call=call_text("slope", kwargs), got=float(got)))


@check("the square brings down a factor 2")
def factor_two(mine, ref, rng):
    expect_close(
        mine.slope,
        ref.slope,
        dict(w=2.0, x=1.0, y=1.0),
        nudge=_("the derivative of u^2 is 2 u u' - did you leave out the 2?"),
    )


@check("the chain rule: the inside (y - w x) has slope -x")
def chain_rule(mine, ref, rng):
    expect_close(
        mine.slope,
        ref.slope,
        dict(w=1.0, x=0.5, y=0.2),
        nudge=_("d/dw (y - w x)^2 = 2 (y - w x) * (-x) = 2 x^2 w - 2 x y - is each term multiplied by x?"),
    )


@check("elementwise: one slope per bean for arrays")
def elementwise(mine, ref, rng):
    x = np.array([0.1, 0.4, 0.7, 0.9])
    y = np.array([0.2, 0.5, 0.8, 1.2])
    expect_close(
        mine.slope,
        ref.slope,
        dict(w=0.5, x=x, y=y),
        nudge=_("no np.mean or np.sum here: write it with * and -, and NumPy works on every bean at once"),
    )


@check("many random beans and w")
def random_beans(mine, ref, rng):
    for _round in range(30):
        kwargs = dict(w=float(rng.uniform(-3, 3)), x=float(rng.uniform(0, 1)), y=float(rng.uniform(-1, 2)))
        expect_close(mine.slope, ref.slope, kwargs, nudge=_("2 x^2 w - 2 x y for every bean"))
    x, y = rng.uniform(0, 1, 50), rng.uniform(-1, 2, 50)
    expect_close(mine.slope, ref.slope, dict(w=1.3, x=x, y=y), nudge=_("2 x^2 w - 2 x y for every bean"))


@check("finite differences: slope is the cost's rate of change")
def finite_differences(mine, ref, rng):
    for _round in range(5):
        x, y, w = float(rng.uniform(0.1, 1)), float(rng.uniform(-1, 2)), float(rng.uniform(-2, 2))
        gradient_check(
            lambda v, x=x, y=y: (y - v * x) ** 2,
            w,
            lambda v, x=x, y=y: mine.slope(v, x, y),
            what=f"`slope(w={w:.4g}, x={x:.4g}, y={y:.4g})`",
            nudge=_("(cost(w + h) - cost(w - h)) / 2h is what a slope means"),
        )
