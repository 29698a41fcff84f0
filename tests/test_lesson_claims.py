"""What the lesson pages say happens, happens: each claim is read from the page and checked on a run.

Chapters 1-2 (NumPy lessons). Each test reads the sentence it checks from the
lesson file, so editing the text without the numbers (or the routine without
the text) fails here.
"""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest

from tutor.course import load_course
from tutor.runner import DIVERGED, FINISHED, RunState, run_lesson

COURSE = load_course()


def text_of(lesson_id: str) -> str:
    lesson = COURSE.get(lesson_id)
    parts = [
        lesson.summary,
        lesson.challenge.goal,
        *(p.text for p in lesson.pages),
        *(param.help for param in lesson.params.values()),
    ]
    return re.sub(r"\s+", " ", "\n".join(parts))


def says(lesson_id: str, phrase: str) -> None:
    """The lesson's text contains ``phrase`` (whitespace-insensitive)."""
    assert re.sub(r"\s+", " ", phrase) in text_of(lesson_id), f"{lesson_id} no longer says {phrase!r}"


def run(lesson_id: str, seed: int | None = None, **overrides):
    """(record, views at the end) for a run of the lesson with ``overrides``."""
    lesson = COURSE.get(lesson_id)
    state = RunState()
    record = run_lesson(lesson, lesson.resolve(overrides), seed, state=state)
    return record, state.snapshot().views


# ---------------------------------------------------------------- rosenblatt


def test_rosenblatt_alpha_2_lands_lower_as_the_page_says():
    says("rosenblatt", "`w = 1.236` instead of 1.267, and the loss is 0.0021 instead of 0.0015")
    default, _ = run("rosenblatt")
    big, _ = run("rosenblatt", lr=2.0)
    assert big.status == FINISHED  # alpha = 2.0 does not blow up here: the page must not say it does
    assert round(big.result["w"], 3) == 1.236 and round(default.result["w"], 3) == 1.267
    assert round(big.result["loss"], 4) == 0.0021 and round(default.result["loss"], 4) == 0.0015
    # "It still ends each pass at the same place": no wobble between epochs
    assert np.ptp([p["w"] for p in big.history if p["step"] >= 1]) < 1e-9


def test_rosenblatt_bigger_nudges_overshoot_beans_above_0_71():
    says("rosenblatt", "On every bean bigger than 0.71")
    # w jumps past y/x exactly when lr * x^2 > 1
    assert 1 / math.sqrt(2.0) == pytest.approx(0.71, abs=0.005)


def test_rosenblatt_small_alpha_climbs_over_about_25_passes_and_default_in_the_first():
    says("rosenblatt", "the line now climbs slowly over about 25 passes")
    says("rosenblatt", "`w` goes from 0.05 to about 1.10")
    slow, _ = run("rosenblatt", lr=0.005)
    final = slow.result["w"]
    settled = next(p["step"] for p in slow.history if abs(p["w"] - final) < 0.01)
    assert 20 <= settled <= 30
    default, _ = run("rosenblatt")
    assert [round(p["w"], 2) for p in default.history[:2]] == [0.05, 1.10]  # epoch 0, then the first pass


# ---------------------------------------------------------------- gradient-descent


def test_gradient_descent_lr_5_diverges_at_once_with_finite_last_frames():
    says("gradient-descent", "after 12 beans `w` has flown off to about -3800")
    began = time.perf_counter()
    record, views = run("gradient-descent", lr=5)
    assert time.perf_counter() - began < 1.0
    assert record.status == DIVERGED
    assert "diverged" in record.error and "smaller learning rate" in record.error
    assert "after 12 updates" in record.error
    # the blow-up is on the loss curve, finite
    assert record.history and math.isfinite(record.history[-1]["loss"]) and record.history[-1]["loss"] > 1e5
    assert record.history[-1]["loss"] == pytest.approx(5.2e6, rel=0.05)
    # the last frames show the zig-zag, every number finite and the curve covering the path
    path = np.asarray(views["cost"]["path"]["x"], dtype=float)
    assert np.all(np.isfinite(path)) and np.all(np.isfinite(views["cost"]["path"]["y"]))
    assert len(path) == 13 and path[0] == pytest.approx(0.01)
    assert np.any(np.diff(np.sign(np.diff(path))) != 0)  # it zig-zags
    curve = np.asarray(views["cost"]["x"], dtype=float)
    assert curve.min() <= path.min() and curve.max() >= path.max()
    assert views["fit"]["ylim"][1] < 2  # the runaway line is cut at the beans' range


@pytest.mark.parametrize("method", ["stochastic", "mini-batch", "fixed-step"])
def test_gradient_descent_sends_the_whole_walk_from_the_start(method):
    record, views = run("gradient-descent", method=method)
    path = np.asarray(views["cost"]["path"]["x"], dtype=float)
    assert path[0] == pytest.approx(0.01)  # the start, not the last 40 epochs beside the minimum
    assert len(path) <= 400
    below = path[path < 1.0]
    assert len(below) >= 5  # the walk downhill has several points on the way
    assert path[-1] == pytest.approx(record.result["w"])
    assert views["loss"]["ylog"] and views["loss"]["xlog"]  # per update, on log-log axes


