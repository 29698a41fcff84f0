"""Chapter 2's exercises and the Keras ones: starters fail, the tutor's own functions pass,
and each typical wrong solution fails with the message meant for it.

Every check runs the way a learner's does: ``run_checks`` in a worker process.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers import SHARED_DATA, needs_shared_data, without_tutor_imports
from tutor.course import load_course
from tutor.exercises import CheckReport, find_exercise, routine_with, run_checks
from tutor.runner import FINISHED, RunState, run_lesson

COURSE = load_course()

# lesson id -> the routine module whose functions are the reference
NUMPY_EXERCISES = {
    "activation-functions": "activation_functions",
    "sigmoid-neuron": "sigmoid_neuron",
    "hidden-layer": "hidden_layer",
    "forward-pass": "forward_pass",
    "softmax": "softmax",
    "mnist-inference": "mnist_inference",
}


def exercise_of(lesson_id: str):
    exercise = find_exercise(COURSE.get(lesson_id))
    assert exercise is not None, f"{lesson_id} has no exercise"
    return exercise


def learner_file(tmp_path: Path, lesson_id: str, source: str) -> Path:
    path = tmp_path / f"{lesson_id}.py"
    path.write_text(without_tutor_imports(source), encoding="utf-8")
    return path


def verify(tmp_path: Path, lesson_id: str, source: str) -> CheckReport:
    return run_checks(exercise_of(lesson_id), learner_file(tmp_path, lesson_id, source))


def reference_source(lesson_id: str, module: str) -> str:
    """A learner's file that is the tutor's own functions."""
    return f"from tutor.routines.{module} import {', '.join(exercise_of(lesson_id).functions)}\n"


def failed(report: CheckReport) -> dict[str, str]:
    assert report.problem is None, report.problem
    return {result.title: result.message for result in report.results if not result.ok}


@pytest.mark.parametrize("lesson_id", NUMPY_EXERCISES)
def test_a_starter_never_passes(lesson_id, tmp_path):
    exercise = exercise_of(lesson_id)
    report = verify(tmp_path, lesson_id, exercise.starter.read_text(encoding="utf-8"))
    assert not report.passed
    assert report.results and not any(result.ok for result in report.results)


@pytest.mark.parametrize("lesson_id", NUMPY_EXERCISES)
def test_the_tutors_own_functions_pass(lesson_id, tmp_path):
    report = verify(tmp_path, lesson_id, reference_source(lesson_id, NUMPY_EXERCISES[lesson_id]))
    assert report.passed, (report.problem, failed(report))


# (lesson, learner's file, the check that must fail, what its message must say)
WRONG = {
    "predict with a sigmoid output": (
        "mnist-inference",
        """
        from tutor.routines.mnist_inference import sigmoid
        def predict(network, x):
            z1 = sigmoid(x @ network["W1"] + network["b1"])
            z2 = sigmoid(z1 @ network["W2"] + network["b2"])
            return sigmoid(z2 @ network["W3"] + network["b3"])
        """,
        "one image: ten probabilities of the ten digits",
        "the output layer is a softmax",
    ),
    "predict with a softmax over the whole batch": (
        "mnist-inference",
        """
        import numpy as np
        from tutor.routines.mnist_inference import sigmoid
        def predict(network, x):
            z1 = sigmoid(x @ network["W1"] + network["b1"])
            z2 = sigmoid(z1 @ network["W2"] + network["b2"])
            s = z2 @ network["W3"] + network["b3"]
            e = np.exp(s - s.max())
            return e / e.sum()
        """,
        "a batch gives what the images give one at a time",
        "not on the whole batch",
    ),
    "sigmoid overflows": (
        "sigmoid-neuron",
        """
        import numpy as np
        from tutor.routines.sigmoid_neuron import gradients
        def sigmoid(z):
            return 1 / (1 + np.exp(-z))
        """,
        "sigmoid does not overflow for z from -1000 to 1000",
        'NumPy warned "overflow encountered in exp"',
    ),
    "sigmoid with np.where computing both branches": (
        "sigmoid-neuron",
        """
        import numpy as np
        from tutor.routines.sigmoid_neuron import gradients
        def sigmoid(z):
            return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
        """,
        "sigmoid does not overflow for z from -1000 to 1000",
        "np.where computes BOTH of its branches",
    ),
    "sigmoid with math.exp": (
        "sigmoid-neuron",
        """
        import math
        from tutor.routines.sigmoid_neuron import gradients
        def sigmoid(z):
            return 1 / (1 + math.exp(-z))
        """,
        "sigmoid(0) is 0.5, and sigmoid works item by item on an array",
        "raised TypeError",
    ),
    "gradients without the minus": (
        "sigmoid-neuron",
        """
        from tutor.routines.sigmoid_neuron import sigmoid
        def gradients(w, b, x, y):
            a = sigmoid(w * x + b)
            return 2 * (y - a) * a * (1 - a) * x, 2 * (y - a) * a * (1 - a)
        """,
        "gradients of one bean, link by link",
        "both signs are flipped",
    ),
    "gradients without the sigmoid's slope": (
        "sigmoid-neuron",
        """
        from tutor.routines.sigmoid_neuron import sigmoid
        def gradients(w, b, x, y):
            a = sigmoid(w * x + b)
            return -2 * (y - a) * x, -2 * (y - a)
        """,
        "gradients agree with finite differences of the error",
        "finite differences say",
    ),
    "gradients without dz/dw = x": (
        "sigmoid-neuron",
        """
        from tutor.routines.sigmoid_neuron import sigmoid
        def gradients(w, b, x, y):
            a = sigmoid(w * x + b)
            return -2 * (y - a) * a * (1 - a), -2 * (y - a) * a * (1 - a)
        """,
        "gradients of one bean, link by link",
        "de/dw needs the last link dz/dw = x",
    ),
    "softmax without the max trick": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            e = np.exp(a)
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
        "softmax of 1010, 1000, 990 does not overflow",
        "subtract the largest logit first",
    ),
    "softmax summed over the whole batch": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            e = np.exp(a - np.max(a))
            return e / np.sum(e)
        """,
        "softmax of a batch: each row becomes probabilities that add up to 1",
        "each ROW must add up to 1",
    ),
    "softmax summed down the columns": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            e = np.exp(a)
            return e / np.sum(e, axis=0)
        """,
        "softmax of a batch: each row becomes probabilities that add up to 1",
        "axis=0 adds down the columns",
    ),
    "softmax without keepdims": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            e = np.exp(a - np.max(a, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1)
        """,
        "softmax of a batch: each row becomes probabilities that add up to 1",
        "keepdims=True",
    ),
    "softmax shifted by the batch's largest logit": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            e = np.exp(a - np.max(a))
            return e / np.sum(e, axis=-1, keepdims=True)
        """,
        "softmax of a batch whose rows are far apart (1000 and -1000)",
        "each row's OWN largest logit",
    ),
    "cross-entropy without the minus": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import softmax
        def cross_entropy(y, t):
            y = np.atleast_2d(y)
            return float(np.mean(np.log(y[np.arange(len(y)), t])))
        """,
        "cross_entropy of one sample: y = [0.1, 0.6, 0.3], true class 1",
        "the loss is MINUS the log",
    ),
    "cross-entropy summed over the rows": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import softmax
        def cross_entropy(y, t):
            y = np.atleast_2d(y)
            return float(-np.sum(np.log(y[np.arange(len(y)), t])))
        """,
        "cross_entropy of a batch: the mean over the rows, each with its own true class",
        "the loss is their mean",
    ),
    "cross-entropy picking whole columns": (
        "softmax",
        """
        import numpy as np
        from tutor.routines.softmax import softmax
        def cross_entropy(y, t):
            y = np.atleast_2d(y)
            return float(-np.mean(np.log(y[:, t])))
        """,
        "cross_entropy of a batch: the mean over the rows, each with its own true class",
        "y[:, t] picks whole columns",
    ),
    "forward with a sigmoid on the output": (
        "forward-pass",
        """
        import numpy as np
        def sigmoid(a):
            return 1 / (1 + np.exp(-a))
        def forward(x, W1, b1, W2, b2, W3, b3):
            return sigmoid(sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2) @ W3 + b3)
        """,
        "the lesson's network gives [0.3168, 0.6963] for x = [1.0, 0.5]",
        "the output layer is the identity",
    ),
    "forward with the weights first": (
        "forward-pass",
        """
        import numpy as np
        def sigmoid(a):
            return 1 / (1 + np.exp(-a))
        def forward(x, W1, b1, W2, b2, W3, b3):
            return sigmoid(sigmoid(W1 @ x + b1) @ W2 + b2) @ W3 + b3
        """,
        "the lesson's network gives [0.3168, 0.6963] for x = [1.0, 0.5]",
        "the input goes first, x @ W1",
    ),
    "forward with no activation": (
        "forward-pass",
        """
        def forward(x, W1, b1, W2, b2, W3, b3):
            return ((x @ W1 + b1) @ W2 + b2) @ W3 + b3
        """,
        "the lesson's network gives [0.3168, 0.6963] for x = [1.0, 0.5]",
        "the hidden layers need their sigmoid",
    ),
    "collapse without b2": (
        "activation-functions",
        """
        def collapse(w1, b1, w2, b2):
            return w1 @ w2, b1 @ w2
        """,
        "collapse of 3 inputs -> 4 hidden -> 2 outputs gives W (3, 2) and b (2,)",
        "+ b2",
    ),
    "collapse in the wrong order": (
        "activation-functions",
        """
        def collapse(w1, b1, w2, b2):
            return w2 @ w1, b1 @ w2 + b2
        """,
        "square layers (3 -> 3 -> 3), where the wrong order still has the right shape",
        "W = W1 W2, in that order",
    ),
    "collapse adding the biases": (
        "activation-functions",
        """
        def collapse(w1, b1, w2, b2):
            return w1 @ w2, b1 + b2
        """,
        "square layers (3 -> 3 -> 3), where the wrong order still has the right shape",
        "b1 goes through the second layer's weights",
    ),
    "backward without v1 in the hidden deltas": (
        "hidden-layer",
        """
        import math
        def sigmoid(z):
            return 1 / (1 + math.exp(-z))
        def backward(p, x, y):
            h1, h2 = sigmoid(p["w1"] * x + p["b1"]), sigmoid(p["w2"] * x + p["b2"])
            a = sigmoid(p["v1"] * h1 + p["v2"] * h2 + p["c"])
            delta = -2 * (y - a) * a * (1 - a)
            d1, d2 = delta * h1 * (1 - h1), delta * h2 * (1 - h2)
            return {"w1": d1 * x, "b1": d1, "w2": d2 * x, "b2": d2, "v1": delta * h1, "v2": delta * h2, "c": delta}
        """,
        "the hidden neurons' gradients: w1, b1, w2, b2",
        "blame passes through its weight to the output",
    ),
    "backward without the minus": (
        "hidden-layer",
        """
        import math
        def sigmoid(z):
            return 1 / (1 + math.exp(-z))
        def backward(p, x, y):
            h1, h2 = sigmoid(p["w1"] * x + p["b1"]), sigmoid(p["w2"] * x + p["b2"])
            a = sigmoid(p["v1"] * h1 + p["v2"] * h2 + p["c"])
            delta = 2 * (y - a) * a * (1 - a)
            d1, d2 = delta * p["v1"] * h1 * (1 - h1), delta * p["v2"] * h2 * (1 - h2)
            return {"w1": d1 * x, "b1": d1, "w2": d2 * x, "b2": d2, "v1": delta * h1, "v2": delta * h2, "c": delta}
        """,
        "the output neuron's gradients: v1, v2, c",
        "every sign is flipped",
    ),
    "backward missing a weight": (
        "hidden-layer",
        """
        def backward(p, x, y):
            return {"w1": 0.0, "b1": 0.0, "w2": 0.0, "b2": 0.0, "v1": 0.0, "v2": 0.0}
        """,
        "backward returns a gradient for each of the seven weights, by name",
        "returned a dict without 'c'",
    ),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_a_typical_wrong_solution_fails_with_the_message_meant_for_it(mistake, tmp_path):
    lesson_id, source, title, said = WRONG[mistake]
    report = verify(tmp_path, lesson_id, source)
    messages = failed(report)
    assert not report.passed
    assert title in messages, f"{title!r} passed; failed: {messages}"
    assert said in messages[title]


def test_every_numpy_exercise_has_two_wrong_solutions_tested():
    tested = [lesson_id for lesson_id, *_ in WRONG.values()]
    assert all(tested.count(lesson_id) >= 2 for lesson_id in NUMPY_EXERCISES)


# ---------------------------------------------------------------- run with my code


def run_mine(tmp_path: Path, lesson_id: str, source: str, **overrides):
    lesson = COURSE.get(lesson_id)
    routine = routine_with(lesson, exercise_of(lesson_id), learner_file(tmp_path, lesson_id, source))
    return run_lesson(lesson, lesson.resolve(overrides), routine=routine)


def test_sigmoid_neuron_trained_with_a_sign_error_walks_uphill(tmp_path):
    """The learner's gradients drive every update: with the minus missing, the loss rises."""
    flipped = """
        from tutor.routines.sigmoid_neuron import sigmoid, sigmoid_scalar
        def gradients(w, b, x, y):
            a = sigmoid_scalar(w * x + b)
            return 2 * (y - a) * a * (1 - a) * x, 2 * (y - a) * a * (1 - a)
        """
    mine = run_mine(tmp_path, "sigmoid-neuron", flipped, epochs=200)
    lesson = COURSE.get("sigmoid-neuron")
    reference = run_lesson(lesson, lesson.resolve({"epochs": 200}))
    assert mine.status == FINISHED and mine.mine
    losses = [entry["loss"] for entry in mine.history if np.isfinite(entry["loss"])]
    assert losses[-1] > losses[0]  # uphill
    assert reference.history[-1]["loss"] < reference.history[0]["loss"]
    assert mine.result["accuracy"] < reference.result["accuracy"]


