"""Exercises: every starter fails its checks and every reference passes; typical mistakes get the
message meant for them; a learner's file that hangs, crashes or does not parse is reported cleanly;
the learner's own function drives the lesson; the learner's file is never lost."""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from tutor import exercises
from tutor.course import load_course, shipped_lessons_dir
from tutor.exercises import (
    ExerciseError,
    find_exercise,
    learner_file,
    load_exercise,
    reset,
    routine_with,
    run_checks,
    solution_source,
    standalone_solution,
    start,
)
from tutor.exercises.checking import Mismatch, call_text, expect_close, gradient_check
from tutor.runner import run_lesson

COURSE = load_course()
EXERCISE_FOLDERS = sorted(path for path in (shipped_lessons_dir() / "exercises").iterdir() if path.is_dir())


def _lesson_and_exercise(lesson_id: str):
    lesson = COURSE.get(lesson_id)
    exercise = find_exercise(lesson)
    assert exercise is not None, f"{lesson_id} has no exercise"
    return lesson, exercise


def _checked(lesson_id: str, source: str, tmp_path: Path, timeout: float | None = None):
    """The report of ``source`` written as the learner's file of ``lesson_id``."""
    _, exercise = _lesson_and_exercise(lesson_id)
    path = learner_file(exercise, tmp_path)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return _bounded(lambda: run_checks(exercise, path, timeout=timeout))


