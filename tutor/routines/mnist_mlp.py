"""4.2 A fully connected network reads digits: 784 pixels in, 10 probabilities out.

Every pixel is one input; the network never learns that neighbouring pixels
belong together - that is what lenet5 adds.
"""

from __future__ import annotations

from tutor.routines._images_common import Classifier, dense_network, parse_layers, preview_classifier, run_classifier

INPUT_SHAPE = (784,)  # 28 x 28 pixels, one long row


def mlp(keras, params):
    # e.g. hidden = "256,256,256": 784 -> 256 -> 256 -> 256 -> 10 (softmax)
    return dense_network(keras, parse_layers(params.hidden), activation="relu")


MNIST_MLP = Classifier(lesson_id="mnist-mlp", dataset="mnist", input_shape=INPUT_SHAPE, build=mlp)


def run(params, reporter) -> dict:
    return run_classifier(MNIST_MLP, params, reporter)


def preview(params, reporter) -> None:
    preview_classifier(MNIST_MLP, params, reporter)