# mnist-inference first trains on MNIST without a weights file: its run with the learner's
# predict is tested in test_chapter2.py, on small data with a weights file.
@pytest.mark.parametrize("lesson_id", [lesson_id for lesson_id in NUMPY_EXERCISES if lesson_id != "mnist-inference"])
def test_the_tutors_own_functions_as_the_learners_give_the_lessons_numbers(lesson_id, tmp_path):
    lesson = COURSE.get(lesson_id)
    small = {"epochs": 100} if "epochs" in lesson.params else {}
    mine = run_mine(tmp_path, lesson_id, reference_source(lesson_id, NUMPY_EXERCISES[lesson_id]), **small)
    reference = run_lesson(lesson, lesson.resolve(small))
    assert mine.status == reference.status == FINISHED
    assert mine.result == reference.result


# ---------------------------------------------------------------- Keras exercises

KERAS_EXERCISES = {
    "keras-basics": "keras_basics",
    "deep-spiral": "deep_spiral",
    "binary-mlp": "binary_mlp",
    "lenet5": "lenet5",
}


@pytest.mark.keras
@pytest.mark.parametrize("lesson_id", KERAS_EXERCISES)
def test_the_tutors_own_keras_models_pass_in_the_worker(lesson_id, tmp_path):
    """Through the worker, TensorFlow's import included, within the exercise's time limit."""
    report = verify(tmp_path, lesson_id, reference_source(lesson_id, KERAS_EXERCISES[lesson_id]))
    assert report.passed, (report.problem, failed(report))


