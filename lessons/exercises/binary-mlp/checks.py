"""Checks for lesson 3.5: quality_network(keras, hidden)."""

from tutor.exercises.checking import check
from tutor.exercises.typical_checks import expect_same_model
from tutor.i18n import N_
from tutor.keras_bridge import import_keras  # TensorFlow is imported by the first check

NUDGES = {
    "count": N_("two layers: the hidden Dense layer and the output Dense layer"),
    "kind": N_("both layers are keras.layers.Dense"),
    "activation": N_('both layers use activation="sigmoid": the output is P(pass), one probability'),
    "shape": N_("the hidden layer has `hidden` neurons and the output 1"),
    "parameters": N_("each part has two measurements: keras.Input((2,))"),
}


@check("the lesson's network: 20 sigmoid neurons, one sigmoid output")
def lesson_size(mine, ref, rng):
    expect_same_model(mine.quality_network, ref.quality_network, import_keras(), dict(hidden=20), NUDGES)


@check("another size: 3 hidden neurons")
def other_size(mine, ref, rng):
    expect_same_model(mine.quality_network, ref.quality_network, import_keras(), dict(hidden=3), NUDGES)
