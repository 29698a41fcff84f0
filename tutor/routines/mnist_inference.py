"""2.6 Reading MNIST digits with a 784-50-100-10 network, one image at a time and in batches.

    x (784,) -> sigmoid(x W1 + b1) (50,) -> sigmoid(. W2 + b2) (100,) -> softmax(. W3 + b3) (10,)

The weights come from an .npz file the learner names, or - without one - the
tutor trains them itself with mini-batch back-propagation and keeps them in
the user data directory for next time. Then the 10,000 test images are
classified twice: in a Python loop over single images and in batches of 100.
Both give the same predictions; the batched loop is many times faster.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

from tutor.data.images import load_images
from tutor.data.safe import NpzReader, regular_file, show
from tutor.files import atomic_path
from tutor.i18n import _
from tutor.paths import user_data_dir
from tutor.reporting import TutorError
from tutor.routine_types import Params, Reporter

SIZES = (784, 50, 100, 10)
SHAPES = {
    "W1": (784, 50), "b1": (50,),
    "W2": (50, 100), "b2": (100,),
    "W3": (100, 10), "b3": (10,),
}
EPSILON = 1e-7  # keeps log() finite when a probability rounds to 0
WEIGHTS_MAX_BYTES = 784 * 50 * 16  # the largest array (W1) in the widest number type (complex128 is refused)



def softmax(a: np.ndarray) -> np.ndarray:
    """Logits to probabilities, row by row; shifted by the largest logit so e^a never overflows."""
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy(y: np.ndarray, t: np.ndarray) -> float:
    """The mean over the rows of -log(the probability of the true class); t is one-hot."""
    picked = np.sum(t * y, axis=1)  # each row's probability of its true class
    return float(-np.mean(np.log(picked + EPSILON)))

def sigmoid(a: np.ndarray) -> np.ndarray:
    # Clipping keeps exp() from overflowing on extreme weights; sigmoid is flat there anyway.
    return 1.0 / (1.0 + np.exp(-np.clip(a, -500, 500)))


def predict(network: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class probabilities for one image (784,) -> (10,) or a batch (n, 784) -> (n, 10)."""
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    return softmax(z2 @ network["W3"] + network["b3"])


# ---------------------------------------------------------------- weights files


def load_weights(path: str | Path) -> dict[str, np.ndarray]:
    """W1, b1, ..., b3 from an .npz (never unpickles); a TutorError names what is wrong.

    The path must be a regular file (a folder, FIFO or device is said to be
    one, never opened). Each array's shape and type are read from its header
    and checked against what the network needs before its data is unpacked,
    so a small file that declares a huge array allocates nothing.
    """
    path = Path(path).expanduser()
    if regular_file(path, "weights") is None:
        raise TutorError(_("weights: there is no file {path}").format(path=show(path)))
    with NpzReader(path, "weights", max_bytes=WEIGHTS_MAX_BYTES) as archive:
        found = set(archive.files)
        for key, shape in SHAPES.items():
            if key not in found:
                raise TutorError(_("weights: {path} has no array {key!r} (expected {key} with shape {shape}; "
                                   "the file holds {found})").format(
                    path=show(path), key=key, shape=shape, found=", ".join(sorted(found))[:200] or _("nothing")))
            declared, dtype = archive.header(key)
            if declared != shape:
                raise TutorError(_("weights: {key!r} in {path} has shape {declared}, expected {shape}").format(
                    key=key, path=show(path), declared=declared, shape=shape))
            if not np.issubdtype(dtype, np.floating) and not np.issubdtype(dtype, np.integer):
                raise TutorError(_("weights: {key!r} in {path} holds {dtype} values, expected numbers").format(
                    key=key, path=show(path), dtype=dtype))
        network = {key: archive.read(key) for key in SHAPES}
    for key, value in network.items():
        if not np.all(np.isfinite(value)):
            raise TutorError(_("weights: {key!r} in {path} contains NaN or infinite values").format(
                key=key, path=show(path)))
    return network


