"""The Keras bridge: the fast loop trains exactly as fit's steps do, reports, stops, stays quiet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from tutor.reporting import Cancelled, Progress, Reporter

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def keras():
    from tutor.keras_bridge import import_keras

    return import_keras()


def small_model(keras, seed=0, optimizer="sgd", built=True, lr=None):
    from tutor.keras_bridge import seed_everything

    seed_everything(seed)
    layers = [keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
    model = keras.Sequential([keras.Input((2,)), *layers] if built else layers)
    opt = keras.optimizers.SGD(lr or 0.1) if optimizer == "sgd" else keras.optimizers.Adam(lr or 0.01)
    model.compile(optimizer=opt, loss="mse", metrics=["accuracy"])
    return model


def toy(n=23, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2)).astype("float32")
    return x, (x[:, 0] * x[:, 1] > 0).astype("float32")


def replay_by_hand(keras, model, x, y, epochs, batch_size, seed):
    """What fast_fit promises, written out: a fresh permutation per epoch from the generator,
    batches in order, the last one partial, one optimizer step per batch (train_on_batch)."""
    rng = np.random.default_rng(seed)
    for _epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            model.train_on_batch(x[idx], y[idx])


@pytest.mark.parametrize("built", [True, False], ids=["with-Input", "unbuilt"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fast_fit_makes_the_same_updates_as_training_batch_by_batch(keras, optimizer, built):
    from tutor.keras_bridge import fast_fit

    x, y = toy(23)  # 23 points, batch 5: four full batches and a partial one per epoch
    # An unbuilt model (no Input) gets its weights when the fast loop first calls it.
    fast = small_model(keras, optimizer=optimizer, built=built)
    fast_fit(fast, x, y, epochs=4, batch_size=5, reporter=Reporter(), seed=7, jit_compile=False)
    by_hand = small_model(keras, optimizer=optimizer, built=built)
    replay_by_hand(keras, by_hand, x, y, epochs=4, batch_size=5, seed=7)
    assert int(fast.optimizer.iterations.numpy()) == 4 * 5 == int(by_hand.optimizer.iterations.numpy())
    for a, b in zip(fast.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fast_fit_logs_what_fit_logs_for_the_same_batches(keras):
    """The epoch's loss is the mean over samples (batches weighted by size), accuracy over all of them."""
    from tutor.keras_bridge import fast_fit

    x, y = toy(23)
    model = small_model(keras)
    before = [w.copy() for w in model.get_weights()]
    history = fast_fit(model, x, y, epochs=1, batch_size=5, reporter=Reporter(), seed=7, jit_compile=False)
    replayed = small_model(keras)
    replayed.set_weights(before)
    order = np.random.default_rng(7).permutation(len(x))
    losses, right = [], 0
    for start in range(0, len(x), 5):
        idx = order[start : start + 5]
        prediction = np.asarray(replayed(x[idx], training=True))[:, 0]
        losses.append(float(np.mean((prediction - y[idx]) ** 2)) * len(idx))
        right += int(np.sum((prediction > 0.5) == (y[idx] > 0.5)))
        replayed.train_on_batch(x[idx], y[idx])
    assert history["loss"] == [pytest.approx(sum(losses) / len(x), rel=1e-5)]
    assert history["accuracy"] == [pytest.approx(right / len(x))]


