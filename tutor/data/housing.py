"""The Boston housing data: 13 facts about a district, and its median house price (k$).

Where it comes from, in order:

1. Keras' copy, if it is already in Keras' cache (``~/.keras/datasets``);
2. Keras' copy, downloaded - only when the download server answers within a
   couple of seconds and ``TUTOR_OFFLINE`` is not set (the probe in
   :mod:`tutor.data.network`, shared with the image sets: offline, or with a
   DNS that never answers, this fails fast instead of hanging);
3. the copy that ships inside the ``mlxtend`` package.

``source`` picks one of them explicitly ("keras" or "mlxtend"); "auto" tries
them in that order. Neither available: a :class:`~tutor.reporting.TutorError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tutor.data.network import KERAS_HOST, keras_datasets_dir, online
from tutor.i18n import _
from tutor.reporting import TutorError

KERAS_FILE = "boston_housing.npz"
CAPPED_PRICE = 50.0  # the survey wrote every price of 50 k$ or more as 50


def keras_cache_paths() -> list[Path]:
    """Where Keras' get_file keeps its download (its home, or /tmp/.keras when that is read-only)."""
    return [keras_datasets_dir() / KERAS_FILE, Path("/tmp/.keras/datasets") / KERAS_FILE]


def _from_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return np.asarray(data["x"], float), np.asarray(data["y"], float)


def _online(host: str = KERAS_HOST, timeout: float = 2.0) -> bool:
    """The one probe of tutor.data.network: ``TUTOR_OFFLINE=1`` and a slow DNS both answer "no" fast."""
    return online(host, 443, timeout)


def _from_keras(download: bool) -> tuple[np.ndarray, np.ndarray] | None:
    for path in keras_cache_paths():
        if path.is_file():
            try:
                return _from_npz(path)
            except (OSError, KeyError, ValueError):
                continue
    if not download or not _online():
        return None
    from tutor.keras_bridge import import_keras

    keras = import_keras()
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data(test_split=0.0)
    except Exception:  # a failed or corrupt download: let the next source try
        return None
    return np.concatenate([x_train, x_test]).astype(float), np.concatenate([y_train, y_test]).astype(float)


def _from_mlxtend() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        from mlxtend.data import boston_housing_data
    except ImportError:
        return None
    x, y = boston_housing_data()
    return np.asarray(x, float), np.asarray(y, float)


def boston_housing(source: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """All 506 districts: features (506, 13), prices (506,) in k$, and where they came from."""
    if source not in ("auto", "keras", "mlxtend"):
        raise TutorError(_("unknown housing data source {source!r} (use auto, keras or mlxtend)").format(source=source))
    if source in ("auto", "keras"):
        found = _from_keras(download=True)
        if found is not None:
            return (*found, "keras")
    if source in ("auto", "mlxtend"):
        found = _from_mlxtend()
        if found is not None:
            return (*found, "mlxtend")
    if source == "auto":
        message = _(
            "The Boston housing data is not available: Keras has no cached copy ({path}), "
            "the download server cannot be reached, and mlxtend is not installed (pip install mlxtend)."
        )
    else:
        message = _(
            "The Boston housing data is not available: Keras has no cached copy ({path}), "
            "the download server cannot be reached, and source={source!r} allows no other copy."
        )
    raise TutorError(message.format(path=keras_cache_paths()[0], source=source))


def housing_split(rng: np.random.Generator, test_fraction: float = 0.2, source: str = "auto"):
    """Prices below the cap, a random train/test split, features standardised.

    The mean and spread come from the training districts only: the test set
    must not leak into anything the model is fitted with.
    Returns x_train, y_train, x_test, y_test (float32) and the source's name.
    """
    x, y, origin = boston_housing(source)
    keep = y < CAPPED_PRICE  # a capped price is not the real price
    x, y = x[keep], y[keep]
    order = rng.permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std[std == 0] = 1.0
    standardise = lambda a: ((a - mean) / std).astype("float32")  # noqa: E731
    return (standardise(x[train]), y[train].astype("float32"), standardise(x[test]), y[test].astype("float32"), origin)
