"""The data before the run, and challenges that check the data set their goal names.

``preview(params, reporter)`` sends only data views (no model's answers), is
quick, never imports TensorFlow, and shows exactly the data the run uses with
the same seed.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tutor.course import load_course
from tutor.reporting import Reporter, ViewUpdate
from tutor.runner import Params, RunState, run_lesson
from tutor.views import VIEWS

COURSE = load_course()
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="../shared/data is not here")

NUMPY_PREVIEWS = ["rosenblatt", "cost-function", "gradient-descent", "cost-surface", "sigmoid-neuron", "hidden-layer"]
KERAS_PREVIEWS = ["keras-basics", "keras-beans", "deep-spiral", "binary-mlp"]
IMAGE_PREVIEWS = ["mnist-data", "mnist-inference", "mnist-mlp", "lenet5", "fashion-mnist"]


def module_of(lesson_id: str):
    return importlib.import_module(COURSE.get(lesson_id).routine.split(":")[0])


def preview(lesson_id: str, seed: int = 0, **overrides) -> dict:
    lesson = COURSE.get(lesson_id)
    sent: list = []
    module_of(lesson_id).preview(Params(lesson.resolve(overrides), seed), Reporter(sent.append))
    views = {report.view: report.data for report in sent if isinstance(report, ViewUpdate)}
    assert len(views) == len([r for r in sent if isinstance(r, ViewUpdate)]), "one update per view"
    return views


def run_views(lesson_id: str, seed: int = 0, **overrides):
    lesson = COURSE.get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(overrides), seed, state=state)
    return record, state.snapshot().views


def points_of(view: dict) -> dict[str, np.ndarray]:
    """Each labelled group's points as sorted (x, y) rows: the data, whatever its order."""
    out = {}
    for group in view["points"]:
        xy = np.column_stack([np.asarray(group["x"], float).ravel(), np.asarray(group["y"], float).ravel()])
        out[str(group["label"])] = xy[np.lexsort(xy.T[::-1])]
    return out


def assert_same_points(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for label in a:
        np.testing.assert_allclose(a[label], b[label], rtol=1e-6)


def test_every_lesson_with_data_to_look_at_has_a_preview():
    for lesson_id in NUMPY_PREVIEWS + KERAS_PREVIEWS + IMAGE_PREVIEWS:
        assert callable(getattr(module_of(lesson_id), "preview", None)), lesson_id


@pytest.mark.parametrize("lesson_id", NUMPY_PREVIEWS)
@pytest.mark.parametrize("seed", [0, 3])
def test_numpy_preview_shows_the_data_the_run_uses(lesson_id, seed):
    began = time.perf_counter()
    before = preview(lesson_id, seed)
    assert time.perf_counter() - began < 0.5
    _, after = run_views(lesson_id, seed, **({"epochs": 3} if "epochs" in COURSE.get(lesson_id).params else {}))
    assert "fit" in before
    assert not before["fit"].get("lines"), "a preview draws no model"
    assert_same_points(points_of(before["fit"]), points_of(after["fit"]))
    for kind, data in before.items():
        assert kind in COURSE.get(lesson_id).views
        assert all(key in data for key in VIEWS[kind].required)


def test_cost_surface_preview_is_the_cost_map_and_the_start():
    before = preview("cost-surface", b0=-1.0)
    _, after = run_views("cost-surface", epochs=2, b0=-1.0)
    np.testing.assert_allclose(before["surface"]["z"], after["surface"]["z"])
    assert list(before["surface"]["path"]["x"]) == [0.1] and list(before["surface"]["path"]["y"]) == [-1.0]


def test_preview_follows_the_data_parameters():
    band = preview("sigmoid-neuron", data="band")["fit"]
    assert "band" in band["title"]
    assert len(preview("rosenblatt", beans=7)["fit"]["points"][0]["x"]) == 7


@pytest.mark.parametrize("lesson_id", KERAS_PREVIEWS)
def test_keras_preview_is_the_data_helpers_output_with_the_run_seed(lesson_id):
    """Without TensorFlow: the preview's points are what tutor.data makes from params.rng."""
    from tutor.data import toy

    lesson = COURSE.get(lesson_id)
    values = lesson.resolve({})
    views = preview(lesson_id, seed=5)
    rng = np.random.default_rng(5)
    if lesson_id == "keras-basics":
        x, y = toy.line_points(rng, values["points"], values["noise"])
        np.testing.assert_allclose(views["fit"]["points"][0]["x"], x[:, 0])
        np.testing.assert_allclose(views["fit"]["points"][0]["y"], y)
        return
    if lesson_id == "keras-beans":
        x, y = toy.two_feature_beans(rng, values["beans"])
    elif lesson_id == "deep-spiral":
        x, y = toy.two_class(values["dataset"], rng, values["points"])
    else:
        x, y = toy.quality_check(rng, values["samples"])
        x, y, _, _ = toy.train_test_split(rng, x, y, values["test_fraction"])
    surface = views["surface"]
    assert np.size(surface["z"]) == 0, "no model, so no values over the grid yet"
    for k, group in enumerate(surface["points"]):
        np.testing.assert_allclose(group["x"], x[y == k, 0])
        np.testing.assert_allclose(group["y"], x[y == k, 1])


@needs_shared
@pytest.mark.parametrize("lesson_id", IMAGE_PREVIEWS)
def test_image_preview_shows_labelled_images_without_predictions(lesson_id, monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED))
    from tutor.data.images import CLASS_NAMES, load_images

    views = preview(lesson_id)
    digits = views["digits"]
    assert "predicted" not in digits and "top" not in digits and "tops" not in digits
    name = "fashion-mnist" if lesson_id == "fashion-mnist" else "mnist"
    (x_train, y_train), (x_test, y_test) = load_images(name)
    images, labels = (x_train, y_train) if lesson_id == "mnist-data" else (x_test, y_test)
    n = len(digits["images"])
    assert n == len(digits["labels"]) > 0
    np.testing.assert_array_equal(digits["images"], images[:n])
    assert digits["labels"] == [CLASS_NAMES[name][v] for v in labels[:n]]


