"""Checks of cost: one number, squared errors, a mean (not a sum), then random beans."""

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, call_text, check, expect_close
from tutor.i18n import _


@check("all the beans give one number")
def one_number(mine, ref, rng):
    kwargs = dict(w=0.5, x=np.array([0.2, 0.5, 0.8]), y=np.array([0.3, 0.6, 1.0]))
    got = call_learner(mine.cost, kwargs)
    if np.ndim(got) != 0:
        not_one = _(
            "`{call}` returned an array of shape {shape} - expected one number: "
            "average the beans' squared errors with np.mean"
        )
        raise Mismatch(not_one.format(call=call_text("cost", kwargs), shape=np.shape(got)))


@check("an error is squared: a bean below the line costs as much as one above")
def squared(mine, ref, rng):
    for y in (1.0, 0.0):  # 0.5 above the line, then 0.5 below it
        expect_close(
            mine.cost,
            ref.cost,
            dict(w=0.5, x=np.array([1.0]), y=np.array([y])),
            nudge=_("square each bean's error: (y - w * x) ** 2"),
        )


@check("the mean, not the sum")
def mean_not_sum(mine, ref, rng):
    expect_close(
        mine.cost,
        ref.cost,
        dict(w=1.0, x=np.array([0.25, 0.5, 0.75, 1.0]), y=np.array([0.5, 0.5, 1.0, 1.5])),
        nudge=_("divide by the number of beans (np.mean): more beans must not mean a larger cost"),
    )


@check("a line through every bean costs 0")
def zero_on_the_line(mine, ref, rng):
    x = np.array([0.1, 0.3, 0.6])
    expect_close(mine.cost, ref.cost, dict(w=1.2, x=x, y=1.2 * x), nudge=_("every error is 0 here"))


@check("many random beans and w")
def random_beans(mine, ref, rng):
    for size in (1, 7, 100):
        x, y = rng.uniform(0, 1, size), rng.uniform(-0.5, 1.5, size)
        for w in rng.uniform(-2, 3, 5):
            expect_close(mine.cost, ref.cost, dict(w=float(w), x=x, y=y), nudge=_("mean((y - w * x) ** 2)"))
