"""Checks of gradients: a pair, the sign, the factor 2, the chain rule's x, a mean, finite differences."""

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, call_text, check, expect_close, gradient_check
from tutor.i18n import _

BEANS = dict(x=np.array([0.5, 2.0]), y=np.array([1.0, 3.0]))


def _pair(got):
    return isinstance(got, (tuple, list)) and len(got) == 2 and all(np.ndim(item) == 0 for item in got)


@check("returns a pair of numbers (dw, db)")
def a_pair(mine, ref, rng):
    kwargs = dict(w=0.5, b=0.1, **BEANS)
    got = call_learner(mine.gradients, kwargs)
    if not _pair(got):
        shapes = [np.shape(item) for item in got] if isinstance(got, (tuple, list)) else None
        what = (
            _("items of shapes {shapes}").format(shapes=shapes)
            if shapes
            else _("a {type}").format(type=type(got).__name__)
        )
        not_a_pair = _(
            "`{call}` returned {what} - expected two numbers: return dw, db, each averaged over the beans with np.mean"
        )
        raise Mismatch(not_a_pair.format(call=call_text("gradients", kwargs), what=what))


@check("a line below every bean: both slopes are negative (downhill is up)")
def sign(mine, ref, rng):
    kwargs = dict(w=0.0, b=0.0, **BEANS)
    got = call_learner(mine.gradients, kwargs)
    if _pair(got) and not (got[0] < 0 and got[1] < 0):
        uphill = _(
            "`{call}` returned ({dw:.6g}, {db:.6g}) - expected two negative slopes: raising w or b brings the "
            "line closer to the beans. The error is y - (w x + b), and its derivative brings a minus sign: "
            "d/db error^2 = -2 error"
        )
        raise Mismatch(uphill.format(call=call_text("gradients", kwargs), dw=float(got[0]), db=float(got[1])))


@check("the square brings down a factor 2")
def factor_two(mine, ref, rng):
    expect_close(
        mine.gradients,
        ref.gradients,
        dict(w=0.0, b=0.0, x=np.array([1.0]), y=np.array([1.0])),
        nudge=_("d/db (y - w x - b)^2 = 2 (y - w x - b) * (-1) - did you leave out the 2?"),
    )


@check("the mean over the beans, not the sum")
def mean_not_sum(mine, ref, rng):
    x = np.ones(4)  # beans of size 1: the chain rule's x changes nothing here
    expect_close(
        mine.gradients,
        ref.gradients,
        dict(w=0.3, b=-0.2, x=x, y=np.array([0.5, 1.0, 1.5, 2.0])),
        nudge=_("average over the beans (np.mean): the cost is a mean, so its slopes are too"),
    )


@check("the chain rule: dw has the factor x")
def chain_rule(mine, ref, rng):
    expect_close(
        mine.gradients,
        ref.gradients,
        dict(w=0.5, b=0.1, **BEANS),
        nudge=_("dw = mean(-2 x (y - w x - b)): multiply each bean's term by its x; db has no x"),
    )


@check("many random beans, w and b")
def random_beans(mine, ref, rng):
    for size in (1, 10, 200):
        x, y = rng.uniform(0, 1, size), rng.uniform(-0.5, 1.5, size)
        for w, b in rng.uniform(-2, 2, (4, 2)):
            expect_close(
                mine.gradients,
                ref.gradients,
                dict(w=float(w), b=float(b), x=x, y=y),
                nudge=_("(mean(-2 x error), mean(-2 error)) with error = y - (w x + b)"),
            )


@check("finite differences: dw and db are the cost's rates of change")
def finite_differences(mine, ref, rng):
    x, y = rng.uniform(0, 1, 20), rng.uniform(-0.5, 1.5, 20)
    w, b = 0.7, -0.3
    gradient_check(
        lambda v: ref.cost(v, b, x, y),
        w,
        lambda v: mine.gradients(v, b, x, y)[0],
        what=_("dw at w={w}, b={b}").format(w=w, b=b),
        nudge=_("dw must be how fast the cost changes as w moves"),
    )
    gradient_check(
        lambda v: ref.cost(w, v, x, y),
        b,
        lambda v: mine.gradients(w, v, x, y)[1],
        what=_("db at w={w}, b={b}").format(w=w, b=b),
        nudge=_("db must be how fast the cost changes as b moves"),
    )