def save_weights(path: Path, network: dict[str, np.ndarray]) -> None:
    """Write atomically: a run stopped half-way never leaves a broken file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        np.savez(temporary, **network)  # type: ignore[arg-type]  # NumPy's stub reads **arrays as its flags


# ---------------------------------------------------------------- training


def init_network(rng: np.random.Generator, dtype=np.float32) -> dict[str, np.ndarray]:
    """Random weights with variance 1/fan-in (Xavier), so the sigmoids start unsaturated."""
    network = {}
    for layer, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        network[f"W{layer}"] = (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)).astype(dtype)
        network[f"b{layer}"] = np.zeros(n_out, dtype=dtype)
    return network


def backward(network: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray) -> tuple[dict, float]:
    """Gradients of the mean cross-entropy over a batch (x (n, 784), t one-hot (n, 10))."""
    z1 = sigmoid(x @ network["W1"] + network["b1"])  # (n, 50)
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])  # (n, 100)
    y = softmax(z2 @ network["W3"] + network["b3"])  # (n, 10)
    # softmax and cross-entropy together have the simplest derivative: y - t.
    d3 = (y - t) / len(x)  # (n, 10)
    d2 = (d3 @ network["W3"].T) * z2 * (1.0 - z2)  # (n, 100): back through W3, then sigmoid'
    d1 = (d2 @ network["W2"].T) * z1 * (1.0 - z1)  # (n, 50)
    grads = {
        "W3": z2.T @ d3, "b3": d3.sum(axis=0),
        "W2": z1.T @ d2, "b2": d2.sum(axis=0),
        "W1": x.T @ d1, "b1": d1.sum(axis=0),
    }
    return grads, cross_entropy(y, t)


def train(network, x, labels, x_test, y_test, params: Params, reporter: Reporter) -> dict[str, np.ndarray]:
    """Mini-batch SGD: shuffle every epoch, one step per batch."""
    targets = np.eye(10, dtype=x.dtype)[labels]  # one-hot (n, 10)
    batches = (len(x) + params.train_batch - 1) // params.train_batch
    for epoch in range(1, params.epochs + 1):
        order = params.rng.permutation(len(x))
        total = 0.0
        for number, start in enumerate(range(0, len(x), params.train_batch), start=1):
            reporter.check_cancelled()
            chosen = order[start:start + params.train_batch]
            grads, loss = backward(network, x[chosen], targets[chosen])
            for key in network:
                network[key] -= params.lr * grads[key]
            total += loss
            if number % 100 == 0:
                reporter.progress(number, batches, unit="batch", record=False, loss=loss)
        accuracy = float(np.mean(predict(network, x_test).argmax(axis=1) == y_test))
        reporter.progress(epoch, params.epochs, loss=total / batches, test_accuracy=accuracy)
    return network


# ---------------------------------------------------------------- the comparison


def accuracy_one_by_one(network, x, labels, reporter: Reporter) -> tuple[float, np.ndarray, float]:
    """The plain loop: one image, one prediction, one Python iteration each."""
    predictions = np.empty(len(x), dtype=np.int64)
    began = time.perf_counter()
    for i in range(len(x)):
        predictions[i] = np.argmax(predict(network, x[i]))
        if i % 500 == 0:
            reporter.check_cancelled()
    seconds = time.perf_counter() - began
    return float(np.mean(predictions == labels)), predictions, seconds


def accuracy_batched(network, x, labels, batch, reporter: Reporter) -> tuple[float, np.ndarray, float]:
    """The same maths on x[i:i+batch]: one matrix product per layer per batch."""
    predictions = np.empty(len(x), dtype=np.int64)
    began = time.perf_counter()
    for i in range(0, len(x), batch):
        reporter.check_cancelled()
        predictions[i:i + batch] = np.argmax(predict(network, x[i:i + batch]), axis=1)
    seconds = time.perf_counter() - began
    return float(np.mean(predictions == labels)), predictions, seconds


def one_core():
    """Run NumPy's matrix products on one thread.

    These products are small; on a busy machine OpenBLAS's worker threads spend
    more time waiting for each other than computing, and the timings become
    noise. One thread is faster here and keeps the comparison about batching.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def cached_weights_path(params: Params, train_size: int) -> Path:
    name = (f"mnist-784-50-100-10_n{train_size}_e{params.epochs}_lr{params.lr:g}"
            f"_b{params.train_batch}_seed{params.seed}.npz")
    return user_data_dir() / "weights" / name


def get_network(params: Params, reporter: Reporter, x_train, y_train, x_test, y_test) -> tuple[dict, str, float]:
    """(network, where it came from, seconds spent training)."""
    path = cached_weights_path(params, len(x_train))
    if path.is_file() and not params.retrain:
        try:
            network = load_weights(path)
        except TutorError as error:
            reporter.note(_("the saved weights could not be read ({error}); training new ones").format(error=error))
        else:
            reporter.note(_("reusing the weights trained earlier: {path} (set retrain=true to train again)").format(
                path=path))
            return network, "saved", 0.0
    reporter.note(_("no weights file given: training the network ({epochs} epochs of mini-batch SGD, "
                    "batch {batch}, lr {lr:g})").format(epochs=params.epochs, batch=params.train_batch, lr=params.lr))
    if len(x_train) < 60000 and params.epochs < 20:
        reporter.note(_("only {images:,} training images: {epochs} epochs are few steps. "
                        "Set epochs to 20 for about {accuracy:.0%} on this small sample.").format(
            images=len(x_train), epochs=params.epochs, accuracy=0.92))
    began = time.perf_counter()
    network = train(init_network(params.rng), x_train, y_train, x_test, y_test, params, reporter)
    seconds = time.perf_counter() - began
    try:
        save_weights(path, network)
        reporter.note(_("trained in {seconds:.1f} s; weights saved to {path} for next time").format(
            seconds=seconds, path=path))
    except OSError as error:
        reporter.note(_("trained in {seconds:.1f} s; could not save the weights ({error})").format(
            seconds=seconds, error=error))
    return network, "trained", seconds