def test_gradient_descent_methods_differ_by_powers_of_ten_early_on_as_the_page_says():
    says("gradient-descent", "after 30 updates stochastic is near 0.004, mini-batch near 0.009, fixed")
    says("gradient-descent", "step still at 0.34 - and in the tail the stochastic curve stays the most ragged")
    after_30, ragged = {}, {}
    for method in ("stochastic", "mini-batch", "fixed-step"):
        record, _ = run("gradient-descent", method=method, epochs=60)
        loss = {point["step"]: point["loss"] for point in record.history}
        after_30[method] = loss[30]
        tail = [value for step, value in loss.items() if step > 1000]
        ragged[method] = max(tail) / min(tail)
    assert after_30 == pytest.approx({"stochastic": 0.004, "mini-batch": 0.009, "fixed-step": 0.34}, rel=0.1)
    assert ragged["stochastic"] > ragged["fixed-step"] > ragged["mini-batch"]


def test_gradient_descent_path_points_lie_on_the_cost_curve():
    from tutor.data.beans import toxicity_beans

    _, views = run("gradient-descent", method="mini-batch", epochs=20)
    x, y = toxicity_beans(np.random.default_rng(0), 500)
    for w, c in zip(views["cost"]["path"]["x"], views["cost"]["path"]["y"]):
        assert c == pytest.approx(np.mean((y - w * x) ** 2))


def test_gradient_descent_fixed_step_0_1_hops_around_the_bottom_as_the_page_says():
    says("gradient-descent", "reaches the bottom in 12 steps, then hops between 1.21 and 1.31")
    says("gradient-descent", "`wobble`, now 0.2")
    record, views = run("gradient-descent", method="fixed-step", fixed_step=0.1)
    path = np.round(np.asarray(views["cost"]["path"]["x"], dtype=float), 2)
    assert path[12] == 1.21 and set(path[12:40]) <= {1.21, 1.31, 1.41}
    assert round(record.result["wobble"], 2) == 0.2
    assert record.challenge_met is False


def test_gradient_descent_wobble_numbers_on_the_page():
    says("gradient-descent", "stochastic wobbles most (about 0.07), fixed step 0.06, mini-batch least (about 0.01)")
    wobble = {
        m: run("gradient-descent", method=m)[0].result["wobble"] for m in ("stochastic", "mini-batch", "fixed-step")
    }
    assert round(wobble["stochastic"], 2) == 0.07
    assert round(wobble["fixed-step"], 2) == 0.06
    assert round(wobble["mini-batch"], 2) == 0.01


def test_gradient_descent_without_shuffle_stochastic_misses():
    says("gradient-descent", "(stochastic: 1.238 instead of 1.274, and the challenge is missed)")
    record, _ = run("gradient-descent", shuffle=False)
    assert round(record.result["w"], 3) == 1.238 and round(record.result["least_squares_w"], 3) == 1.274
    assert record.challenge_met is False


# ---------------------------------------------------------------- cost-surface


def test_cost_surface_lr_1_2_diverges_within_a_second_with_bounded_frames():
    says("cost-surface", "after 8 steps the walk has left the map far behind: the run stops as **diverged**")
    began = time.perf_counter()
    record, views = run("cost-surface", lr=1.2)
    assert time.perf_counter() - began < 1.0
    assert record.status == DIVERGED and "diverged" in record.error
    assert record.history[-1]["step"] == 8
    surface = views["surface"]
    for axis in ("x", "y"):
        values = np.asarray(surface["path"][axis], dtype=float)
        assert np.all(np.isfinite(values)) and np.abs(values).max() < 1e4
    assert "-0.000" not in surface["title"]


def test_cost_surface_zig_zags_at_0_7_and_the_limit_is_near_0_76():
    says("cost-surface", "Try `learning rate = 0.7`")
    says("cost-surface", "the limit lies near 0.76")
    zig, views = run("cost-surface", lr=0.7)
    assert zig.status == FINISHED and zig.challenge_met
    b = np.asarray(views["surface"]["path"]["y"], dtype=float)[:8]
    assert np.all(np.diff(np.sign(np.diff(b))) != 0)  # b goes down, up, down...
    assert run("cost-surface", lr=0.75)[0].status == FINISHED
    assert run("cost-surface", lr=0.8)[0].status == DIVERGED


def test_cost_surface_first_steps_slide_down_b():
    says("cost-surface", "b falls from 2.5 to about 1 in six steps")
    record, _ = run("cost-surface")
    assert round(record.history[5]["b"]) == 1 and record.history[5]["step"] == 6


def test_cost_surface_grid_is_the_one_the_page_describes():
    says("cost-surface", "`w` from -1.5 to 2.5, `b` from -3 to 3, steps of 0.1")
    _, views = run("cost-surface", epochs=3)
    x, y = np.asarray(views["surface"]["x"]), np.asarray(views["surface"]["y"])
    assert (x[0], x[-1], y[0], y[-1]) == (-1.5, 2.5, -3.0, 3.0)
    assert np.allclose(np.diff(x), 0.1) and np.allclose(np.diff(y), 0.1)


