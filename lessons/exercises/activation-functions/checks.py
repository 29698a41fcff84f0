"""Checks for lesson 2.1: collapse(w1, b1, w2, b2) -> (W, b)."""

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, check
from tutor.exercises.typical_checks import expect_close_naming_mistakes, nudge_if_raised
from tutor.i18n import N_, _

SHAPES = N_(
    "a matrix product needs the inner sizes to match: W1 (inputs, hidden) times W2 (hidden, outputs); "
    "use @ (the * of NumPy multiplies item by item)"
)


def layers(rng, inputs, hidden, outputs):
    return dict(
        w1=rng.normal(0.0, 1.0, size=(inputs, hidden)),
        b1=rng.normal(0.0, 1.0, size=hidden),
        w2=rng.normal(0.0, 1.0, size=(hidden, outputs)),
        b2=rng.normal(0.0, 1.0, size=outputs),
    )


def shapes_text(given):
    return "collapse(" + ", ".join(f"{name} {value.shape}" for name, value in given.items()) + ")"


MISTAKES = [
    (lambda w1, b1, w2, b2: (w1 @ w2, b1 @ w2), N_("b also needs the second layer's bias: + b2")),
    (lambda w1, b1, w2, b2: (w1 @ w2, b2), N_("the first bias does not vanish: it goes through W2 too, b1 W2")),
    (lambda w1, b1, w2, b2: (w1 @ w2, b1 + b2), N_("b1 goes through the second layer's weights before b2 is added")),
    (lambda w1, b1, w2, b2: (w2 @ w1, b1 @ w2 + b2), N_("x meets W1 first: W = W1 W2, in that order")),
    (lambda w1, b1, w2, b2: (w1 @ w2, w2 @ b1 + b2), N_("b1 is a row: b1 W2 (b1 @ w2), like x W")),
]


@check("collapse of 3 inputs -> 4 hidden -> 2 outputs gives W (3, 2) and b (2,)")
def lesson_sizes(mine, ref, rng):
    given = layers(rng, 3, 4, 2)
    with nudge_if_raised(SHAPES):
        expect_close_naming_mistakes(
            mine.collapse,
            ref.collapse,
            given,
            MISTAKES,
            nudge=_("multiply (x W1 + b1) W2 + b2 out"),
            shown_as=shapes_text(given),
        )


@check("square layers (3 -> 3 -> 3), where the wrong order still has the right shape")
def square_layers(mine, ref, rng):
    given = layers(rng, 3, 3, 3)
    with nudge_if_raised(SHAPES):
        expect_close_naming_mistakes(
            mine.collapse,
            ref.collapse,
            given,
            MISTAKES,
            nudge=_("multiply (x W1 + b1) W2 + b2 out"),
            shown_as=shapes_text(given),
        )


@check("x W + b matches the two layers for random inputs")
def one_layer_does_what_two_do(mine, ref, rng):
    given = layers(rng, 5, 6, 4)
    x = rng.normal(0.0, 1.0, size=(7, 5))
    with nudge_if_raised(SHAPES):
        w, b = call_learner(mine.collapse, given, shapes_text(given))
        try:
            one = x @ np.asarray(w) + np.asarray(b)
        except ValueError as error:
            fails = _(
                "x @ W + b with your W {w_shape} and b {b_shape} fails ({error}): "
                "W should be (inputs, outputs) = (5, 4) and b (outputs,) = (4,)"
            )
            raise Mismatch(fails.format(w_shape=np.shape(w), b_shape=np.shape(b), error=error)) from None
    two = ref.two_layers(x, **given)
    worst = float(np.max(np.abs(one - two)))
    if one.shape != two.shape or worst > 1e-9:
        differs = _(
            "for 7 random inputs x (7, 5), x @ W + b differs from (x W1 + b1) W2 + b2 by up to "
            "{worst:.3g}: the single layer must give the same outputs for every x"
        )
        raise Mismatch(differs.format(worst=worst))
