"""Checks for lesson 2.3: backward(p, x, y) -> the seven gradients, by name."""

import math

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, check, gradient_check, shown
from tutor.exercises.typical_checks import expect_close_naming_mistakes
from tutor.i18n import N_, _

NAMES = ("w1", "b1", "w2", "b2", "v1", "v2", "c")
OUTPUT = ("v1", "v2", "c")
HIDDEN = ("w1", "b1", "w2", "b2")


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def variant(p, x, y, sign=1.0, output_slope=True, through_v=True, hidden_slope=True, times_x=True, swap_v=False):
    """The gradients as a mistake computes them (all defaults: the right ones)."""
    h1 = sigmoid(p["w1"] * x + p["b1"])
    h2 = sigmoid(p["w2"] * x + p["b2"])
    a = sigmoid(p["v1"] * h1 + p["v2"] * h2 + p["c"])
    delta = sign * -2.0 * (y - a) * (a * (1.0 - a) if output_slope else 1.0)
    v1, v2 = (p["v2"], p["v1"]) if swap_v else (p["v1"], p["v2"])
    delta1 = delta * (v1 if through_v else 1.0) * (h1 * (1.0 - h1) if hidden_slope else 1.0)
    delta2 = delta * (v2 if through_v else 1.0) * (h2 * (1.0 - h2) if hidden_slope else 1.0)
    return {
        "w1": delta1 * (x if times_x else 1.0),
        "b1": delta1,
        "w2": delta2 * (x if times_x else 1.0),
        "b2": delta2,
        "v1": delta * h1,
        "v2": delta * h2,
        "c": delta,
    }


MISTAKES = [
    (dict(sign=-1.0), N_("every sign is flipped: delta = -2 (y - a) a (1 - a), with the minus")),
    (dict(output_slope=False), N_("delta misses the output sigmoid's slope a (1 - a)")),
    (
        dict(through_v=False),
        N_("a hidden neuron's blame passes through its weight to the output: delta1 = delta * v1 ..."),
    ),
    (dict(swap_v=True), N_("h1 is connected to the output by v1 (and h2 by v2): delta1 = delta * v1 * h1 (1 - h1)")),
    (dict(hidden_slope=False), N_("the hidden deltas need the hidden sigmoid's slope: h1 (1 - h1) and h2 (1 - h2)")),
    (dict(times_x=False), N_("w1 and w2 multiply x: their gradients are delta1 * x and delta2 * x")),
]


def p_text(p):
    return "{" + ", ".join(f"{name}: {shown(value)}" for name, value in p.items()) + "}"


def gradients_by_name(mine, p, x, y):
    """The learner's dict, checked to hold a number for each of the seven names."""
    text = f"backward(p={p_text(p)}, x={shown(x)}, y={shown(y)})"
    got = call_learner(mine.backward, dict(p=p, x=x, y=y), text)
    if not isinstance(got, dict):
        not_a_dict = _("`{call}` returned {got} - expected a dict of gradients by name, {example}")
        raise Mismatch(not_a_dict.format(call=text, got=shown(got), example='{"w1": ..., "b1": ..., ..., "c": ...}'))
    missing = [name for name in NAMES if name not in got]
    if missing:
        without = _("`{call}` returned a dict without {missing} - expected a gradient for each of {names}")
        raise Mismatch(without.format(call=text, missing=", ".join(repr(n) for n in missing), names=", ".join(NAMES)))
    return got


def expect_gradients(mine, ref, p, x, y, names, nudge):
    gradients_by_name(mine, p, x, y)  # the names first, with their own message

    def pick(backward):
        def picked(p, x, y):
            gradients = backward(p, x, y)
            return tuple(float(gradients[name]) for name in names)

        picked.__name__ = "backward"
        return picked

    mistakes = [(pick(lambda p, x, y, how=how: variant(p, x, y, **how)), said) for how, said in MISTAKES]
    expect_close_naming_mistakes(
        pick(mine.backward),
        pick(ref.backward),
        dict(p=p, x=x, y=y),
        mistakes,
        nudge=nudge,
        shown_as=f"backward(p={p_text(p)}, x={shown(x)}, y={shown(y)})[{', '.join(names)}]",
    )


LESSON_P = {"w1": 0.9, "b1": -0.3, "w2": 1.4, "b2": -2.0, "v1": 2.5, "v2": -1.7, "c": 0.2}


@check("backward returns a gradient for each of the seven weights, by name")
def seven_names(mine, ref, rng):
    gradients_by_name(mine, dict(LESSON_P), 0.8, 1.0)


@check("the output neuron's gradients: v1, v2, c")
def output_gradients(mine, ref, rng):
    expect_gradients(
        mine,
        ref,
        dict(LESSON_P),
        0.8,
        1.0,
        OUTPUT,
        nudge=_("delta = -2 (y - a) a (1 - a); de/dv1 = delta h1, de/dv2 = delta h2, de/dc = delta"),
    )


@check("the hidden neurons' gradients: w1, b1, w2, b2")
def hidden_gradients(mine, ref, rng):
    expect_gradients(
        mine,
        ref,
        dict(LESSON_P),
        0.8,
        1.0,
        HIDDEN,
        nudge=_("delta1 = delta * v1 * h1 (1 - h1); de/dw1 = delta1 x, de/db1 = delta1 (and so for h2)"),
    )


@check("all seven gradients, for harmless and toxic beans at random weights")
def many_beans(mine, ref, rng):
    for _round in range(20):
        p = dict(zip(NAMES, rng.normal(0.0, 2.0, size=7).tolist()))
        x, y = float(rng.uniform(0.0, 2.0)), float(rng.integers(0, 2))
        expect_gradients(mine, ref, p, x, y, NAMES, nudge=_("compare each formula with the lesson's second page"))


@check("backward agrees with finite differences of the error")
def by_finite_differences(mine, ref, rng):
    for _round in range(3):
        p = dict(zip(NAMES, rng.normal(0.0, 1.5, size=7).tolist()))
        x, y = float(rng.uniform(0.0, 2.0)), float(rng.integers(0, 2))
        gradients_by_name(mine, p, x, y)

        def error(values, x=x, y=y):
            q = dict(zip(NAMES, values.tolist()))
            h1, h2 = sigmoid(q["w1"] * x + q["b1"]), sigmoid(q["w2"] * x + q["b2"])
            return (y - sigmoid(q["v1"] * h1 + q["v2"] * h2 + q["c"])) ** 2

        def written(values, x=x, y=y):
            gradients = mine.backward(dict(zip(NAMES, values.tolist())), x, y)
            return np.array([float(gradients[name]) for name in NAMES])

        gradient_check(
            error,
            np.array([p[name] for name in NAMES]),
            written,
            what=_("the gradients ({names}) of {call}").format(
                names=", ".join(NAMES), call=f"backward(p={p_text(p)}, x={shown(x)}, y={shown(y)})"
            ),
            nudge=_("nudge one weight by a tiny step and watch e change: its gradient should predict it"),
        )
