"""Chapter 2 timings, measured side by side in one run (not a test: numbers vary by machine).

    python benchmarks/chapter2.py [--quick]   # the MNIST part needs the files: TUTOR_DATA_DIR, else ../shared/data

1. The per-bean training loops (500,000 updates with the defaults): the
   lessons' plain-float loop against the same loop written with NumPy scalars,
   which is how it is often first written.
2. MNIST: training the 784-50-100-10 network (3 epochs) and classifying the
   10,000 test images one by one and in batches of 100.

``--quick`` (the test suite's mode): 5 epochs of the loops, 50 of each lesson and 1 of MNIST -
only that it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TUTOR_DATA_DIR", str(ROOT.parent / "shared" / "data"))

from tutor.course import load_course  # noqa: E402
from tutor.data.beans import threshold_beans  # noqa: E402
from tutor.routines import sigmoid_neuron as sn  # noqa: E402
from tutor.runner import run_lesson  # noqa: E402


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs of each: only that it runs")
    quick = parser.parse_args().quick
    course = load_course()
    x, y = threshold_beans(np.random.default_rng(0), 100)
    epochs = 5 if quick else 200
    _, fast = timed(lambda: [sn.train_epoch(0.01, 0.01, x.tolist(), y.tolist(), 0.05) for _ in range(epochs)])
    _, slow = timed(lambda: [numpy_scalar_epoch(0.01, 0.01, x, y, 0.05) for _ in range(epochs)])
    print(
        f"per-bean loop, {epochs} epochs x 100 beans: plain floats {fast:.3f} s, "
        f"NumPy scalars {slow:.3f} s ({slow / fast:.0f}x slower)"
    )

    for lesson_id in ("sigmoid-neuron", "hidden-layer"):
        lesson = course.get(lesson_id)
        record = run_lesson(lesson, lesson.resolve({"epochs": 50} if quick else {}))
        print(
            f"{lesson_id}, {record.params['epochs']} epochs: {record.seconds:.2f} s, "
            f"accuracy {record.result['accuracy']:.2f}"
        )

    if not (Path(os.environ["TUTOR_DATA_DIR"]) / "mnist").is_dir():
        print(f"no MNIST files in {os.environ['TUTOR_DATA_DIR']} (TUTOR_DATA_DIR): no inference timings")
        return
    lesson = course.get("mnist-inference")
    with tempfile.TemporaryDirectory() as home:
        os.environ["TUTOR_HOME"] = home  # train from scratch, do not touch saved weights
        record = run_lesson(lesson, lesson.resolve({"epochs": 1} if quick else {}))
    r = record.result
    print(
        f"mnist-inference: trained in {r['train_seconds']:.2f} s; accuracy {r['accuracy_batched']:.4f} "
        f"(one by one {r['accuracy_one_by_one']:.4f}); one by one {r['seconds_one_by_one']:.3f} s, "
        f"batches of 100 {r['seconds_batched']:.3f} s, speed-up {r['speedup']:.1f}x"
    )


if __name__ == "__main__":
    main()
