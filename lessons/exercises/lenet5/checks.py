"""Checks for lesson 4.3: lenet5(keras)."""

from tutor.exercises.checking import Mismatch, check
from tutor.exercises.typical_checks import build_learner_model, expect_same_model
from tutor.i18n import N_, _
from tutor.keras_bridge import import_keras  # TensorFlow is imported by the first check

NUDGES = {
    "count": N_("LeNet-5 here is 8 layers: conv, pool, conv, pool, flatten, dense 120, dense 84, dense 10"),
    "kind": N_(
        "the lesson pools with AveragePooling2D (LeCun's choice; MaxPooling2D is a later one), and Dense "
        "layers need Flatten before them"
    ),
    "activation": N_("the convolutions and the dense 120 and 84 use relu; the last layer softmax (10 probabilities)"),
    "shape": N_('no padding (the default "valid"): a 5x5 filter turns 28x28 into 24x24; pooling of 2 halves it'),
    "parameters": N_("6 filters of 5x5 in the first convolution, 16 in the second; then 120, 84 and 10 neurons"),
}


@check("lenet5(keras) takes a 28x28x1 image and gives 10 probabilities")
def input_and_output(mine, ref, rng):
    model = build_learner_model(mine.lenet5, import_keras(), {})
    inputs, outputs = tuple(model.input_shape)[1:], tuple(model.output_shape)[1:]
    if inputs != (28, 28, 1):
        takes = _(
            "`lenet5(keras)` takes input of shape {shape} - expected (28, 28, 1): "
            "start with keras.Input((28, 28, 1)), a grey image with one channel"
        )
        raise Mismatch(takes.format(shape=inputs))
    if outputs != (10,):
        gives = _(
            "`lenet5(keras)` gives output of shape {shape} - expected (10,): one probability "
            'per digit, from Dense(10, activation="softmax") after Flatten'
        )
        raise Mismatch(gives.format(shape=outputs))


@check("lenet5's layers: kinds, shapes, parameters and activations, in order")
def the_layers(mine, ref, rng):
    expect_same_model(mine.lenet5, ref.lenet5, import_keras(), {}, NUDGES)
