"""Checks for lesson 2.6: predict(network, x) of the 784-50-100-10 network."""

import numpy as np

from tutor.exercises.checking import Mismatch, call_learner, check
from tutor.exercises.typical_checks import expect_close_naming_mistakes, nudge_if_raised
from tutor.i18n import N_, _

ORDER = N_("the image goes first, x @ W1: (784,) x (784, 50) -> (50,), and (n, 784) x (784, 50) -> (n, 50)")
SIZES = (784, 50, 100, 10)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-np.clip(a, -500, 500)))


def softmax(a):
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def layers(network, x):
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    return z2 @ network["W3"] + network["b3"]


def sigmoid_on_output(network, x):
    return sigmoid(layers(network, x))


def no_output_activation(network, x):
    return layers(network, x)


def softmax_over_the_batch(network, x):
    scores = layers(network, x)
    e = np.exp(scores - np.max(scores))
    return e / np.sum(e)


def no_hidden_sigmoid(network, x):
    z2 = (x @ network["W1"] + network["b1"]) @ network["W2"] + network["b2"]
    return softmax(z2 @ network["W3"] + network["b3"])


MISTAKES = [
    (sigmoid_on_output, N_("the output layer is a softmax: ten probabilities that add up to 1, not ten sigmoids")),
    (no_output_activation, N_("the output needs its softmax: softmax(z2 @ W3 + b3) makes the scores probabilities")),
    (softmax_over_the_batch, N_("softmax works row by row: each image's scores become its own probabilities")),
    (no_hidden_sigmoid, N_("the hidden layers need their sigmoid: z1 = sigmoid(x @ W1 + b1), then z2 likewise")),
]


def network_of(rng):
    """Weights like a trained network's (scaled by fan-in), so the sigmoids are not all saturated."""
    network = {}
    for layer, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        network[f"W{layer}"] = rng.normal(size=(n_in, n_out)) / np.sqrt(n_in) * 3
        network[f"b{layer}"] = rng.normal(size=n_out) * 0.5
    return network


def images(rng, count=None):
    shape = (784,) if count is None else (count, 784)
    return rng.random(shape)  # pixels scaled to [0, 1]


@check("one image: ten probabilities of the ten digits")
def one_image(mine, ref, rng):
    network, x = network_of(rng), images(rng)
    with nudge_if_raised(ORDER):
        expect_close_naming_mistakes(
            mine.predict,
            ref.predict,
            dict(network=network, x=x),
            MISTAKES,
            nudge=_("sigmoid, sigmoid, then softmax"),
            shown_as="predict(network, x (784,))",
        )


@check("a batch of 5 images: one row of ten probabilities each")
def batch(mine, ref, rng):
    network, x = network_of(rng), images(rng, 5)
    with nudge_if_raised(ORDER):
        expect_close_naming_mistakes(
            mine.predict,
            ref.predict,
            dict(network=network, x=x),
            MISTAKES,
            nudge=_("the same lines work for a batch: nothing needs a loop"),
            shown_as="predict(network, x (5, 784))",
        )


@check("a batch gives what the images give one at a time")
def batch_equals_one_by_one(mine, ref, rng):
    network, x = network_of(rng), images(rng, 4)
    together = np.asarray(call_learner(mine.predict, dict(network=network, x=x), "predict(network, x (4, 784))"))
    alone = np.array([np.asarray(call_learner(mine.predict, dict(network=network, x=image))) for image in x])
    if together.shape != alone.shape or not np.allclose(together, alone, rtol=1e-6, atol=1e-9):
        differs = _(
            "predict(network, x (4, 784)) gives shape {shape}, and row by row it differs from "
            "predicting each image alone: softmax must work on each row (axis=-1), not on the whole batch"
        )
        raise Mismatch(differs.format(shape=together.shape))
