"""Checks of learn_from_bean: each one isolates one classic mistake, then many random beans."""

from tutor.exercises.checking import Mismatch, call_learner, call_text, check, expect_close
from tutor.i18n import _


@check("a bean right on the line leaves w where it is")
def bean_on_the_line(mine, ref, rng):
    expect_close(
        mine.learn_from_bean,
        ref.learn_from_bean,
        dict(w=0.8, x=0.5, y=0.4, lr=0.1),
        nudge=_("its error is 0, so nothing moves - return the new w itself, not only the change"),
    )


@check("a bean above the line raises w")
def moves_uphill(mine, ref, rng):
    kwargs = dict(w=0.5, x=1.0, y=1.0, lr=1.0)
    got = call_learner(mine.learn_from_bean, kwargs)
    if isinstance(got, (int, float)) and not got > 0.5:
        wrong_way = _(
            "`{call}` returned {got:.6g} - expected more than 0.5: w moved the wrong way. "
            "The error is y - w * x (the bean minus the prediction), and w moves by + lr * error * x"
        )
        raise Mismatch(wrong_way.format(call=call_text("learn_from_bean", kwargs), got=got))
    expect_close(
        mine.learn_from_bean,
        ref.learn_from_bean,
        kwargs,
        nudge=_("with x = 1 and lr = 1, the new w is w + (y - w * x)"),
    )


@check("the nudge is scaled by the learning rate")
def scaled_by_lr(mine, ref, rng):
    expect_close(
        mine.learn_from_bean,
        ref.learn_from_bean,
        dict(w=0.5, x=1.0, y=1.0, lr=0.1),
        nudge=_("did you multiply the change by lr?"),
    )


@check("one bean moves w by lr * error * x")
def scaled_by_x(mine, ref, rng):
    expect_close(
        mine.learn_from_bean,
        ref.learn_from_bean,
        dict(w=0.5, x=0.2, y=0.3, lr=0.1),
        nudge=_("did you multiply the error by x?"),
    )


@check("many random beans, weights and learning rates")
def random_beans(mine, ref, rng):
    for _round in range(50):
        kwargs = dict(
            w=float(rng.uniform(-2, 2)),
            x=float(rng.uniform(0, 1)),
            y=float(rng.uniform(-1, 2)),
            lr=float(rng.choice([0.001, 0.05, 0.5, 1.5])),
        )
        expect_close(
            mine.learn_from_bean, ref.learn_from_bean, kwargs, nudge=_("w + lr * (y - w * x) * x for every bean")
        )
