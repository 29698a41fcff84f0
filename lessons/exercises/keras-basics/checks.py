"""Checks for lesson 3.1: line_model(keras)."""

import numpy as np

from tutor.exercises.checking import Mismatch, check
from tutor.exercises.typical_checks import build_learner_model, expect_same_model
from tutor.i18n import N_, _
from tutor.keras_bridge import import_keras  # TensorFlow is imported by the first check

NUDGES = {
    "count": N_("a line is one layer: keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])"),
    "kind": N_("w x + b is what a Dense layer computes"),
    "activation": N_(
        "a line has no activation: Dense(1) leaves w x + b as it is (relu would cut off every negative y)"
    ),
    "shape": N_("one output number: Dense(1)"),
    "parameters": N_("one input (keras.Input((1,))) and one unit give 2 parameters, w and b"),
}


@check("line_model(keras) is one Dense unit on one input, with no activation")
def the_layers(mine, ref, rng):
    expect_same_model(mine.line_model, ref.line_model, import_keras(), {}, NUDGES)


@check("the model computes w x + b")
def it_is_a_line(mine, ref, rng):
    model = build_learner_model(mine.line_model, import_keras(), {})
    shapes = [tuple(weights.shape) for weights in model.get_weights()]
    if shapes != [(1, 1), (1,)]:
        weights = _("the model's weights have shapes {shapes} - expected [(1, 1), (1,)], one w and one b: {nudge}")
        raise Mismatch(weights.format(shapes=shapes, nudge=_(NUDGES["parameters"])))
    model.set_weights([np.array([[2.0]], dtype="float32"), np.array([-0.5], dtype="float32")])
    x = np.array([[-1.0], [0.0], [3.0]], dtype="float32")
    got = np.asarray(model(x, training=False))[:, 0]
    if not np.allclose(got, 2.0 * x[:, 0] - 0.5, atol=1e-5):
        gives = _(
            "with w = 2 and b = -0.5 the model gives {got} for x = -1, 0, 3 - expected [-2.5, -0.5, 5.5]: {nudge}"
        )
        raise Mismatch(gives.format(got=np.round(got, 4).tolist(), nudge=_(NUDGES["activation"])))
