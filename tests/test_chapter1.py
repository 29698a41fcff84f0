"""Chapter 1 routines: the numbers a learner is told about really come out."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.course import load_course
from tutor.data.beans import toxicity_beans
from tutor.runner import FINISHED, run_lesson

COURSE = load_course()


def run(lesson_id: str, seed: int = 0, **overrides):
    lesson = COURSE.get(lesson_id)
    record = run_lesson(lesson, lesson.resolve(overrides), seed)
    assert record.status == FINISHED, record.error
    return record


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_rosenblatt_settles_a_little_above_the_true_slope(seed):
    record = run("rosenblatt", seed)
    assert 1.2 <= record.result["w"] <= 1.35
    assert record.challenge_met


def test_rosenblatt_records_one_history_point_per_epoch():
    record = run("rosenblatt", epochs=30)
    # Epoch 0 is where w starts, before any bean: the replay shows the line swinging up from there.
    assert [point["step"] for point in record.history] == list(range(0, 31))
    assert record.history[0]["w"] == 0.05
    assert record.history[-1]["loss"] < record.history[0]["loss"]


@pytest.mark.parametrize("seed", [0, 5])
def test_cost_sweep_finds_the_least_squares_slope_within_one_step(seed):
    record = run("cost-function", seed)
    x, y = toxicity_beans(np.random.default_rng(seed), 100)
    exact = float(np.linalg.lstsq(x[:, None], y, rcond=None)[0][0])  # slope of y = w x
    assert abs(record.result["best_w"] - exact) <= 0.01
    assert record.result["least_squares_w"] == pytest.approx(exact)
    assert record.result["min_cost"] == pytest.approx(np.mean((y - record.result["best_w"] * x) ** 2))


def test_a_coarse_sweep_misses_the_bottom_and_the_challenge_says_so():
    record = run("cost-function", step=0.25)
    assert abs(record.result["best_w"] - record.result["least_squares_w"]) > 0.01
    assert record.challenge_met is False


@pytest.mark.parametrize("method", ["stochastic", "mini-batch", "fixed-step"])
def test_each_descent_method_lowers_the_cost(method):
    record = run("gradient-descent", method=method, epochs=40)
    losses = [point["loss"] for point in record.history]
    x, y = toxicity_beans(np.random.default_rng(0), 500)
    start_cost = float(np.mean((y - 0.01 * x) ** 2))
    assert losses[-1] < start_cost / 50
    assert abs(record.result["w"] - record.result["least_squares_w"]) < 0.05


def test_fixed_step_keeps_wobbling_while_mini_batch_settles():
    fixed = run("gradient-descent", method="fixed-step", epochs=100, fixed_step=0.05)
    smooth = run("gradient-descent", method="mini-batch", epochs=100, lr=0.05)
    assert fixed.result["wobble"] > 5 * smooth.result["wobble"]


def test_update_counts_match_the_method():
    assert run("gradient-descent", method="stochastic", epochs=2).result["updates"] == 1000
    assert run("gradient-descent", method="mini-batch", epochs=2).result["updates"] == 100


def test_same_seed_same_numbers_other_seed_other_beans():
    first = run("gradient-descent", seed=7, method="mini-batch", epochs=5)
    again = run("gradient-descent", seed=7, method="mini-batch", epochs=5)
    other = run("gradient-descent", seed=8, method="mini-batch", epochs=5)
    assert first.result == again.result and first.history == again.history
    assert other.result["least_squares_w"] != first.result["least_squares_w"]


def test_cost_surface_descent_reaches_the_least_squares_line():
    record = run("cost-surface")
    x, y = toxicity_beans(np.random.default_rng(0), 100)
    w, b = np.polyfit(x, y, 1)
    assert record.result["w"] == pytest.approx(w, abs=0.05)
    assert record.result["b"] == pytest.approx(b, abs=0.05)
    assert record.challenge_met


def test_cost_surface_view_is_the_cost_over_the_grid():
    lesson = COURSE.get("cost-surface")
    from tutor.runner import RunState

    state = RunState()
    run_lesson(lesson, lesson.resolve({"epochs": 5}), 0, state=state)
    surface = state.snapshot().views["surface"]
    x, y = toxicity_beans(np.random.default_rng(0), 100)
    assert np.asarray(surface["z"]).shape == (61, 41)
    w, b = surface["x"][3], surface["y"][10]
    assert surface["z"][10][3] == pytest.approx(np.mean((y - (w * x + b)) ** 2))


def test_a_huge_learning_rate_diverges_with_an_explanation():
    lesson = COURSE.get("gradient-descent")
    record = run_lesson(lesson, lesson.resolve({"method": "mini-batch", "lr": 5}), 0)
    assert record.status == "diverged"
    assert "diverged" in record.error and "smaller learning rate" in record.error
    assert record.challenge_met is None
