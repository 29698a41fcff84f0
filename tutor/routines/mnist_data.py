"""4.1 Looking at MNIST: 70,000 handwritten digits as arrays of numbers.

An image is a 28x28 grid of bytes (0 = paper, 255 = ink). Before a network
reads it, it is flattened to 784 numbers and scaled to [0, 1]; its label
becomes a one-hot vector of 10.
"""

from __future__ import annotations

import numpy as np

from tutor.data.images import CLASS_NAMES, TITLES, load_images
from tutor.i18n import _
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
                  title=_("{images} {split} images #{first} to #{last}").format(
                      images=TITLES[params.images], split=params.split, first=shown[0], last=shown[-1]))


def run(params: Params, reporter: Reporter) -> dict:
    (x_train, y_train), (x_test, y_test) = load_images(params.images, notify=reporter.note)
    images, labels = (x_train, y_train) if params.split == "train" else (x_test, y_test)
    names = CLASS_NAMES[params.images]
    start, count = int(params.start), int(params.count)
    if not 0 <= start < len(images):
        raise TutorError(_("start {start} is outside the {split} set (0 to {last})").format(
            start=start, split=params.split, last=len(images) - 1))
    shown = np.arange(start, min(start + count, len(images)))
    reporter.check_cancelled()

    reporter.view(
        "digits",
        images=np.array(images[shown]),
        labels=[names[label] for label in labels[shown]],
        selected=0,
        columns=8,
        title=_("{images} {split} images #{first} to #{last}").format(
            images=TITLES[params.images], split=params.split, first=shown[0], last=shown[-1]),
    )

    # The three steps that turn a picture and its label into what a network reads.
    first = images[start]  # (28, 28) uint8
    row = flatten(first[None])[0]  # (784,)
    scaled = scale_pixels(row)  # (784,) float32 in [0, 1]
    target = one_hot(labels[start:start + 1])[0]  # (10,)
    reporter.note(_("{split} images: shape {shape}, {dtype}, values {low}..{high}; labels: shape {labels}").format(
        split=params.split, shape=images.shape, dtype=images.dtype, low=int(images.min()), high=int(images.max()),
        labels=labels.shape))
    reporter.note(_("image #{start} reshaped: (28, 28) -> {shape}; divided by 255: values {low:.0f}..{high:.0f}, "
                    "{inked} of 784 pixels have ink").format(
        start=start, shape=row.shape, low=scaled.min(), high=scaled.max(), inked=int(np.count_nonzero(row))))
    reporter.note(_("label #{start} = {name} -> one-hot {row}").format(
        start=start, name=names[labels[start]], row=as_row(target)))

    reporter.view(
        "table",
        title=_("each shown image: its label, one-hot, and its pixels after /255"),
        columns=["#", _("label"), _("one-hot"), _("inked pixels"), _("mean of x / 255")],
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
        title=_("how many {split} images of each class").format(split=params.split),
        ylabel=_("images"),
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
