"""Chapter 2 timings, measured side by side in one run (not a test: numbers vary by machine).

    python benchmarks/chapter2.py            # needs TUTOR_DATA_DIR for the MNIST part

1. The per-bean training loops (500,000 updates with the defaults): the
   lessons' plain-float loop against the same loop written with NumPy scalars,
   which is how it is often first written.
2. MNIST: training the 784-50-100-10 network (3 epochs) and classifying the
   10,000 test images one by one and in batches of 100.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from tutor.course import load_course
from tutor.data.beans import threshold_beans
from tutor.routines import sigmoid_neuron as sn
from tutor.runner import run_lesson


def numpy_scalar_epoch(w, b, x, y, lr):
    """The same update with NumPy on every bean (what the fast loop avoids)."""
    for xi, yi in zip(x, y):
        a = sn.sigmoid(w * xi + b)
        delta = -2.0 * (yi - a) * a * (1.0 - a)
        w, b = w - lr * delta * xi, b - lr * delta
    return float(w), float(b)


def timed(function, *args):
    began = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - began


def main() -> None:
    course = load_course()
    x, y = threshold_beans(np.random.default_rng(0), 100)
    epochs = 200
    _, fast = timed(lambda: [sn.train_epoch(0.01, 0.01, x.tolist(), y.tolist(), 0.05) for _ in range(epochs)])
    _, slow = timed(lambda: [numpy_scalar_epoch(0.01, 0.01, x, y, 0.05) for _ in range(epochs)])
    print(
        f"per-bean loop, {epochs} epochs x 100 beans: plain floats {fast:.3f} s, "
        f"NumPy scalars {slow:.3f} s ({slow / fast:.0f}x slower)"
    )

    for lesson_id in ("sigmoid-neuron", "hidden-layer"):
        lesson = course.get(lesson_id)
        record = run_lesson(lesson, lesson.resolve({}))
        print(
            f"{lesson_id} with the defaults ({record.params['epochs']} epochs): {record.seconds:.2f} s, "
            f"accuracy {record.result['accuracy']:.2f}"
        )

    if not os.environ.get("TUTOR_DATA_DIR"):
        print("set TUTOR_DATA_DIR to the MNIST files for the inference timings")
        return
    lesson = course.get("mnist-inference")
    with tempfile.TemporaryDirectory() as home:
        os.environ["TUTOR_HOME"] = home  # train from scratch, do not touch saved weights
        record = run_lesson(lesson, lesson.resolve({}))
    r = record.result
    print(
        f"mnist-inference: trained in {r['train_seconds']:.2f} s; accuracy {r['accuracy_batched']:.4f} "
        f"(one by one {r['accuracy_one_by_one']:.4f}); one by one {r['seconds_one_by_one']:.3f} s, "
        f"batches of 100 {r['seconds_batched']:.3f} s, speed-up {r['speedup']:.1f}x"
    )


if __name__ == "__main__":
    main()
