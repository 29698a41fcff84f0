"""Chapter 4 (images): what a learner sees and relies on, on small slices of the real sets.

The Keras runs train on a few thousand images for one epoch, so the whole
file takes well under two minutes on two cores.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from tutor.course import load_course
from tutor.data.images import CLASS_NAMES
from tutor.reporting import Progress
from tutor.routines._images_common import confusion_matrix, cosine_decay, flatten, one_hot, scale_pixels
from tutor.runner import FAILED, FINISHED, STOPPED, RunState, run_lesson

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_data = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present (full MNIST sets)")

COURSE = load_course()
SMALL = {"train_limit": "3000", "test_limit": "500", "epochs": "1", "batch_size": "32"}


@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED))
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUTOR_OFFLINE", "1")  # never reach for the network
    return SHARED


def run(lesson_id: str, **overrides):
    lesson = COURSE.get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(overrides), state=state)
    return record, state.snapshot()


# ---------------------------------------------------------------- the maths, no data needed


def test_preprocessing_steps():
    images = np.zeros((2, 28, 28), np.uint8)
    images[0, 3, 4] = 255
    images[1, 27, 27] = 51
    x = scale_pixels(flatten(images))
    assert x.shape == (2, 784) and x.dtype == np.float32
    assert x[0, 3 * 28 + 4] == 1.0 and x[1, 783] == pytest.approx(0.2)
    assert one_hot(np.array([5, 0]), 10).tolist() == [[0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]


def test_confusion_matrix_counts_pairs():
    true = np.array([0, 0, 1, 2, 2, 2])
    guessed = np.array([0, 1, 1, 2, 0, 2])
    counts = confusion_matrix(true, guessed, classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


@pytest.mark.keras
def test_learning_rate_decay_falls_from_lr_to_zero():
    from tutor.keras_bridge import import_keras

    schedule = cosine_decay(import_keras(), 0.003, steps=100)
    assert [round(float(schedule(step)), 6) for step in (0, 50, 100)] == [0.003, 0.0015, 0.0]


@pytest.mark.parametrize("lesson_id", ["mnist-mlp", "lenet5", "fashion-mnist"])
def test_the_code_tab_of_an_image_lesson_shows_the_whole_recipe(lesson_id):
    """The Code tab shows the routine's file: every step a learner reads about is in it, in order."""
    from tutor.app.widgets.code_view import routine_source

    _, source = routine_source(COURSE.get(lesson_id))
    steps = ["load_images(", "as_inputs(", "model.compile(", "model.fit(", "predict(model, inputs_test)"]
    positions = [source.find(step) for step in steps]
    assert -1 not in positions, [step for step, at in zip(steps, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    if lesson_id == "lenet5":  # the model the lesson describes (and the exercise asks for) is written out
        assert "def lenet5(keras):" in source and "model = lenet5(keras)" in source


# ---------------------------------------------------------------- 4.1 mnist-data


@needs_data
def test_mnist_data_shows_labelled_digits_and_one_hot(data_dir):
    record, snap = run("mnist-data", count="10")
    assert record.status == FINISHED, record.error
    digits = snap.views["digits"]
    assert digits["labels"] == list("5041921314")  # MNIST's well-known first ten labels
    assert np.asarray(digits["images"]).shape == (10, 28, 28)
    first = snap.views["table"]["rows"][0]
    assert first[1] == "5" and first[2] == "[0 0 0 0 0 1 0 0 0 0]"
    assert sum(snap.views["bars"]["values"]) == 60000
    assert record.result["pixel_mean"] == pytest.approx(0.1307, abs=1e-3)  # the usual MNIST mean
    assert record.challenge_met is False
    record, _ = run("mnist-data", start="15")  # the first 7 of the training set
    assert record.result["first_label"] == 7 and record.challenge_met


@needs_data
def test_digit_art_draws_a_known_digit_recognisably(data_dir, snapshot):
    """MNIST's first training image, a 5, as the headless renderer draws it (reviewed by eye)."""
    import plotext

    from tutor import plotting
    from tutor.data.images import load_images

    (x_train, y_train), _ = load_images("mnist")
    plotext.clear_figure()
    plotext.plotsize(36, 22)
    plotext.theme("clear")
    plotting.draw(plotext, "digits", {"images": x_train[:1], "labels": [str(y_train[0])]})
    art = plotext.uncolorize(plotext.build())
    assert art.count("█") > 20  # the strokes are there, not a blank tile
    assert art == snapshot


@needs_data
def test_mnist_data_bad_start_is_a_clear_error(data_dir):
    record, _ = run("mnist-data", split="test", start="12000")
    assert record.status == FAILED and "outside the test set" in record.error and record.traceback is None


# ---------------------------------------------------------------- 4.2-4.4 training (Keras)


@pytest.fixture(scope="module")
def lenet_run(tmp_path_factory):
    """One short LeNet-5 training shared by the tests that look at its outcome."""
    home = tmp_path_factory.mktemp("lenet-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUTOR_DATA_DIR", str(SHARED))
        patch.setenv("TUTOR_HOME", str(home))
        patch.setenv("TUTOR_OFFLINE", "1")
        record, snap = run("lenet5", **SMALL)
    return record, snap, home


@pytest.mark.keras
@needs_data
def test_lenet5_one_short_epoch_beats_chance_by_far(lenet_run):
    record, snap, _ = lenet_run
    assert record.status == FINISHED, record.error
    result = record.result
    assert result["test_accuracy"] > 0.6  # chance is 0.1
    assert result["test_images"] == 500 and result["train_images"] == 3000
    assert result["parameters"] == 44426  # LeNet-5 on 28x28 inputs
    [epoch] = record.history
    assert {"loss", "accuracy", "test_loss", "test_accuracy", "epoch_seconds"} <= set(epoch)
    assert epoch["test_accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-6)
    # The views a learner sees after training.
    assert snap.views["table"]["rows"][0][0].startswith("conv1")
    maps = snap.views["heatmaps"]["maps"]
    assert [np.shape(m["values"]) for m in maps] == [(5, 5)] * 6 + [(24, 24)] * 6
    digits = snap.views["digits"]
    assert len(digits["predicted"]) == len(digits["labels"]) == 24
    assert len(digits["top"]) == 3 and digits["top"][0][1] >= digits["top"][1][1]


@pytest.mark.keras
@needs_data
def test_lenet5_trains_the_lenet5_its_module_holds_whatever_its_layers_are_named(data_dir, monkeypatch):
    """The exercise runs the lesson with the learner's lenet5(keras) put in the routine's module;
    a learner's layers keep Keras' default names."""
    import tutor.routines.lenet5 as routine

    def learners_lenet5(keras):
        layers = keras.layers
        return keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(6, 5, activation="relu"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="relu"),
            layers.AveragePooling2D(2),
            layers.Flatten(),
            layers.Dense(120, activation="relu"),
            layers.Dense(84, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])  # fmt: skip

    monkeypatch.setattr(routine, "lenet5", learners_lenet5)
    record, snap = run("lenet5", train_limit="300", test_limit="50", epochs="1")
    assert record.status == FINISHED, record.error
    assert snap.views["table"]["rows"][0][0].startswith("conv2d")  # the learner's model, not the tutor's
    maps = snap.views["heatmaps"]["maps"]
    assert [np.shape(m["values"]) for m in maps] == [(5, 5)] * 6 + [(24, 24)] * 6


@pytest.mark.keras
@needs_data
def test_confusion_matrix_sums_to_the_test_images(lenet_run):
    record, snap, _ = lenet_run
    [matrix] = snap.views["matrix"]["matrices"]
    counts = np.asarray(matrix["values"])
    assert counts.shape == (10, 10) and counts.sum() == 500
    assert np.trace(counts) / 500 == pytest.approx(record.result["test_accuracy"])
    assert record.result["mistakes"] == 500 - np.trace(counts)


@pytest.mark.keras
@needs_data
def test_saved_model_reloads_with_the_same_predictions(lenet_run, data_dir):
    record, snap, _ = lenet_run
    path = Path(record.result["model_path"])
    assert path.is_file()
    again, snap2 = run("lenet5", mode="evaluate", model=str(path), test_limit="500")
    assert again.status == FINISHED, again.error
    assert again.result["model_path"] == str(path)
    assert snap2.views["digits"]["predicted"] == snap.views["digits"]["predicted"]
    assert np.array_equal(snap2.views["matrix"]["matrices"][0]["values"], snap.views["matrix"]["matrices"][0]["values"])
    assert again.result["test_accuracy"] == record.result["test_accuracy"]
    assert again.result["test_loss"] == pytest.approx(record.result["test_loss"], rel=1e-4)


@pytest.mark.keras
@needs_data
def test_model_is_saved_in_the_user_data_dir(lenet_run):
    record, _, home = lenet_run
    assert Path(record.result["model_path"]) == home / "models" / "lenet5.keras"


@pytest.mark.keras
@needs_data
def test_missing_or_corrupt_model_file_names_the_file(data_dir, tmp_path):
    missing = tmp_path / "nothing.keras"
    record, _ = run("lenet5", mode="evaluate", model=str(missing), test_limit="100")
    assert record.status == FAILED and str(missing) in record.error and record.traceback is None
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"this is not a zip file")
    record, _ = run("lenet5", mode="evaluate", model=str(corrupt), test_limit="100")
    assert record.status == FAILED and str(corrupt) in record.error and record.traceback is None


@pytest.mark.keras
@needs_data
def test_fashion_uses_class_names_everywhere(data_dir):
    record, snap = run("fashion-mnist", train_limit="2000", test_limit="300", epochs="1")
    assert record.status == FINISHED, record.error
    names = list(CLASS_NAMES["fashion-mnist"])
    digits = snap.views["digits"]
    assert digits["labels"][0] == "Ankle boot"  # Fashion-MNIST's first test picture
    assert set(digits["labels"]) | set(digits["predicted"]) <= set(names)
    assert {label for label, _ in digits["top"]} <= set(names)
    [matrix] = snap.views["matrix"]["matrices"]
    assert matrix["rows"] == names and matrix["cols"] == names
    assert snap.views["bars"]["labels"] == names
    assert record.result["truth"] == "Ankle boot" and record.result["predicted"] in names
    assert record.result["test_accuracy"] > 0.5


@pytest.mark.keras
@needs_data
def test_bad_hidden_layers_is_a_clear_error(data_dir):
    from tutor.course import ParamError

    with pytest.raises(ParamError, match="hidden: 'lots' is not a whole number"):  # refused as typed
        COURSE.get("mnist-mlp").resolve({"hidden": "256,lots"})
    record, _ = run("mnist-mlp", hidden="256,0", train_limit="100", test_limit="100")  # whole, but no layer of 0
    assert record.status == FAILED and "hidden layers '256,0'" in record.error and record.traceback is None


@pytest.mark.keras
@needs_data
def test_stop_ends_training_between_batches(data_dir):
    lesson = COURSE.get("mnist-mlp")
    cancel = threading.Event()

    def on_report(report, state):
        if isinstance(report, Progress):
            cancel.set()  # Stop at the first progress report (a batch or the first epoch)

    values = lesson.resolve({"train_limit": "5000", "test_limit": "200", "epochs": "50", "batch_size": "32"})
    record = run_lesson(lesson, values, on_report=on_report, cancel=cancel)
    assert record.status == STOPPED
    assert len(record.history) <= 1


@pytest.mark.keras
@needs_data
def test_headless_json_run(data_dir, tmp_path, capsys):
    from tutor.cli import main

    out = tmp_path / "run.json"
    args = ["run", "lenet5", "--headless", "--json", str(out)]
    for name, value in {**SMALL, "test_limit": "200"}.items():
        args += ["--set", f"{name}={value}"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "conv1" in printed and "test_accuracy" in printed and "lenet5.keras" in printed
    run_json = json.loads(out.read_text())
    assert run_json["lesson"] == "lenet5" and run_json["status"] == FINISHED
    assert run_json["params"]["preset"] == "fast" and run_json["params"]["train_limit"] == 3000
    assert len(run_json["history"]) == 1
    result = run_json["result"]
    assert 0.6 < result["test_accuracy"] <= 1 and result["test_images"] == 200
    assert Path(result["model_path"]).is_file()
    assert run_json["challenge_met"] is (result["test_accuracy"] >= 0.985)


@needs_data
@pytest.mark.keras
def test_a_model_that_cannot_be_saved_keeps_the_training_and_says_why(data_dir, tmp_path):
    # A folder given as the model path: the finished training is kept, the note says why it was not saved.
    folder = tmp_path / "a-folder.keras"
    folder.mkdir()
    lesson = COURSE.get("mnist-mlp")
    state = RunState()
    record = run_lesson(lesson, lesson.resolve({**SMALL, "train_limit": "500", "model": str(folder)}), state=state)
    assert record.status == FINISHED, record.error
    assert record.result["model_saved"] is False and record.result["test_accuracy"] > 0.5
    [note] = [note for note in state.snapshot().notes if "not saved" in note]
    assert "a-folder.keras" in note and "folder" in note
    assert folder.is_dir() and not list(folder.iterdir())  # nothing replaced, nothing left behind
    assert not list(tmp_path.glob(".*tmp*"))