@needs_shared
@pytest.mark.parametrize("lesson_id", ["mnist-data", "mnist-inference"])
def test_image_preview_is_what_the_run_shows(lesson_id, monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED))
    before = preview(lesson_id)["digits"]
    _, after = run_views(lesson_id, **({"epochs": 1} if lesson_id == "mnist-inference" else {}))
    np.testing.assert_array_equal(before["images"], after["digits"]["images"])
    assert before["labels"] == after["digits"]["labels"]


def test_previews_never_import_tensorflow():
    lessons = NUMPY_PREVIEWS + KERAS_PREVIEWS + (IMAGE_PREVIEWS if (SHARED / "mnist").is_dir() else [])
    script = f"""
import json, os, sys
os.environ["TUTOR_DATA_DIR"] = {str(SHARED)!r}
from tutor.course import load_course
from tutor.reporting import Reporter
from tutor.runner import Params
import importlib
course = load_course()
kinds = {{}}
for lesson_id in {lessons!r}:
    lesson = course.get(lesson_id)
    module = importlib.import_module(lesson.routine.split(":")[0])
    sent = []
    module.preview(Params(lesson.resolve({{}}), lesson.seed), Reporter(sent.append))
    kinds[lesson_id] = [getattr(report, "view", None) for report in sent]
print(json.dumps({{"tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules, "kinds": kinds}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert not found["tensorflow"] and not found["keras"]
    assert all(found["kinds"][lesson_id] for lesson_id in lessons)


# ---------------------------------------------------------------- challenges name their data set


def test_deep_spiral_challenge_needs_the_spiral():
    challenge = COURSE.get("deep-spiral").challenge
    assert "spiral" in challenge.goal
    assert not challenge.met({"spiral": False, "accuracy": 1.0, "loss": 0.0, "parameters": 177})
    assert challenge.met({"spiral": True, "accuracy": 0.96, "loss": 0.01, "parameters": 177})


def test_sigmoid_neuron_challenge_needs_the_threshold_beans():
    record, _ = run_views("sigmoid-neuron", data="band", epochs=10)
    assert record.result["threshold_beans"] is False
    challenge = COURSE.get("sigmoid-neuron").challenge
    assert not challenge.met({**record.result, "accuracy": 1.0, "loss": 0.0})
    record, _ = run_views("sigmoid-neuron", lr=0.5, epochs=300)
    assert record.result["threshold_beans"] is True and record.challenge_met


@needs_shared
def test_mnist_data_challenge_needs_a_handwritten_seven(monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED))
    sneaker, _ = run_views("mnist-data", images="fashion-mnist", start=6)
    assert sneaker.result["first_label"] == 7 and sneaker.result["first_name"] == "Sneaker"
    assert sneaker.challenge_met is False
    seven, _ = run_views("mnist-data", start=15)
    assert seven.result["first_label"] == 7 and seven.challenge_met is True


@pytest.mark.parametrize("lesson_id,accuracy", [("mnist-mlp", 0.975), ("lenet5", 0.985), ("fashion-mnist", 0.87)])
def test_image_challenges_are_judged_on_the_whole_test_set(lesson_id, accuracy):
    lesson = COURSE.get(lesson_id)
    assert "10,000" in lesson.challenge.goal
    assert not lesson.challenge.met({"test_images": 100, "test_accuracy": 1.0})
    assert lesson.challenge.met({"test_images": 10000, "test_accuracy": accuracy})


@pytest.mark.keras
def test_keras_preview_points_are_the_points_the_run_trains_on():
    """One short run of each Keras lesson with a 2-D data view: its drawn data equals the preview's."""
    for lesson_id in KERAS_PREVIEWS:
        before = preview(lesson_id, seed=2)
        record, after = run_views(lesson_id, seed=2, epochs=2)
        assert record.status == "finished", record.error
        kind = "fit" if lesson_id == "keras-basics" else "surface"
        assert_same_points(points_of(before[kind]), points_of(after[kind]))
        if kind == "surface":  # the same grid, so the plot does not jump when the run starts
            np.testing.assert_allclose(before[kind]["x"], after[kind]["x"])
            np.testing.assert_allclose(before[kind]["y"], after[kind]["y"])
