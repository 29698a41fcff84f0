"""Checks of momentum_step: no momentum is plain descent, the velocity carries on, random cases."""

from tutor.exercises.checking import check, expect_close


@check("with momentum 0 it is plain gradient descent")
def plain_descent(mine, ref, rng):
    expect_close(
        mine.momentum_step,
        ref.momentum_step,
        dict(value=1.0, velocity=0.0, slope=2.0, lr=0.1, momentum=0.0),
        nudge="downhill is minus the slope: the value moves by -lr * slope",
    )


@check("the old velocity carries on, scaled by momentum")
def carries_on(mine, ref, rng):
    expect_close(
        mine.momentum_step,
        ref.momentum_step,
        dict(value=1.0, velocity=0.5, slope=0.0, lr=0.1, momentum=0.9),
        nudge="on flat ground (slope 0) the velocity only shrinks: momentum * velocity",
    )


@check("many random steps")
def random_steps(mine, ref, rng):
    for _ in range(20):
        value, velocity, slope = rng.normal(size=3)
        expect_close(
            mine.momentum_step,
            ref.momentum_step,
            dict(value=float(value), velocity=float(velocity), slope=float(slope), lr=0.05, momentum=0.8),
            nudge="velocity = momentum * velocity - lr * slope; return value + velocity, velocity",
        )
