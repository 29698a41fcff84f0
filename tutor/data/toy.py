"""Small seeded data sets for the Keras chapter: beans, spirals, circles, XOR...

Every generator takes the run's ``np.random.Generator`` (``params.rng``), so
the same seed gives the same points. Features come back as float32 arrays of
shape (m, features) and labels as (m,) arrays, ready for Keras.
"""

from __future__ import annotations

import numpy as np


def _shuffled(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(x))
    return x[order].astype("float32"), y[order].astype("float32")


def line_points(rng: np.random.Generator, m: int = 100, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """x evenly spaced in [0, 1], y = x + N(0, noise): the simplest regression."""
    x = np.linspace(0.0, 1.0, m)  # (m,)
    y = x + rng.normal(0.0, noise, m)  # (m,)
    return x.reshape(-1, 1).astype("float32"), y.astype("float32")


def two_feature_beans(rng: np.random.Generator, m: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Beans with size and colour depth in [0, 1]; toxic (1) above a curved border.

    A bean is toxic when its colour is deeper than 3 (size - 0.5)^2 + 0.2: for
    middle-sized beans a light colour is already enough, very small or very
    large ones must be dark. The border is a parabola - no straight line
    separates the classes, two hidden sigmoid neurons (one per arm) can.
    """
    x = rng.uniform(0.0, 1.0, (m, 2))  # (m, 2): size, colour depth
    y = (x[:, 1] > 3.0 * (x[:, 0] - 0.5) ** 2 + 0.2).astype(float)  # (m,)
    return x.astype("float32"), y.astype("float32")


def spiral(rng: np.random.Generator, m: int = 100, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, m // 2 points each; class 1 starts at angle 0, class 0 at pi.

    Point i of n: radius r = 5 i / n, angle t = 1.75 * 2 pi i / n + delta,
    (x1, x2) = (r sin t, r cos t) + U(-noise, noise) on each coordinate.
    """
    n = m // 2
    parts, labels = [], []
    for label, delta in ((1, 0.0), (0, np.pi)):
        i = np.arange(n)
        r = 5.0 * i / n
        t = 1.75 * 2.0 * np.pi * i / n + delta
        points = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)  # (n, 2)
        parts.append(points + rng.uniform(-noise, noise, points.shape))
        labels.append(np.full(n, label))
    return _shuffled(rng, np.concatenate(parts), np.concatenate(labels))


def circle(rng: np.random.Generator, m: int = 100, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 0.5, class 0 on a ring from 0.7 to 1 around it (half each).

    ``noise`` adds N(0, noise) to each coordinate after the labels are set.
    """
    n_in, n_out = m // 2, m - m // 2
    radius = np.concatenate([rng.uniform(0.0, 0.5, n_in), rng.uniform(0.7, 1.0, n_out)])
    angle = rng.uniform(0.0, 2.0 * np.pi, m)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)  # (m, 2)
    x = x + rng.normal(0.0, noise, x.shape) if noise > 0 else x
    y = np.concatenate([np.ones(n_in), np.zeros(n_out)])
    return _shuffled(rng, x, y)


def xor(rng: np.random.Generator, m: int = 100, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-1, 1]^2, class 1 where x1 and x2 have the same sign (quadrants I and III).

    A margin of 0.05 around the axes keeps the classes apart; ``noise`` jitters
    the points after labelling.
    """
    x = rng.uniform(0.05, 1.0, (m, 2)) * rng.choice([-1.0, 1.0], (m, 2))  # (m, 2)
    y = (x[:, 0] * x[:, 1] > 0).astype(float)
    x = x + rng.normal(0.0, noise, x.shape) if noise > 0 else x
    return x.astype("float32"), y.astype("float32")


def gaussian_blobs(rng: np.random.Generator, m: int = 100, spread: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Two round clouds, N((0.5, 0.5), spread) for class 1 and N((-0.5, -0.5), spread) for class 0."""
    n1 = m // 2
    centres = np.where(np.arange(m)[:, None] < n1, 0.5, -0.5)  # (m, 1)
    x = centres + rng.normal(0.0, spread, (m, 2))
    y = (np.arange(m) < n1).astype(float)
    return _shuffled(rng, x, y)


TWO_CLASS_SETS = {"spiral": spiral, "circle": circle, "xor": xor, "gaussian": gaussian_blobs}


def two_class(name: str, rng: np.random.Generator, m: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """One of the playground sets by name: spiral, circle, xor or gaussian."""
    return TWO_CLASS_SETS[name](rng, m)


def quality_check(rng: np.random.Generator, m: int = 400, tolerance: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    """m parts, each measured twice (x1, x2 in [0, 1]); a part passes (1) near the target.

    The target is (0.5, 0.5); a part passes when its two measurements are
    within ``tolerance`` of it together (a disc). No straight line separates
    pass from fail: the passing parts sit in the middle, the failing ones all
    around them. About 38% of the parts pass.
    """
    x = rng.uniform(0.0, 1.0, (m, 2))  # (m, 2)
    y = (np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5) < tolerance).astype(float)  # (m,)
    return x.astype("float32"), y.astype("float32")


def random_labels(
    rng: np.random.Generator, m: int = 1000, features: int = 100, classes: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """m samples of uniform random features with uniformly random labels 0..classes-1.

    There is nothing to learn: any accuracy above 1/classes on unseen samples is luck.
    """
    x = rng.uniform(0.0, 1.0, (m, features))  # (m, features)
    y = rng.integers(0, classes, m)  # (m,)
    return x.astype("float32"), y.astype("int64")


def train_test_split(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, test_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random split: (x_train, y_train, x_test, y_test), test_fraction of the samples held out.

    Every class in ``y`` keeps at least one training sample (and, when the
    test set has room and the class has two samples, one test sample): with
    few samples and a large test share (20 parts, 90% held out) a plain
    random split can leave a class with nothing to learn from. Such a class
    swaps a sample with the class that has the most; a split that already has
    every class is the plain random split, unchanged.
    """
    order = rng.permutation(len(x))
    n_test = min(len(x) - 1, int(round(len(x) * test_fraction))) if len(x) else 0
    test, train = order[:n_test].copy(), order[n_test:].copy()
    labels = np.asarray(y)
    classes = np.unique(labels)
    for part, other in ((train, test), (test, train)):
        if len(part) < len(classes):
            continue  # too small to hold every class: keep what the shuffle gave
        for label in classes:
            if np.any(labels[part] == label):
                continue
            donors = np.flatnonzero(labels[other] == label)
            if len(donors) < (2 if part is test else 1):  # never take a class's last training sample
                continue
            counts = {c: int(np.sum(labels[part] == c)) for c in classes}
            richest = max(counts, key=counts.__getitem__)
            if counts[richest] < 2:
                continue
            swap = np.flatnonzero(labels[part] == richest)[0]
            part[swap], other[donors[0]] = other[donors[0]], part[swap]
    return x[train], y[train], x[test], y[test]


def grid(
    low: tuple[float, float], high: tuple[float, float], step: float | None = None, points: int = 60
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid over a rectangle for a decision surface: (xs (nx,), ys (ny,), coords (ny*nx, 2)).

    ``step`` gives the spacing (e.g. 0.01), otherwise ``points`` per axis.
    Rows of ``coords`` run over x fastest, so ``z.reshape(ny, nx)`` lines up.
    """
    if step:
        xs = np.arange(low[0], high[0] + step / 2, step)
        ys = np.arange(low[1], high[1] + step / 2, step)
    else:
        xs, ys = np.linspace(low[0], high[0], points), np.linspace(low[1], high[1], points)
    gx, gy = np.meshgrid(xs, ys)  # (ny, nx) each
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1).astype("float32")