SHOWN = 24  # test images in the digits view


def preview(params: Params, reporter: Reporter) -> None:
    """The first test digits with their labels, before the network answers."""
    _training, (x_test, y_test) = load_images("mnist", notify=reporter.note)
    reporter.view("digits", images=np.array(x_test[:SHOWN]), labels=[str(v) for v in y_test[:SHOWN]],
                  selected=0, title=_("the first {count} test digits").format(count=SHOWN))


def run(params: Params, reporter: Reporter) -> dict:
    given = None
    if params.weights.strip():  # check the file before spending time on the images
        given = load_weights(params.weights.strip())
        reporter.note(_("weights loaded from {path}").format(path=Path(params.weights.strip()).expanduser()))
    (x_train, y_train), (x_test, y_test) = load_images("mnist", notify=reporter.note)
    # Flatten to 784 and scale to [0, 1]; training runs in float32 (twice as fast),
    # inference in float64 so both loops compute with the same precision.
    train_x = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
    test_x = x_test.reshape(len(x_test), -1).astype(np.float64) / 255.0
    test_y = y_test.astype(np.int64)

    with one_core():
        if given is not None:
            network, source, train_seconds = given, "file", 0.0
        else:
            network, source, train_seconds = get_network(
                params, reporter, train_x, y_train.astype(np.int64), test_x.astype(np.float32), test_y)
        network = {key: value.astype(np.float64) for key, value in network.items()}
        acc_single, single, t_single = accuracy_one_by_one(network, test_x, test_y, reporter)
        acc_batch, batched, t_batch = accuracy_batched(network, test_x, test_y, params.batch, reporter)

    speedup = t_single / max(t_batch, 1e-9)
    n = len(test_x)
    reporter.view(
        "table",
        title=_("{count:,} test images, weights: {source}").format(count=n, source=source),
        columns=[_("method"), _("accuracy"), _("seconds"), _("images per second")],
        rows=[
            [_("one image at a time"), acc_single, round(t_single, 3), round(n / t_single)],
            [_("batches of {size}").format(size=params.batch), acc_batch, round(t_batch, 3), round(n / t_batch)],
            [_("speed-up"), _("same") if np.array_equal(single, batched) else _("DIFFERENT"), f"{speedup:.1f}x", ""],
        ],
    )
    per_digit = [float(np.mean(batched[test_y == d] == d)) if np.any(test_y == d) else 0.0 for d in range(10)]
    reporter.view("bars", labels=[str(d) for d in range(10)], values=per_digit, ylim=(0.0, 1.0),
                  title=_("accuracy per digit"), ylabel=_("accuracy"))
    shown = SHOWN
    wrong = np.flatnonzero(batched[:shown] != test_y[:shown])
    selected = int(wrong[0]) if len(wrong) else 0
    probabilities = predict(network, test_x[:shown])  # (shown, 10)

    def top_3(p: np.ndarray) -> list[tuple[str, float]]:
        return [(str(k), float(p[k])) for k in np.argsort(p)[::-1][:3]]

    tops = [top_3(p) for p in probabilities]  # every shown image's: the app browses them with the arrow keys
    reporter.view(
        "digits", images=np.array(x_test[:shown]), labels=[str(v) for v in test_y[:shown]],
        predicted=[str(v) for v in batched[:shown]], selected=selected, top=tops[selected], tops=tops,
        title=_("the first {count} test digits and the network's answers").format(count=shown),
    )
    result = {
        "accuracy_one_by_one": acc_single,
        "accuracy_batched": acc_batch,
        "same_predictions": bool(np.array_equal(single, batched)),
        "seconds_one_by_one": round(t_single, 4),
        "seconds_batched": round(t_batch, 4),
        "speedup": round(speedup, 2),
        "test_images": n,
        "weights": source,
    }
    if source == "trained":
        result["train_seconds"] = round(train_seconds, 2)
    return result