def _bounded(call, seconds: float = 60.0):
    """``call()``, failing the test (instead of hanging it) if it never returns."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"did not return within {seconds} s"
    return outcome[0]


def _first_failure(report):
    assert report.problem is None, report.problem
    failures = [result for result in report.results if not result.ok]
    assert failures, "every check passed"
    return failures[0]


# ---------------------------------------------------------------- every exercise


def _keras_marks(folder: Path):
    lesson = COURSE.get(folder.name)
    return [pytest.mark.keras] if lesson.backend == "keras" else []


ALL = [pytest.param(folder, id=folder.name, marks=_keras_marks(folder)) for folder in EXERCISE_FOLDERS]


def test_the_course_ships_chapter_ones_exercises():
    assert {"rosenblatt", "cost-function", "gradient-descent", "cost-surface"} <= {f.name for f in EXERCISE_FOLDERS}


@pytest.mark.parametrize("folder", ALL)
def test_each_exercise_loads_and_its_functions_are_the_routines_own(folder):
    lesson = COURSE.get(folder.name)
    exercise = load_exercise(folder, lesson)
    reference = exercises.reference_module(exercise)
    source = Path(reference.__file__).read_text(encoding="utf-8")
    for name in exercise.functions:
        assert callable(getattr(reference, name)), f"{lesson.routine} has no {name}"
        assert source.count(f"{name}(") >= 2, f"{name} is defined in the routine but never called"
    shown = solution_source(exercise, lesson)
    for name in exercise.functions:
        assert f"def {name}(" in shown
    compile(shown, "solution", "exec")  # what the learner is shown is Python


@pytest.mark.parametrize("folder", ALL)
def test_each_starter_fails_its_checks(folder, tmp_path):
    lesson, exercise = _lesson_and_exercise(folder.name)
    path = start(exercise, tmp_path)
    assert path.read_bytes() == exercise.starter.read_bytes()
    report = _bounded(lambda: run_checks(exercise, path), 300)
    assert not report.passed
    assert report.results and not any(result.ok for result in report.results), report
    assert report.problem is None, report.problem  # it loads: only its bodies are missing


@pytest.mark.parametrize("folder", ALL)
def test_each_reference_passes_its_checks(folder, tmp_path):
    lesson, exercise = _lesson_and_exercise(folder.name)
    path = learner_file(exercise, tmp_path)
    path.write_text(standalone_solution(exercise), encoding="utf-8")  # the routine's own functions
    report = _bounded(lambda: run_checks(exercise, path), 300)
    assert report.passed, report


# ---------------------------------------------------------------- typical mistakes, chapter 1

RIGHT = {
    "rosenblatt": """
        def learn_from_bean(w, x, y, lr):
            return w + lr * (y - w * x) * x
    """,
    "gradient-descent": """
        def slope(w, x, y):
            return 2 * x * x * w - 2 * x * y
    """,
    "cost-function": """
        import numpy as np
        def cost(w, x, y):
            return float(np.mean((y - w * x) ** 2))
    """,
    "cost-surface": """
        import numpy as np
        def gradients(w, b, x, y):
            error = y - (w * x + b)
            return float(np.mean(-2 * x * error)), float(np.mean(-2 * error))
    """,
}

MISTAKES = [
    # (lesson, the wrong code, the check that must fail first, words of the message meant for it)
    ("rosenblatt", "return w + lr * (y - w * x)", "one bean moves w by lr * error * x", "multiply the error by x"),
    ("rosenblatt", "return w - lr * (y - w * x) * x", "a bean above the line raises w", "moved the wrong way"),
    ("rosenblatt", "return w + (y - w * x) * x", "the nudge is scaled by the learning rate", "by lr?"),
    (
        "rosenblatt",
        "return lr * (y - w * x) * x",
        "a bean right on the line leaves w where it is",
        "not only the change",
    ),
    ("gradient-descent", "return 2 * x * y - 2 * x * x * w", "right of the bottom", "Check the sign"),
    ("gradient-descent", "return x * x * w - x * y", "the square brings down a factor 2", "leave out the 2"),
    ("gradient-descent", "return -2 * (y - w * x)", "the chain rule", "multiplied by x"),
    ("gradient-descent", "return np.mean(2 * x * x * w - 2 * x * y)", "elementwise", "expected an array of shape (4,)"),
    ("cost-function", "return (y - w * x) ** 2", "all the beans give one number", "np.mean"),
    ("cost-function", "return float(np.mean(y - w * x))", "an error is squared", "square each bean's error"),
    ("cost-function", "return float(np.sum((y - w * x) ** 2))", "the mean, not the sum", "divide by the number"),
    (
        "cost-surface",
        "e = y - (w * x + b)\n    return float(np.mean(2 * x * e)), float(np.mean(2 * e))",
        "both slopes are negative",
        "minus sign",
    ),
    (
        "cost-surface",
        "e = y - (w * x + b)\n    return float(np.mean(-2 * e)), float(np.mean(-2 * e))",
        "the chain rule: dw has the factor x",
        "multiply each bean's term by its x",
    ),
    (
        "cost-surface",
        "e = y - (w * x + b)\n    return float(np.sum(-2 * x * e)), float(np.sum(-2 * e))",
        "the mean over the beans",
        "np.mean",
    ),
    ("cost-surface", "e = y - (w * x + b)\n    return -2 * x * e, -2 * e", "returns a pair of numbers", "two numbers"),
]


def _with_body(lesson_id: str, body: str) -> str:
    header = textwrap.dedent(RIGHT[lesson_id]).splitlines()
    signature = next(line for line in header if line.startswith("def "))
    return f"import numpy as np\n\n{signature}\n    {body}\n"


def test_a_sign_error_is_named_as_one_by_every_check_it_fails(tmp_path):
    """Not a sign error in one check and 'did you leave out the 2?' in the next."""
    report = _checked("gradient-descent", _with_body("gradient-descent", "return 2 * x * y - 2 * x * x * w"), tmp_path)
    failures = [result for result in report.results if not result.ok]
    assert len(failures) >= 2
    for failure in failures:
        assert "sign" in failure.message.lower(), (failure.title, failure.message)
        assert "leave out the 2" not in failure.message


@pytest.mark.parametrize("lesson_id", sorted(RIGHT))
def test_a_right_solution_passes(lesson_id, tmp_path):
    report = _checked(lesson_id, RIGHT[lesson_id], tmp_path)
    assert report.passed, report


@pytest.mark.parametrize(
    ("lesson_id", "body", "title", "words"), MISTAKES, ids=[f"{m[0]}:{m[1][:30]}" for m in MISTAKES]
)
def test_a_typical_mistake_fails_with_the_message_meant_for_it(lesson_id, body, title, words, tmp_path):
    failure = _first_failure(_checked(lesson_id, _with_body(lesson_id, body), tmp_path))
    assert title in failure.title
    assert words in failure.message
    assert "Traceback" not in failure.message and "AssertionError" not in failure.message


def test_the_message_names_the_call_what_came_back_and_what_was_expected(tmp_path):
    failure = _first_failure(_checked("rosenblatt", _with_body("rosenblatt", "return w + lr * (y - w * x)"), tmp_path))
    assert failure.message == (
        "`learn_from_bean(w=0.5, x=0.2, y=0.3, lr=0.1)` returned 0.52 - expected 0.504: "
        "did you multiply the error by x?"
    )


# ---------------------------------------------------------------- learner files that go wrong


def test_an_endless_loop_is_stopped_at_the_time_limit_naming_the_function(tmp_path):
    source = """
        def learn_from_bean(w, x, y, lr):
            while True:
                w = w + 1
    """
    report = _checked("rosenblatt", source, tmp_path, timeout=1.0)
    assert not report.passed
    assert "`learn_from_bean` did not return within 1 s" in report.problem
    assert "line 4 of your file" in report.problem or "line 3 of your file" in report.problem


def test_an_endless_loop_that_catches_exceptions_is_stopped_all_the_same(tmp_path):
    source = """
        def learn_from_bean(w, x, y, lr):
            while True:
                try:
                    w = w + 1
                except Exception:
                    pass
    """
    report = _checked("rosenblatt", source, tmp_path, timeout=1.0)
    assert "`learn_from_bean` did not return within 1 s" in report.problem


def test_an_endless_loop_at_the_top_of_the_file_is_stopped(tmp_path):
    report = _checked("rosenblatt", "while True:\n    pass\n", tmp_path, timeout=1.0)
    assert "did not finish within 1 s" in report.problem
    assert "line 2 of your file" in report.problem or "line 1 of your file" in report.problem


def test_a_syntax_error_is_reported_with_the_file_and_line(tmp_path):
    report = _checked("rosenblatt", "def learn_from_bean(w, x, y, lr):\n    return w +\n", tmp_path)
    assert report.problem.startswith("rosenblatt.py:2: syntax error")
    assert report.results == []


def test_an_exception_while_loading_is_reported_with_the_file_and_line(tmp_path):
    report = _checked("rosenblatt", "import numpy as np\n\nscale = 1 / 0\n", tmp_path)
    assert report.problem == "rosenblatt.py:3: ZeroDivisionError: division by zero (while loading your file)"


def test_an_exception_in_the_function_names_the_call_and_the_learners_line(tmp_path):
    source = """
        def learn_from_bean(w, x, y, lr):
            error = y - w * x
            return w + lr * error * x / 0
    """
    failure = _first_failure(_checked("rosenblatt", source, tmp_path))
    assert failure.message == (
        "`learn_from_bean(w=0.8, x=0.5, y=0.4, lr=0.1)` raised ZeroDivisionError: float division by zero "
        "(your file, line 4)"
    )


def test_a_crash_of_the_checking_process_is_reported(tmp_path):
    source = """
        import os, signal
        def learn_from_bean(w, x, y, lr):
            os.kill(os.getpid(), signal.SIGKILL)
    """
    report = _checked("rosenblatt", source, tmp_path)
    assert report.problem == "the checks crashed (killed by signal 9)"
    assert not report.passed


def test_a_huge_allocation_meets_the_memory_limit(tmp_path):
    source = """
        import numpy as np
        def learn_from_bean(w, x, y, lr):
            return float(np.ones(400_000_000).sum())  # 3.2 GB, over the 1 GB limit
    """
    failure = _first_failure(_checked("rosenblatt", source, tmp_path))
    assert "MemoryError" in failure.message or "out of memory" in failure.message


def test_a_missing_function_or_other_parameters_are_said_plainly(tmp_path):
    report = _checked("rosenblatt", "def learn(w, x, y, lr):\n    return w\n", tmp_path)
    assert report.problem == (
        "rosenblatt.py: your file has no function `learn_from_bean` (keep the starter's `def learn_from_bean(...)`)"
    )
    report = _checked("rosenblatt", "def learn_from_bean(w, x, y):\n    return w\n", tmp_path)
    assert "takes other parameters than the tutor passes: `learn_from_bean(w, x, y, lr)`" in report.problem


def test_what_the_learners_code_prints_is_kept_apart_from_the_results(tmp_path):
    source = RIGHT["rosenblatt"].replace("return", "print('debug', w)\n            return")
    report = _checked("rosenblatt", source, tmp_path)
    assert report.passed
    assert "debug 0.8" in report.output
    assert all("debug" not in result.message for result in report.results)


# ---------------------------------------------------------------- the learner's code drives the lesson


def test_a_run_with_the_learners_function_uses_it_and_leaves_the_tutors_alone(tmp_path):
    lesson, exercise = _lesson_and_exercise("rosenblatt")
    from tutor.routines import rosenblatt

    reference_function = rosenblatt.learn_from_bean
    values = lesson.resolve({"epochs": 5})
    path = learner_file(exercise, tmp_path)
    path.write_text(_with_body("rosenblatt", "return w - lr * (y - w * x) * x"), encoding="utf-8")  # walks uphill
    mine = run_lesson(lesson, values, routine=routine_with(lesson, exercise, path))
    theirs = run_lesson(lesson, values)
    assert mine.mine and not theirs.mine
    assert abs(mine.result["w"] - theirs.result["w"]) > 1.0
    assert rosenblatt.learn_from_bean is reference_function  # the real module is untouched
    path.write_text(textwrap.dedent(RIGHT["rosenblatt"]), encoding="utf-8")
    right = run_lesson(lesson, values, routine=routine_with(lesson, exercise, path))
    assert right.result["w"] == pytest.approx(theirs.result["w"])


def test_routine_with_refuses_a_file_that_does_not_load(tmp_path):
    lesson, exercise = _lesson_and_exercise("rosenblatt")
    path = learner_file(exercise, tmp_path)
    path.write_text("def learn_from_bean(w, x, y, lr):\n    return (\n", encoding="utf-8")
    with pytest.raises(ExerciseError, match=r"rosenblatt\.py:2: syntax error"):
        routine_with(lesson, exercise, path)


@pytest.mark.parametrize("lesson_id", sorted(RIGHT))
def test_a_right_solution_trains_the_lesson_as_the_tutors_does(lesson_id, tmp_path):
    lesson, exercise = _lesson_and_exercise(lesson_id)
    path = learner_file(exercise, tmp_path)
    path.write_text(textwrap.dedent(RIGHT[lesson_id]), encoding="utf-8")
    values = lesson.defaults()
    mine = run_lesson(lesson, values, routine=routine_with(lesson, exercise, path))
    theirs = run_lesson(lesson, values)
    assert mine.status == theirs.status == "finished"
    assert mine.challenge_met == theirs.challenge_met
    for key, value in theirs.result.items():
        assert mine.result[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


# ---------------------------------------------------------------- the learner's file is never lost


def test_start_makes_the_file_once_and_never_overwrites_it(tmp_path):
    _, exercise = _lesson_and_exercise("rosenblatt")
    path = start(exercise, tmp_path / "new" / "folder")
    assert path == tmp_path / "new" / "folder" / "rosenblatt.py"
    path.write_text("# my work\n", encoding="utf-8")
    start(exercise, tmp_path / "new" / "folder")
    assert path.read_text(encoding="utf-8") == "# my work\n"


def test_reset_restores_the_starter_and_keeps_every_earlier_file(tmp_path):
    _, exercise = _lesson_and_exercise("rosenblatt")
    path = start(exercise, tmp_path)
    kept = []
    for attempt in ("# first try\n", "# second try\n"):
        path.write_text(attempt, encoding="utf-8")
        kept.append(reset(exercise, tmp_path))
        assert path.read_bytes() == exercise.starter.read_bytes()
    assert kept[0] != kept[1]
    assert [copy.read_text(encoding="utf-8") for copy in kept] == ["# first try\n", "# second try\n"]
    assert all(copy.parent == tmp_path and copy.name.startswith("rosenblatt.py.") for copy in kept)
    assert reset(exercise, tmp_path) is None  # the starter itself: nothing to keep


def test_reset_writes_through_a_link_to_the_learners_own_file(tmp_path):
    _, exercise = _lesson_and_exercise("rosenblatt")
    real = tmp_path / "repo" / "mine.py"
    real.parent.mkdir()
    real.write_text("# in my repo\n", encoding="utf-8")
    (tmp_path / "ws").mkdir()
    os.symlink(real, tmp_path / "ws" / "rosenblatt.py")
    kept = reset(exercise, tmp_path / "ws")
    assert (tmp_path / "ws" / "rosenblatt.py").is_symlink()
    assert real.read_bytes() == exercise.starter.read_bytes()
    assert kept.read_text(encoding="utf-8") == "# in my repo\n"


def test_the_workspace_is_the_option_then_the_environment_then_a_visible_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_WORKSPACE", str(tmp_path / "env"))
    assert exercises.workspace_dir(tmp_path / "given") == tmp_path / "given"
    assert exercises.workspace_dir() == tmp_path / "env"
    monkeypatch.delenv("TUTOR_WORKSPACE")
    assert exercises.workspace_dir() == Path.home() / "tutor-exercises"


# ---------------------------------------------------------------- exercise.toml is strict


def _exercise_folder(tmp_path: Path, toml: str) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "exercise.toml").write_text(toml, encoding="utf-8")
    (folder / "starter.py").write_text("def f(x):\n    raise NotImplementedError\n", encoding="utf-8")
    (folder / "checks.py").write_text("", encoding="utf-8")
    return folder


GOOD_TOML = 'functions = ["f"]\nhints = ["one"]\nintro = "Write f."\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (GOOD_TOML + "colour = 1\n", "exercise.toml: object contains unknown field colour"),
        (GOOD_TOML.replace('["f"]', '"f"'), "exercise.toml: functions: expected array, got str"),
        (GOOD_TOML + "timeout = 0\n", "exercise.toml: timeout: must be between 0 and 600 seconds"),
        (GOOD_TOML.replace('"Write f."', '"Write \\u001b[31mf"'), "exercise.toml: intro: holds a control character"),
        (GOOD_TOML.replace('["one"]', "[]"), "exercise.toml: hints: has no hint"),
        (GOOD_TOML.replace('["f"]', '["f()"]'), "exercise.toml: functions[0]: 'f()' is not a Python name"),
        ('functions = ["f"\n', "exercise.toml: invalid TOML"),
    ],
)
def test_a_broken_exercise_toml_is_one_line_naming_the_field(tmp_path, toml, message):
    with pytest.raises(ExerciseError) as raised:
        load_exercise(_exercise_folder(tmp_path, toml))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_good_exercise_toml_loads(tmp_path):
    exercise = load_exercise(_exercise_folder(tmp_path, GOOD_TOML))
    assert (exercise.functions, exercise.hints, exercise.intro, exercise.timeout) == (("f",), ("one",), "Write f.", 5.0)


# ---------------------------------------------------------------- the checking helpers


def _learners(source: str):
    namespace: dict = {}
    exec(textwrap.dedent(source), namespace)
    return namespace


def test_expect_close_says_when_the_shape_or_the_kind_is_wrong():
    def reference(x):
        return x * 2

    with pytest.raises(Mismatch, match=r"returned an array of shape \(3, 1\) - expected shape \(3,\)"):
        expect_close(lambda x: (x * 2).reshape(3, 1), reference, {"x": np.ones(3)})
    with pytest.raises(Mismatch, match=r"returned one number, 6 - expected an array of shape \(3,\)"):
        expect_close(lambda x: float(np.sum(x * 2)), reference, {"x": np.ones(3)})
    with pytest.raises(Mismatch, match=r"returned None - expected 4 \(is a `return` missing\?\): nudge"):
        expect_close(lambda x: None, reference, {"x": 2.0}, nudge="nudge")
    assert expect_close(lambda x: x + x, reference, {"x": np.ones(3)}).tolist() == [2.0, 2.0, 2.0]


def test_expect_close_never_lets_the_learner_change_the_inputs():
    def reference(x):
        return x.sum()

    def sneaky(x):
        x[:] = 0
        return 3.0

    data = np.ones(3)
    expect_close(sneaky, reference, {"x": data})
    assert data.tolist() == [1.0, 1.0, 1.0]


def test_gradient_check_tells_a_right_derivative_from_a_wrong_one():
    def square(v):
        return v**2

    gradient_check(square, np.array([0.5, -1.0, 2.0]), lambda v: 2 * v)
    with pytest.raises(Mismatch, match="finite differences say"):
        gradient_check(square, np.array([0.5, -1.0, 2.0]), lambda v: v)
    gradient_check(lambda v: float(np.sum(v**2)), np.array([0.5, -1.0]), lambda v: 2 * v)  # a gradient


def test_call_text_reads_like_the_call():
    assert call_text("f", {"w": 0.5, "x": np.array([1.0, 2.0]), "n": 3}) == "f(w=0.5, x=[1, 2], n=3)"
    assert call_text("f", {"x": np.zeros(100)}) == "f(x=an array of shape (100,))"


# ---------------------------------------------------------------- a pack ships an exercise the same way


def test_the_example_packs_exercise_is_checked_against_the_packs_own_routine(tmp_path):
    from tutor.course import find_packs

    pack = Path(__file__).resolve().parents[1] / "docs" / "example-pack"
    lesson = load_course(packs=find_packs([pack])).get("momentum")
    exercise = find_exercise(lesson)
    assert exercise is not None and exercise.functions == ("momentum_step",)
    starter = _bounded(lambda: run_checks(exercise, start(exercise, tmp_path)))
    assert not starter.passed and starter.problem is None
    path = learner_file(exercise, tmp_path)
    path.write_text(
        "def momentum_step(value, velocity, slope, lr, momentum):\n"
        "    velocity = momentum * velocity - lr * slope\n"
        "    return value + velocity, velocity\n",
        encoding="utf-8",
    )
    assert _bounded(lambda: run_checks(exercise, path)).passed
    values = lesson.defaults()
    mine = run_lesson(lesson, values, routine=routine_with(lesson, exercise, path))
    assert mine.result["w"] == pytest.approx(run_lesson(lesson, values).result["w"])