def checks_in_this_process(tmp_path: Path, lesson_id: str, source: str) -> dict[str, str | None]:
    """Each check's title -> its message (None: passed), run here: TensorFlow is imported once for all."""
    from tutor.exercises import checking, load_learner_module, reference_module
    from tutor.modules import load_module

    exercise = exercise_of(lesson_id)
    path = learner_file(tmp_path, lesson_id, source)
    checking.learner_files.add(str(path))
    mine = load_learner_module(path)
    checks = load_module(exercise.checks, f"checks_{lesson_id.replace('-', '_')}")
    outcome: dict[str, str | None] = {}
    for function in checking.checks_of(vars(checks)):
        try:
            function(mine, reference_module(exercise), np.random.default_rng(0))
            outcome[getattr(function, checking.CHECK_TITLE)] = None
        except checking.Mismatch as mismatch:
            outcome[getattr(function, checking.CHECK_TITLE)] = str(mismatch)
    return outcome


KERAS_WRONG = {
    "a line with relu": (
        "keras-basics",
        """
        def line_model(keras):
            return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="relu")])
        """,
        "line_model(keras) is one Dense unit on one input, with no activation",
        "a line has no activation",
    ),
    "a line with two outputs": (
        "keras-basics",
        """
        def line_model(keras):
            return keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
        """,
        "line_model(keras) is one Dense unit on one input, with no activation",
        "one output number: Dense(1)",
    ),
    "a line without an input": (
        "keras-basics",
        """
        def line_model(keras):
            return keras.Sequential([keras.layers.Dense(1)])
        """,
        "line_model(keras) is one Dense unit on one input, with no activation",
        "start the list of layers with keras.Input(shape)",
    ),
    "a spiral network of fixed depth": (
        "deep-spiral",
        """
        def spiral_network(keras, depth, width):
            layers = keras.layers
            return keras.Sequential([keras.Input((2,)), layers.Dense(width, activation="relu"),
                                     layers.Dense(width, activation="relu"), layers.Dense(width, activation="relu"),
                                     layers.Dense(1, activation="sigmoid")])
        """,
        "other sizes: 1 hidden layer of 5, and 5 hidden layers of 2",
        "make the hidden ones in a loop over range(depth)",
    ),
    "a spiral network with a relu output": (
        "deep-spiral",
        """
        def spiral_network(keras, depth, width):
            hidden = [keras.layers.Dense(width, activation="relu") for _ in range(depth)]
            return keras.Sequential([keras.Input((2,)), *hidden, keras.layers.Dense(1, activation="relu")])
        """,
        "the lesson's network: 3 hidden ReLU layers of 8, one sigmoid output",
        'the output activation="sigmoid"',
    ),
    "a quality network with a softmax output": (
        "binary-mlp",
        """
        def quality_network(keras, hidden):
            return keras.Sequential([keras.Input((2,)), keras.layers.Dense(hidden, activation="sigmoid"),
                                     keras.layers.Dense(1, activation="softmax")])
        """,
        "the lesson's network: 20 sigmoid neurons, one sigmoid output",
        'both layers use activation="sigmoid"',
    ),
    "a quality network with three inputs": (
        "binary-mlp",
        """
        def quality_network(keras, hidden):
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(hidden, activation="sigmoid"),
                                     keras.layers.Dense(1, activation="sigmoid")])
        """,
        "the lesson's network: 20 sigmoid neurons, one sigmoid output",
        "keras.Input((2,))",
    ),
    "LeNet-5 with max pooling": (
        "lenet5",
        """
        def lenet5(keras):
            L = keras.layers
            return keras.Sequential([
                keras.Input((28, 28, 1)), L.Conv2D(6, 5, activation="relu"), L.MaxPooling2D(2),
                L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10, activation="softmax")])
        """,
        "lenet5's layers: kinds, shapes, parameters and activations, in order",
        "AveragePooling2D",
    ),
    "LeNet-5 with padding": (
        "lenet5",
        """
        def lenet5(keras):
            L = keras.layers
            return keras.Sequential([
                keras.Input((28, 28, 1)), L.Conv2D(6, 5, padding="same", activation="relu"), L.AveragePooling2D(2),
                L.Conv2D(16, 5, activation="relu"), L.AveragePooling2D(2), L.Flatten(),
                L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10, activation="softmax")])
        """,
        "lenet5's layers: kinds, shapes, parameters and activations, in order",
        "a 5x5 filter turns 28x28 into 24x24",
    ),
    "LeNet-5 without Flatten": (
        "lenet5",
        """
        def lenet5(keras):
            L = keras.layers
            return keras.Sequential([
                keras.Input((28, 28, 1)), L.Conv2D(6, 5, activation="relu"), L.AveragePooling2D(2),
                L.Conv2D(16, 5, activation="relu"), L.AveragePooling2D(2),
                L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10, activation="softmax")])
        """,
        "lenet5(keras) takes a 28x28x1 image and gives 10 probabilities",
        'from Dense(10, activation="softmax") after Flatten',
    ),
}