# ---------------------------------------------------------------- softmax


def test_softmax_cross_entropy_shown_is_minus_log_of_the_probability_shown():
    says("softmax", "`-log(2.06106e-09) = 20`")
    record, views = run("softmax", logits="1010, 1000, 990", label=2)
    title = views["table"]["title"]
    assert "-log(2.06106e-09) = 20" in title
    shown = float(re.search(r"-log\(([^)]+)\)", title).group(1))
    assert record.result["cross_entropy"] == pytest.approx(-math.log(shown), rel=1e-5)


def test_softmax_cross_entropy_of_a_probability_that_rounds_to_zero_is_still_exact():
    record, views = run("softmax", logits="1010, 0", label=1)
    assert record.status == FINISHED
    assert record.result["cross_entropy"] == pytest.approx(1010)
    assert "-log(e^-1010) = 1010" in views["table"]["title"]


def test_softmax_loss_table_on_the_page_is_right():
    page = next(p.text for p in COURSE.get("softmax").pages if "| true class gets | loss |" in p.text)
    rows = re.findall(r"^\|\s*([0-9.]+)\s*\|\s*([0-9.]+)\s*\|", page, re.M)
    assert len(rows) == 4
    for p, loss in rows:
        digits = len(loss.partition(".")[2])
        assert f"{-math.log(float(p)) + 0.0:.{digits}f}" == loss, (p, loss)


def test_softmax_refuses_logits_no_network_makes_instead_of_calling_them_diverged():
    record, _ = run("softmax", logits="1e100, -1e100", label=1)
    assert record.status == "failed" and "too large" in record.error and "learning rate" not in record.error
    record, _ = run("softmax", logits="1e6, -1e6", label=1)
    assert record.status == FINISHED and record.result["cross_entropy"] == pytest.approx(2e6)


# ---------------------------------------------------------------- other numbers next to their formulas


def test_cost_function_sweep_backwards_is_explained_not_an_index_error():
    record, _ = run("cost-function", w_from=5.0, w_to=-5.0)
    assert record.status == "failed" and "sweep to" in record.error and record.traceback is None


@pytest.mark.parametrize("between", ["none", "sigmoid", "relu", "tanh"])
def test_activation_functions_title_is_the_formula_computed(between):
    record, views = run("activation-functions", between=between)
    titles = [m["title"] for m in views["matrix"]["matrices"]]
    name = "" if between == "none" else between
    assert f"two layers: {name}(X W1 + b1) W2 + b2" in titles


def test_sigmoid_neuron_band_accuracy_is_below_always_harmless_as_the_page_says():
    says("sigmoid-neuron", 'its accuracy stays around 0.52 - worse than answering "harmless" for every bean (0.60 here')
    record, _ = run("sigmoid-neuron", data="band")
    assert round(record.result["accuracy"], 2) == 0.52
    from tutor.data.beans import band_beans

    _, y = band_beans(np.random.default_rng(0), 100)
    assert 1 - y.mean() == pytest.approx(0.60)


def test_hidden_layer_faster_learning_rate_numbers():
    says("hidden-layer", "after 150 epochs instead of 350 with the default seed, and 150 instead of 1,050 with seed 1")

    def first_at_95(seed, **overrides):
        record, _ = run("hidden-layer", seed, **overrides)
        return next(p["step"] for p in record.history if p["accuracy"] >= 0.95)

    assert first_at_95(0) == 350 and first_at_95(0, lr=0.5) == 150
    assert first_at_95(1) == 1050 and first_at_95(1, lr=0.5) == 150


def test_no_minus_zero_in_titles_and_labels():
    _, views = run("cost-function", w_from=-5.0, w_to=5.0)
    assert "-0.00" not in views["cost"]["title"] + views["fit"]["lines"][0]["label"]
    record, views = run("cost-function", w_from=-0.5, w_to=0.5, step=0.1)
    assert record.status == FINISHED
    from tutor.routines._numbers import fmt, plus

    assert fmt(-0.0001, ".3f") == "0.000" and fmt(-0.5, ".1f") == "-0.5"
    assert plus(-0.05) == "- 0.05" and plus(-0.001) == "+ 0.00" and plus(2.5) == "+ 2.50"
    _, views = run("cost-surface", epochs=500)
    assert "+ -" not in views["fit"]["lines"][0]["label"]


def test_cost_surface_map_is_the_mean_squared_error_without_a_beans_sized_grid():
    from tutor.data.beans import toxicity_beans
    from tutor.routines import cost_surface as cs

    x, y = toxicity_beans(np.random.default_rng(1), 5000)
    began = time.perf_counter()
    fast = cs.cost_map(x, y)
    assert time.perf_counter() - began < 0.05  # no (61, 41, 5000) array behind it
    slow = cs.cost(cs.GRID_W[np.newaxis, :], cs.GRID_B[:, np.newaxis], x, y)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)
