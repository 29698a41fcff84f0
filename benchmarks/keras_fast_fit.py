"""Plain ``model.fit`` against the tutor's fast loop, side by side in one process.

For deep-spiral (8-8-8-1 ReLU, SGD 0.05, MSE, batch 10, 100 points) and
keras-beans (2-1 sigmoid, SGD 0.05, MSE, batch 10, 200 beans), both with the
lessons' 5,000 epochs:

* plain: ``model.fit(x, y, epochs=N, batch_size=10, verbose=0)``. Running all
  5,000 epochs takes minutes, so it runs ``--fit-epochs`` (default 200) and
  the time is extrapolated: first-epoch time (tracing) + 5,000 x the per-epoch
  time of the rest. The output says so.
* tutor: ``tutor.keras_bridge.fast_fit`` for all 5,000 epochs (same model,
  same seed, same optimizer, batch size and number of updates), reporting
  every epoch to a Reporter as the lessons do; compile time included.
* lesson: the whole lesson run with its defaults (``run_lesson``: data, model,
  summary table, decision-surface views, 5,000 epochs).

``--compare K`` also trains both ways for ``--fit-epochs`` epochs on K seeds
and prints the final loss and accuracy side by side: the shuffles differ
(Keras draws its own), so the numbers are not identical, but they should be
alike. (tests/test_keras_bridge.py checks the exact claim: the fast loop's
weights equal those of training the same batches one by one.)

Usage: python benchmarks/keras_fast_fit.py [--fit-epochs 200] [--epochs 5000] [--compare 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tutor.keras_bridge import fast_fit, import_keras, predict, seed_everything
from tutor.lessons import load_course
from tutor.reporting import Reporter
from tutor.runner import run_lesson


def spiral_model(keras):
    from tutor.routines.deep_spiral import build_model

    return build_model(keras, layers=3, neurons=8, lr=0.05)


def beans_model(keras):
    from tutor.routines.keras_beans import build_model

    return build_model(keras, hidden=2, lr=0.05)


def data(name: str, seed: int):
    from tutor.data.toy import spiral, two_feature_beans

    rng = np.random.default_rng(seed)
    return spiral(rng, 100) if name == "deep-spiral" else two_feature_beans(rng, 200)


def time_plain_fit(keras, make, x, y, fit_epochs: int, epochs: int, seed: int) -> tuple[float, float, float]:
    seed_everything(seed)
    model = make(keras)
    began = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)  # traces the train function
    first = time.perf_counter() - began
    began = time.perf_counter()
    model.fit(x, y, epochs=fit_epochs, batch_size=10, verbose=0)
    per_epoch = (time.perf_counter() - began) / fit_epochs
    return first + per_epoch * (epochs - 1), first, per_epoch


def time_fast_fit(keras, make, x, y, epochs: int, seed: int) -> tuple[float, float]:
    seed_everything(seed)
    model = make(keras)
    reports = []
    began = time.perf_counter()
    fast_fit(model, x, y, epochs=epochs, batch_size=10, reporter=Reporter(reports.append), seed=seed)
    took = time.perf_counter() - began
    accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())
    return took, accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-epochs", type=int, default=200, help="epochs plain fit really runs")
    parser.add_argument("--epochs", type=int, default=5000, help="the lessons' epoch count")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="K",
        help="also compare what both ways learn in --fit-epochs epochs, on K seeds",
    )
    args = parser.parse_args()

    began = time.perf_counter()
    keras = import_keras()
    print(f"import keras/tensorflow: {time.perf_counter() - began:.1f} s (paid once per process, not counted below)")
    course = load_course()
    for name, make in (("deep-spiral", spiral_model), ("keras-beans", beans_model)):
        x, y = data(name, args.seed)
        plain, first, per_epoch = time_plain_fit(keras, make, x, y, args.fit_epochs, args.epochs, args.seed)
        fast, accuracy = time_fast_fit(keras, make, x, y, args.epochs, args.seed)
        lesson = course.get(name)
        began = time.perf_counter()
        record = run_lesson(lesson, lesson.resolve({}), args.seed)
        whole = time.perf_counter() - began
        print(f"\n{name}: {len(x)} points, batch 10, {args.epochs} epochs = {args.epochs * -(-len(x) // 10)} updates")
        print(
            f"  plain model.fit : {plain:7.1f} s  EXTRAPOLATED from {args.fit_epochs} epochs "
            f"(first epoch {first:.2f} s, then {per_epoch * 1000:.1f} ms/epoch)"
        )
        print(
            f"  tutor fast_fit  : {fast:7.1f} s  measured, all {args.epochs} epochs "
            f"({fast / args.epochs * 1000:.2f} ms/epoch incl. compiling), training accuracy {accuracy:.3f}"
        )
        print(f"  ratio           : {plain / fast:7.1f}x faster")
        print(
            f"  whole lesson    : {whole:7.1f} s  (run_lesson with defaults: {record.status}, result {record.result})"
        )
        for seed in range(args.compare):
            compare(keras, make, name, seed, args.fit_epochs)


def compare(keras, make, name: str, seed: int, epochs: int) -> None:
    x, y = data(name, seed)
    results = []
    for fast in (False, True):
        seed_everything(seed)
        model = make(keras)
        if fast:
            history = fast_fit(model, x, y, epochs=epochs, batch_size=10, reporter=Reporter(), seed=seed)
        else:
            history = model.fit(x, y, epochs=epochs, batch_size=10, verbose=0).history
        accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())
        results.append(f"loss {history['loss'][-1]:.4f} accuracy {accuracy:.3f}")
    print(f"  seed {seed}, {epochs} epochs: model.fit {results[0]} | fast_fit {results[1]}")


if __name__ == "__main__":
    main()
