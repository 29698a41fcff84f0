"""Checks for lesson 3.3: spiral_network(keras, depth, width)."""

from tutor.exercises.checking import check
from tutor.exercises.typical_checks import expect_same_model
from tutor.i18n import N_
from tutor.keras_bridge import import_keras  # TensorFlow is imported by the first check

NUDGES = {
    "count": N_("`depth` hidden layers and one output layer: make the hidden ones in a loop over range(depth)"),
    "kind": N_("every layer here is a keras.layers.Dense"),
    "activation": N_('the hidden layers use activation="relu", the output activation="sigmoid" (a probability)'),
    "shape": N_("each hidden layer has `width` neurons and the output has 1"),
    "parameters": N_("the input is a point: keras.Input((2,))"),
}


@check("the lesson's network: 3 hidden ReLU layers of 8, one sigmoid output")
def lesson_sizes(mine, ref, rng):
    expect_same_model(mine.spiral_network, ref.spiral_network, import_keras(), dict(depth=3, width=8), NUDGES)


@check("other sizes: 1 hidden layer of 5, and 5 hidden layers of 2")
def other_sizes(mine, ref, rng):
    keras = import_keras()
    expect_same_model(mine.spiral_network, ref.spiral_network, keras, dict(depth=1, width=5), NUDGES)
    expect_same_model(mine.spiral_network, ref.spiral_network, keras, dict(depth=5, width=2), NUDGES)
