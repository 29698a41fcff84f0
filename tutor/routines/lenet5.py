"""4.3 LeNet-5: two small convolutions read digits better than a huge dense net.

The model is Yann LeCun's 1998 network, adapted to MNIST's 28x28 images
(the original took 32x32): 6 filters of 5x5, average pooling, 16 filters of
5x5, average pooling, then dense layers 120 -> 84 -> 10.
"""

from __future__ import annotations

import numpy as np

from tutor.routines._images_common import Classifier, preview_classifier, run_classifier

INPUT_SHAPE = (28, 28, 1)  # height, width, one grey channel


def lenet5(keras, params=None):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(INPUT_SHAPE, name="image"),
        # 6 filters of 5x5 slide over the image: (28, 28, 1) -> (24, 24, 6)
        layers.Conv2D(6, 5, strides=1, padding="valid", activation="relu", name="conv1"),
        # average each 2x2 square: (24, 24, 6) -> (12, 12, 6)
        layers.AveragePooling2D(2, name="pool1"),
        # 16 filters, each reading all 6 maps: (12, 12, 6) -> (8, 8, 16)
        layers.Conv2D(16, 5, padding="valid", activation="relu", name="conv2"),
        layers.AveragePooling2D(2, name="pool2"),  # -> (4, 4, 16)
        layers.Flatten(name="flatten"),  # -> (256,)
        layers.Dense(120, activation="relu", name="dense120"),
        layers.Dense(84, activation="relu", name="dense84"),
        layers.Dense(10, activation="softmax", name="digit"),
    ], name="lenet5")


def first_layer_filters(model) -> np.ndarray:
    """The 6 learned 5x5 filters of conv1: kernel (5, 5, 1, 6) -> (6, 5, 5)."""
    kernel = np.asarray(model.get_layer("conv1").kernel)
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1))


def feature_maps(model, image: np.ndarray) -> np.ndarray:
    """What conv1 makes of one image (28, 28, 1): 6 maps (6, 24, 24), one per filter."""
    maps = np.asarray(model.get_layer("conv1")(image[None], training=False))[0]  # (24, 24, 6)
    return np.transpose(maps, (2, 0, 1))


def show_filters(model, x_test: np.ndarray, index: int, reporter) -> None:
    filters = first_layer_filters(model)
    maps = feature_maps(model, x_test[index])
    reporter.view(
        "heatmaps",
        maps=[{"title": f"filter {i + 1}", "values": f} for i, f in enumerate(filters)]
        + [{"title": f"map {i + 1}", "values": m} for i, m in enumerate(maps)],
        columns=len(filters),
        title=f"top: conv1's 5x5 filters; below: what each makes of test image #{index} (red high, blue low)",
    )


LENET5 = Classifier(lesson_id="lenet5", dataset="mnist", input_shape=INPUT_SHAPE, build=lenet5,
                    extra_views=show_filters)


def run(params, reporter) -> dict:
    return run_classifier(LENET5, params, reporter)


def preview(params, reporter) -> None:
    preview_classifier(LENET5, params, reporter)
