"""4.1 Looking at MNIST: 70,000 handwritten digits as arrays of numbers.

An image is a 28x28 grid of bytes (0 = paper, 255 = ink). Before a network
reads it, it is flattened to 784 numbers and scaled to [0, 1]; its label
becomes a one-hot vector of 10.
"""

from __future__ import annotations

import numpy as np

from tutor.data.images import CLASS_NAMES, TITLES, load_images
from tutor.reporting import TutorError
from tutor.routine_types import Params, Reporter
from tutor.routines._images_common import flatten, one_hot, scale_pixels


def as_row(vector: np.ndarray) -> str:
    """[0 0 0 0 0 1 0 0 0 0] - how a one-hot label is usually written."""
    return "[" + " ".join(str(int(v)) for v in vector) + "]"


def preview(params: Params, reporter: Reporter) -> None:
    """The grid of images the run shows (the run adds the numbers behind them)."""
    (x_train, y_train), (x_test, y_test) = load_images(params.images, notify=reporter.note)
    images, labels = (x_train, y_train) if params.split == "train" else (x_test, y_test)
    names = CLASS_NAMES[params.images]
    start = min(max(0, int(params.start)), len(images) - 1)
    shown = np.arange(start, min(start + int(params.count), len(images)))
    reporter.view("digits", images=np.array(images[shown]), labels=[names[label] for label in labels[shown]],
                  selected=0, columns=8,
                  title=f"{TITLES[params.images]} {params.split} images #{shown[0]} to #{shown[-1]}")


def run(params: Params, reporter: Reporter) -> dict:
    (x_train, y_train), (x_test, y_test) = load_images(params.images, notify=reporter.note)
    images, labels = (x_train, y_train) if params.split == "train" else (x_test, y_test)
    names = CLASS_NAMES[params.images]
    start, count = int(params.start), int(params.count)
    if not 0 <= start < len(images):
        raise TutorError(f"start {start} is outside the {params.split} set (0 to {len(images) - 1})")
    shown = np.arange(start, min(start + count, len(images)))
    reporter.check_cancelled()

    reporter.view(
        "digits",
        images=np.array(images[shown]),
        labels=[names[label] for label in labels[shown]],
        selected=0,
        columns=8,
        title=f"{TITLES[params.images]} {params.split} images #{shown[0]} to #{shown[-1]}",
    )

    # The three steps that turn a picture and its label into what a network reads.
    first = images[start]  # (28, 28) uint8
    row = flatten(first[None])[0]  # (784,)
    scaled = scale_pixels(row)  # (784,) float32 in [0, 1]
    target = one_hot(labels[start:start + 1])[0]  # (10,)
    reporter.note(f"{params.split} images: shape {images.shape}, {images.dtype}, values "
                  f"{int(images.min())}..{int(images.max())}; labels: shape {labels.shape}")
    reporter.note(f"image #{start} reshaped: (28, 28) -> {row.shape}; divided by 255: values "
                  f"{scaled.min():.0f}..{scaled.max():.0f}, {int(np.count_nonzero(row))} of 784 pixels have ink")
    reporter.note(f"label #{start} = {names[labels[start]]} -> one-hot {as_row(target)}")

    reporter.view(
        "table",
        title="each shown image: its label, one-hot, and its pixels after /255",
        columns=["#", "label", "one-hot", "inked pixels", "mean of x / 255"],
        rows=[
            [int(i), names[labels[i]], as_row(one_hot(labels[i:i + 1])[0]),
             int(np.count_nonzero(images[i])), round(float(scale_pixels(images[i]).mean()), 4)]
            for i in shown
        ],
    )
    counts = np.bincount(labels, minlength=len(names))
    reporter.view(
        "bars",
        labels=list(names),
        values=counts.tolist(),
        title=f"how many {params.split} images of each class",
        ylabel="images",
    )
    # The average pixel over the whole split, without a 180 MB float copy.
    pixel_mean = float(images.mean(dtype=np.float64) / 255.0)
    return {
        "digits": params.images == "mnist",  # the challenge asks for a handwritten seven
        "first_label": int(labels[start]),
        "first_name": names[labels[start]],
        "images": int(len(images)),
        "train_images": int(len(x_train)),
        "test_images": int(len(x_test)),
        "pixel_mean": pixel_mean,
        "inked_pixels": int(np.count_nonzero(row)),
    }
