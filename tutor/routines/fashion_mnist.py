"""4.4 Fashion-MNIST: the same network shape, clothes instead of digits.

Ten classes of 28x28 grey pictures (T-shirt/top, Trouser, ... Ankle boot),
read by a dense network 784 -> 392 -> 196 -> 10.
"""

from __future__ import annotations

from tutor.routines._images_common import Classifier, dense_network, parse_layers, preview_classifier, run_classifier

INPUT_SHAPE = (784,)


def clothes_network(keras, params):
    # hidden = "392,196": half, then a quarter of the 784 pixels
    return dense_network(keras, parse_layers(params.hidden), activation="relu")


FASHION = Classifier(lesson_id="fashion-mnist", dataset="fashion-mnist", input_shape=INPUT_SHAPE,
                     build=clothes_network, grid_size=10, grid_columns=5)


def run(params, reporter) -> dict:
    return run_classifier(FASHION, params, reporter)


def preview(params, reporter) -> None:
    preview_classifier(FASHION, params, reporter)
