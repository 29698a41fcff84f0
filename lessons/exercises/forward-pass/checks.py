"""Checks for lesson 2.4: forward(x, W1, b1, W2, b2, W3, b3)."""

import numpy as np

from tutor.exercises.checking import check
from tutor.exercises.typical_checks import expect_close_naming_mistakes, nudge_if_raised
from tutor.i18n import N_, _

ORDER = N_("the input goes first, x @ W1: the inner sizes must match ((2,) x (2, 3) -> (3,) in the lesson)")
ORDER_ANY_SIZE = N_(
    "the input goes first, x @ W1: the inner sizes must match ((2,) x (2, 3) -> (3,) in the lesson) "
    "- and nothing may assume the lesson's sizes"
)
ORDER_BATCH = N_(
    "the input goes first, x @ W1: the inner sizes must match ((2,) x (2, 3) -> (3,) in the lesson); "
    "with one input per row, x @ W1 is (6, 2) x (2, 3) -> (6, 3)"
)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def sigmoid_on_output(x, W1, b1, W2, b2, W3, b3):
    return sigmoid(sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2) @ W3 + b3)


def no_activation(x, W1, b1, W2, b2, W3, b3):
    return ((x @ W1 + b1) @ W2 + b2) @ W3 + b3


def no_biases(x, W1, b1, W2, b2, W3, b3):
    return sigmoid(sigmoid(x @ W1) @ W2) @ W3


def only_first_sigmoid(x, W1, b1, W2, b2, W3, b3):
    return (sigmoid(x @ W1 + b1) @ W2 + b2) @ W3 + b3


def bias_inside_sigmoid_missing(x, W1, b1, W2, b2, W3, b3):
    return (sigmoid(sigmoid(x @ W1) + b1) @ W2 + b2) @ W3 + b3


MISTAKES = [
    (sigmoid_on_output, N_("the output layer is the identity: Y = Z2 W3 + b3, with no sigmoid on it")),
    (no_activation, N_("the hidden layers need their sigmoid: Z1 = sigmoid(A1) and Z2 = sigmoid(A2)")),
    (only_first_sigmoid, N_("the second hidden layer needs its sigmoid too: Z2 = sigmoid(Z1 W2 + b2)")),
    (no_biases, N_("every layer adds its bias: A = X W + B")),
    (bias_inside_sigmoid_missing, N_("the bias goes inside the sigmoid: Z1 = sigmoid(x W1 + b1)")),
]


def lesson_network():
    return {
        "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
        "b1": np.array([0.1, 0.2, 0.3]),
        "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
        "b2": np.array([0.1, 0.2]),
        "W3": np.array([[0.1, 0.3], [0.2, 0.4]]),
        "b3": np.array([0.1, 0.2]),
    }


def random_network(rng, sizes):
    """Weights and biases for layers of the given sizes, e.g. (4, 5, 3, 2)."""
    network = {}
    for layer, (inputs, outputs) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        network[f"W{layer}"] = rng.normal(0.0, 1.0, size=(inputs, outputs))
        network[f"b{layer}"] = rng.normal(0.0, 1.0, size=outputs)
    return network


def shapes_text(x, network):
    """The call with its arrays' shapes: forward(x (6, 2), W1 (2, 3), b1 (3,), ...)."""
    shapes = ", ".join(f"{name} {value.shape}" for name, value in {"x": x, **network}.items())
    return f"forward({shapes})"


@check("the lesson's network gives [0.3168, 0.6963] for x = [1.0, 0.5]")
def lesson_example(mine, ref, rng):
    with nudge_if_raised(ORDER):
        expect_close_naming_mistakes(
            mine.forward,
            ref.forward,
            dict(x=np.array([1.0, 0.5]), **lesson_network()),
            MISTAKES,
            nudge=_("follow the three steps of the lesson's table"),
            shown_as=_("forward(x=[1, 0.5], W1, b1, W2, b2, W3, b3 of the lesson)"),
        )


@check("other sizes: 4 inputs, hidden layers of 5 and 3, 2 outputs")
def other_sizes(mine, ref, rng):
    network = random_network(rng, (4, 5, 3, 2))
    with nudge_if_raised(ORDER_ANY_SIZE):
        x = rng.normal(0.0, 1.0, size=4)
        expect_close_naming_mistakes(
            mine.forward,
            ref.forward,
            dict(x=x, **network),
            MISTAKES,
            nudge=_("each layer is x @ W + b, whatever the sizes"),
            shown_as=shapes_text(x, network),
        )


@check("a batch: one input per row gives one output per row")
def batch_of_inputs(mine, ref, rng):
    network = random_network(rng, (2, 3, 2, 2))
    with nudge_if_raised(ORDER_BATCH):
        x = rng.normal(0.0, 1.0, size=(6, 2))
        expect_close_naming_mistakes(
            mine.forward,
            ref.forward,
            dict(x=x, **network),
            MISTAKES,
            nudge=_("x @ W works for one input and for a batch alike"),
            shown_as=shapes_text(x, network),
        )
