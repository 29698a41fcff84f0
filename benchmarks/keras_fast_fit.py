"""Plain ``model.fit`` against the tutor's fast loop, and the fast loop of two source trees side by side.

For deep-spiral (8-8-8-1 ReLU, SGD 0.05, MSE, batch 10, 100 points) and
keras-beans (2-1 sigmoid, SGD 0.05, MSE, batch 10, 200 beans), both with the
lessons' 5,000 epochs:

* plain: ``model.fit(x, y, epochs=N, batch_size=10, verbose=0)``. Running all
  5,000 epochs takes minutes, so it runs ``--fit-epochs`` (default 200) and
  the time is extrapolated: first-epoch time (tracing) + 5,000 x the per-epoch
  time of the rest. The output says so.
* fast_fit: ``tutor.keras_bridge.fast_fit`` for all 5,000 epochs (same model,
  same seed, same optimizer, batch size and number of updates), reporting
  every epoch to a Reporter as the lessons do; compile time included.

``--before DIR`` times the fast loop of another checkout too (e.g. a frozen
copy made with ``git worktree add /tmp/kb-before HEAD`` before a change):
each tree runs in its own Python process with ``PYTHONPATH`` pointing at it,
the two alternating ``--rounds`` times, and the best time of each is
compared. Every process imports TensorFlow before its clock starts.

``--compare K`` also trains both ways for ``--fit-epochs`` epochs on K seeds
and prints the final loss and accuracy side by side: the shuffles differ
(Keras draws its own), so the numbers are not identical, but they should be
alike. (tests/test_keras_bridge.py checks the exact claim: the fast loop's
weights equal those of training the same batches one by one.)

Usage: python benchmarks/keras_fast_fit.py [--before /tmp/kb-before] [--rounds 2]
                                           [--fit-epochs 200] [--epochs 5000] [--compare 3] [--quick]

``--quick`` (the test suite's mode): deep-spiral only, 20 epochs (5 of them with plain fit)
and one seed compared - only that it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
LESSONS = ("deep-spiral", "keras-beans")


def make_model(keras, name: str):
    """The lesson's own model with its default settings."""
    if name == "deep-spiral":
        from tutor.routines.deep_spiral import build_model

        return build_model(keras, layers=3, neurons=8, lr=0.05)
    from tutor.routines.keras_beans import build_model

    return build_model(keras, hidden=2, lr=0.05)


def data(name: str, seed: int):
    from tutor.data.toy import spiral, two_feature_beans

    rng = np.random.default_rng(seed)
    return spiral(rng, 100) if name == "deep-spiral" else two_feature_beans(rng, 200)


def time_plain_fit(keras, name: str, fit_epochs: int, epochs: int, seed: int) -> tuple[float, float, float]:
    from tutor.keras_bridge import seed_everything

    x, y = data(name, seed)
    seed_everything(seed)
    model = make_model(keras, name)
    began = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)  # traces the train function
    first = time.perf_counter() - began
    began = time.perf_counter()
    model.fit(x, y, epochs=fit_epochs, batch_size=10, verbose=0)
    per_epoch = (time.perf_counter() - began) / fit_epochs
    return first + per_epoch * (epochs - 1), first, per_epoch


def time_fast_fit(keras, name: str, epochs: int, seed: int) -> tuple[float, float]:
    """Seconds for all epochs with the fast loop (compiling included), and the training accuracy."""
    from tutor.keras_bridge import fast_fit, predict, seed_everything
    from tutor.reporting import Reporter

    x, y = data(name, seed)
    seed_everything(seed)
    model = make_model(keras, name)
    reports = []
    began = time.perf_counter()
    fast_fit(model, x, y, epochs=epochs, batch_size=10, reporter=Reporter(reports.append), seed=seed)
    took = time.perf_counter() - began
    accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())
    return took, accuracy


def child(epochs: int, seed: int) -> None:
    """In a process whose PYTHONPATH points at one tree: time its fast loop, print JSON."""
    import tutor
    from tutor.keras_bridge import import_keras

    keras = import_keras()
    figures = {"tutor": str(Path(tutor.__file__).parent)}
    for name in LESSONS:
        figures[name] = time_fast_fit(keras, name, epochs, seed)
    print(json.dumps(figures))


def time_tree(tree: Path, epochs: int, seed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, str(HERE), "--child", "--epochs", str(epochs), "--seed", str(seed)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"timing {tree} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(figures["tutor"]).resolve() != (tree / "tutor").resolve():
        raise SystemExit(f"PYTHONPATH={tree} imported the tutor from {figures['tutor']}")
    return figures


def side_by_side(before: Path, after: Path, rounds: int, epochs: int, seed: int) -> None:
    times: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    for round_ in range(1, rounds + 1):
        for side, tree in (("before", before), ("after", after)):
            figures = time_tree(tree, epochs, seed)
            for name in LESSONS:
                times[side].setdefault(name, []).append(figures[name][0])
            shown = ", ".join(f"{name} {figures[name][0]:.1f} s (accuracy {figures[name][1]:.3f})" for name in LESSONS)
            print(f"  round {round_} {side:6s} ({tree}): {shown}", flush=True)
    print(f"\nfast_fit, {epochs} epochs, best of {rounds} (one process per tree and round, TF import not counted):")
    for name in LESSONS:
        old, new = min(times["before"][name]), min(times["after"][name])
        print(f"  {name:12s} before {old:6.1f} s   after {new:6.1f} s   after/before {new / old:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-epochs", type=int, default=200, help="epochs plain fit really runs")
    parser.add_argument("--epochs", type=int, default=5000, help="the lessons' epoch count")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", type=Path, help="another source tree whose fast loop is timed side by side")
    parser.add_argument("--after", type=Path, default=HERE.parents[1], help="the tree compared with --before")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each tree (best is kept)")
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="K",
        help="also compare what both ways learn in --fit-epochs epochs, on K seeds",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="20 epochs, one seed compared: only that it runs")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.fit_epochs, args.compare = 20, 5, 1
    if args.child:
        child(args.epochs, args.seed)
        return
    if args.before is not None:
        side_by_side(args.before.resolve(), args.after.resolve(), args.rounds, args.epochs, args.seed)
        return

    sys.path.insert(0, str(HERE.parents[1]))
    from tutor.keras_bridge import import_keras

    began = time.perf_counter()
    keras = import_keras()
    print(f"import keras/tensorflow: {time.perf_counter() - began:.1f} s (paid once per process, not counted below)")
    for name in LESSONS[:1] if args.quick else LESSONS:
        x, _ = data(name, args.seed)
        plain, first, per_epoch = time_plain_fit(keras, name, args.fit_epochs, args.epochs, args.seed)
        fast, accuracy = time_fast_fit(keras, name, args.epochs, args.seed)
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
        for seed in range(args.compare):
            compare(keras, name, seed, args.fit_epochs)


def compare(keras, name: str, seed: int, epochs: int) -> None:
    from tutor.keras_bridge import fast_fit, predict, seed_everything
    from tutor.reporting import Reporter

    x, y = data(name, seed)
    results = []
    for fast in (False, True):
        seed_everything(seed)
        model = make_model(keras, name)
        if fast:
            history = fast_fit(model, x, y, epochs=epochs, batch_size=10, reporter=Reporter(), seed=seed)
        else:
            history = model.fit(x, y, epochs=epochs, batch_size=10, verbose=0).history
        accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())
        results.append(f"loss {history['loss'][-1]:.4f} accuracy {accuracy:.3f}")
    print(f"  seed {seed}, {epochs} epochs: model.fit {results[0]} | fast_fit {results[1]}")


if __name__ == "__main__":
    main()