@pytest.mark.keras
@pytest.mark.parametrize("lesson_id", KERAS_EXERCISES)
def test_a_keras_starter_never_passes(lesson_id, tmp_path):
    outcome = checks_in_this_process(tmp_path, lesson_id, exercise_of(lesson_id).starter.read_text(encoding="utf-8"))
    assert outcome and all(message is not None for message in outcome.values())


@pytest.mark.keras
@pytest.mark.parametrize("mistake", KERAS_WRONG)
def test_a_typical_wrong_keras_model_fails_with_the_message_meant_for_it(mistake, tmp_path):
    lesson_id, source, title, said = KERAS_WRONG[mistake]
    outcome = checks_in_this_process(tmp_path, lesson_id, source)
    assert outcome[title] is not None, f"{title!r} passed"
    assert said in outcome[title]


def test_every_keras_exercise_has_two_wrong_models_tested():
    tested = [lesson_id for lesson_id, *_ in KERAS_WRONG.values()]
    assert all(tested.count(lesson_id) >= 2 for lesson_id in KERAS_EXERCISES)


@pytest.mark.keras
def test_deep_spiral_run_with_my_code_trains_the_learners_network(tmp_path):
    """A network that ignores `depth` (one hidden layer always) is the one trained: fewer parameters."""
    shallow = """
        def spiral_network(keras, depth, width):
            return keras.Sequential([keras.Input((2,)), keras.layers.Dense(width, activation="relu"),
                                     keras.layers.Dense(1, activation="sigmoid")])
        """
    mine = run_mine(tmp_path, "deep-spiral", shallow, epochs=2)
    assert mine.status == FINISHED and mine.mine, mine.error
    assert mine.result["parameters"] == 2 * 8 + 8 + 8 + 1  # 3 layers of 8 would be 169


@pytest.mark.keras
@needs_shared_data
def test_lenet5_run_with_my_code_trains_the_learners_model(tmp_path, monkeypatch):
    """The learner's LeNet (max pooling, one convolution) is the model the lesson trains and summarises."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(SHARED_DATA))
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUTOR_OFFLINE", "1")
    max_pooling = """
        def lenet5(keras):
            L = keras.layers
            return keras.Sequential([
                keras.Input((28, 28, 1)), L.Conv2D(6, 5, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                L.Dense(10, activation="softmax")])
        """
    lesson = COURSE.get("lenet5")
    routine = routine_with(lesson, exercise_of("lenet5"), learner_file(tmp_path, "lenet5", max_pooling))
    state = RunState()
    small = {"train_limit": "600", "test_limit": "100", "epochs": "1", "batch_size": "32"}
    record = run_lesson(lesson, lesson.resolve(small), state=state, routine=routine)
    assert record.status == FINISHED and record.mine, record.error
    layers = [str(row[0]) for row in state.snapshot().views["table"]["rows"]]
    assert any("MaxPooling2D" in layer for layer in layers), layers