def test_the_bridge_uses_only_public_keras_and_leaves_warning_filters_alone():
    """Private Keras calls (``model._symbolic_build``) break with a Keras upgrade; warning
    filters are the process's, not the bridge's to change."""
    import pathlib
    import re

    import tutor.keras_bridge

    folder = pathlib.Path(tutor.keras_bridge.__file__).parent
    private = re.compile(r"\b(model|optimizer|keras|tf|layer)\._[a-z]")
    for path in folder.glob("*.py"):
        source = path.read_text()
        assert not private.search(source), f"{path.name} uses private Keras API: {private.search(source)[0]}"
    code = textwrap.dedent("""
        import warnings
        before = list(warnings.filters)
        from tutor.keras_bridge import import_keras
        import_keras()
        # (TensorFlow's dependencies add filters for their own warning classes; the
        # bridge used to ignore every warning from whole modules: keras, tensorflow, absl.)
        whole_modules = [f for f in warnings.filters if f not in before and f[3] is not None]
        assert not whole_modules, whole_modules
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_xla_and_plain_graph_agree(keras):
    from tutor.keras_bridge import fast_fit

    x, y = toy(40)
    results = []
    for jit in (True, False):
        model = small_model(keras)
        history = fast_fit(model, x, y, epochs=30, batch_size=10, reporter=Reporter(), seed=3, jit_compile=jit)
        results.append((model.get_weights(), history["loss"]))
    # Same batches, same steps: only floating-point rounding may differ.
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-4)


def test_a_run_of_the_same_shapes_reuses_the_xla_program_and_trains_exactly_as_a_fresh_one(keras):
    """XLA never frees a compiled program, so a lesson run again (another seed, data or learning
    rate) runs the program compiled before, loaded with the new model's state."""
    from tutor.keras_bridge import fast_fit, fast_loop

    fast_loop.forget_compiled_programs()

    def train(model, seed):
        x, y = toy(40, seed=seed)
        settings = {"epochs": 20, "batch_size": 10, "reporter": Reporter(), "seed": seed, "jit_compile": True}
        return fast_fit(model, x, y, validation_data=(x, y), **settings)

    train(small_model(keras, seed=1), seed=1)
    results = []
    for _ in ("reused", "fresh"):
        model = small_model(keras, seed=2, lr=0.3)
        history = train(model, seed=2)
        assert len(fast_loop._compiled_programs) == 1  # the first run's program, reused / the fresh one
        assert int(model.optimizer.iterations.numpy()) == 20 * 4
        results.append((model.get_weights(), history))
        fast_loop.forget_compiled_programs()
    (reused, reused_history), (fresh, fresh_history) = results
    for a, b in zip(reused, fresh, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert reused_history.keys() == fresh_history.keys()
    for key in fresh_history:
        np.testing.assert_allclose(reused_history[key], fresh_history[key], rtol=1e-6, atol=1e-7)


def test_fast_fit_reports_every_epoch_with_renamed_validation_metrics(keras):
    from tutor.keras_bridge import fast_fit

    x, y = toy(30)
    reports, views = [], []
    model = small_model(keras)
    history = fast_fit(
        model,
        x,
        y,
        epochs=25,
        batch_size=10,
        reporter=Reporter(reports.append),
        seed=0,
        validation_data=(x[:10], y[:10]),
        val_name="test",
        view_every=10,
        on_view=lambda m, epoch: views.append(epoch),
    )
    progress = [r for r in reports if isinstance(r, Progress)]
    assert [p.step for p in progress] == list(range(1, 26))
    assert set(progress[-1].metrics) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert set(history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert all(len(values) == 25 for values in history.values())
    assert views[-1] == 25 and all(b - a >= 10 for a, b in zip(views, views[1:-1]))
    # The last epoch's test metrics are the final model's evaluation on those points.
    evaluated = model.evaluate(x[:10], y[:10], verbose=0, return_dict=True)
    assert history["test_loss"][-1] == pytest.approx(evaluated["loss"], rel=1e-4)


def test_callback_reports_fit_epochs_and_views(keras):
    from tutor.keras_bridge import reporter_callback

    x, y = toy(30)
    reports, views = [], []
    model = small_model(keras)
    callback = reporter_callback(
        Reporter(reports.append), 6, view_every=4, on_view=lambda m, epoch: views.append(epoch), val_name="held_out"
    )
    model.fit(x, y, epochs=6, batch_size=10, verbose=0, validation_data=(x, y), callbacks=[callback])
    progress = [r for r in reports if isinstance(r, Progress)]
    assert [p.step for p in progress] == [1, 2, 3, 4, 5, 6]
    assert {p.total for p in progress} == {6}
    assert {"loss", "accuracy", "held_out_loss", "held_out_accuracy"} == set(progress[0].metrics)
    assert views == [4, 6]


@pytest.mark.parametrize("fast", [True, False], ids=["fast_fit", "model.fit"])
def test_stop_interrupts_training_between_batches(keras, fast):
    from tutor.keras_bridge import train

    x, y = toy(200)
    reports = []
    cancel = threading.Event()
    reporter = Reporter(reports.append, cancel)
    asked = {}

    def on_view(model, epoch):  # the first view: training is underway, ask to stop soon
        if not asked:

            def stop():
                asked["at"] = time.perf_counter()
                cancel.set()

            threading.Timer(0.1, stop).start()
            asked["timer"] = True

    with pytest.raises(Cancelled):
        train(
            small_model(keras),
            x,
            y,
            epochs=100_000,
            batch_size=1,
            reporter=reporter,
            seed=0,
            fast=fast,
            view_every=1,
            on_view=on_view,
        )
    stopped_after = time.perf_counter() - asked["at"]
    epochs_done = [r.step for r in reports if isinstance(r, Progress)]
    assert 0 < len(epochs_done) < 100_000
    assert stopped_after < 3.0  # the promise is 1 s; generous for a loaded CI machine


def test_summary_table_lists_layers_shapes_and_parameters(keras):
    from tutor.payloads import summary_table

    table = summary_table(small_model(keras))
    assert table["columns"] == ["layer (type)", "output shape", "params"]
    assert [row[1:] for row in table["rows"]] == [["(None, 4)", 12], ["(None, 1)", 5], ["", 17]]
    assert "Dense" in table["rows"][0][0]


def test_decision_surface_grid_matches_the_view_contract(keras):
    from tutor.payloads import decision_surface, predict

    x, y = toy(30)
    model = small_model(keras)
    data = decision_surface(model, x, y, step=0.25, bounds=((-1.0, -1.0), (1.0, 1.0)))
    assert list(data["x"]) == [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.shape(data["z"]) == (9, 9)
    # z[row j, column i] is the model at (x[i], y[j])
    assert data["z"][2, 7] == pytest.approx(predict(model, [[0.75, -0.5]])[0, 0], abs=1e-6)
    assert sum(len(group["x"]) for group in data["points"]) == 30


def test_import_tutor_and_loading_the_course_do_not_import_tensorflow():
    code = textwrap.dedent("""
        import sys
        import tutor, tutor.course, tutor.keras_bridge, tutor.data.toy, tutor.data.housing
        course = tutor.course.load_course()
        assert len(course.lessons) >= 6
        print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_keras_lesson_prints_nothing_to_the_terminal():
    """TF's C++ logs, oneDNN notices, absl and XLA lines, progress bars: none may reach the console."""
    code = textwrap.dedent("""
        import os
        os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a learner's shell would have it
        from tutor.course import load_course
        from tutor.runner import run_lesson
        lesson = load_course().get("deep-spiral")
        record = run_lesson(lesson, lesson.resolve({"epochs": 1000}), 0)  # 1,000 epochs: compiled by XLA
        fit = run_lesson(lesson, lesson.resolve({"epochs": 2, "trainer": "model.fit"}), 0)
        assert record.status == fit.status == "finished", (record.error, fit.error)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout == ""
    assert out.stderr == ""


@pytest.mark.keras
def test_an_inherited_keras_backend_does_not_take_over():
    import os
    import subprocess
    import sys

    code = "from tutor.keras_bridge import import_keras; print(import_keras().backend.backend())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KERAS_BACKEND": "jax"},
    )
    assert done.stdout.strip() == "tensorflow", done.stderr


def test_a_new_run_lets_the_previous_runs_training_graphs_go(keras):
    """Memory levels off over many runs in one app: nothing keeps a finished run's traced
    training step alive once the next run starts (TensorFlow's gradient registry used to)."""
    import gc
    import weakref

    from tensorflow.python.framework.func_graph import FuncGraph

    from tutor.keras_bridge import start_keras

    start_keras(Reporter(), 0)
    x, y = toy(8)
    model = small_model(keras)
    existing = {id(graph) for graph in gc.get_objects() if isinstance(graph, FuncGraph)}
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    traced = [weakref.ref(g) for g in gc.get_objects() if isinstance(g, FuncGraph) and id(g) not in existing]
    assert traced  # fit traced its train step
    del model
    start_keras(Reporter(), 1)  # the next run
    gc.collect()
    assert [ref() for ref in traced if ref() is not None] == []
