"""Exercises in Chinese: the judge's messages (a check's own, a typical mistake's, a raise's nudge,
a model's layers, a broken exercise.toml), the starter a learner is given, and `tutor check`
refusing a translated starter whose functions differ from the English one.

English stays as it was: tests/test_exercises.py and tests/test_exercises_ch2_keras.py.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.helpers import speaking, tutor, without_tutor_imports
from tests.test_translations import FULL, make_exercise, make_pack
from tutor.course import load_course
from tutor.course.translation import check_translations
from tutor.exercises import ExerciseError, find_exercise, learner_file, load_exercise, reset, run_checks, start
from tutor.exercises.checking import Mismatch
from tutor.exercises.typical_checks import expect_same_model
from tutor.i18n import N_

COURSE = load_course()
ENGLISH_WORDS = re.compile(r"\b(returned|expected|raised|layer|parameters)\b")


def exercise_of(lesson_id: str):
    exercise = find_exercise(COURSE.get(lesson_id))
    assert exercise is not None
    return exercise


def failures(lesson_id: str, source: str, tmp_path: Path) -> dict[str, str]:
    """The judge's failed checks (title -> message) for ``source`` as the learner's file, in the tutor's language."""
    exercise = exercise_of(lesson_id)
    path = learner_file(exercise, tmp_path)
    path.write_text(without_tutor_imports(textwrap.dedent(source)), encoding="utf-8")
    report = run_checks(exercise, path)
    assert report.problem is None, report.problem
    return {result.title: result.message for result in report.results if not result.ok}


# ---------------------------------------------------------------- the judge speaks Chinese


def test_a_checks_own_message_is_chinese_in_the_judge(chinese, tmp_path):
    wrong_way = "def learn_from_bean(w, x, y, lr):\n    return w - lr * (y - w * x) * x\n"
    failed = failures("rosenblatt", wrong_way, tmp_path)
    message = failed["线上方的豆子让 w 变大"]  # the check's title, translated too
    # The comparison's words as checking.py composes them: "返回了 X，应为 Y：" and the check's reason.
    assert re.fullmatch(
        r"`learn_from_bean\(w=0\.5, x=1, y=1, lr=1\)` 返回了 [-\d.]+，应为大于 0\.5：w 移动的方向反了。.*",
        message,
    ), message
    assert not ENGLISH_WORDS.search(message), message


def test_a_typical_mistakes_nudge_is_chinese_in_the_judge(chinese, tmp_path):
    exponentials_only = """
        import numpy as np
        from tutor.routines.softmax import cross_entropy
        def softmax(a):
            return np.exp(a - np.max(a, axis=-1, keepdims=True))
    """
    message = failures("softmax", exponentials_only, tmp_path)["本课的 logit 0.3、2.9、4.0 的 softmax"]
    assert message.startswith("`softmax(a=[0.3, 2.9, 4])` 返回了 ")
    assert message.endswith("：e^a 没有除以它们的总和：概率加起来必须等于 1"), message


def test_a_raise_gets_its_nudge_in_chinese_in_the_judge(chinese, tmp_path):
    with_math_exp = """
        import math
        from tutor.routines.sigmoid_neuron import gradients
        def sigmoid(z):
            return 1 / (1 + math.exp(-z))
    """
    failed = failures("sigmoid-neuron", with_math_exp, tmp_path)
    message = failed["sigmoid(0) 是 0.5，而且 sigmoid 对数组逐个元素计算"]
    assert " 抛出了 TypeError: " in message
    assert message.endswith("：用 np.exp，它对整个数组都能算（math.exp 只接受一个数）"), message


def _model(*layers: tuple[int, int, str]) -> SimpleNamespace:
    """A stand-in for a built Keras model: Dense layers of (units, parameters, activation)."""

    class Dense:
        def __init__(self, units: int, parameters: int, activation: str) -> None:
            self.output = SimpleNamespace(shape=(None, units))
            self.parameters = parameters
            self.activation = SimpleNamespace(__name__=activation)

        def count_params(self) -> int:
            return self.parameters

    built = [Dense(*layer) for layer in layers]
    return SimpleNamespace(layers=built, count_params=lambda: sum(layer.parameters for layer in built), built=True)


def test_a_models_layers_are_described_in_chinese(chinese):
    def reference(keras, hidden):
        return _model((hidden, 3 * hidden, "sigmoid"), (1, hidden + 1, "sigmoid"))

    def relu_hidden(keras, hidden):
        return _model((hidden, 3 * hidden, "relu"), (1, hidden + 1, "sigmoid"))

    nudges = {"activation": N_('both layers use activation="sigmoid": the output is P(pass), one probability')}
    with pytest.raises(Mismatch) as raised:
        expect_same_model(relu_hidden, reference, None, {"hidden": 20}, nudges)
    assert str(raised.value) == (
        "`reference(keras=keras, hidden=20)`：第 1 层是 Dense -> (20,)，60 个参数，激活函数 relu，"
        "应为 Dense -> (20,)，60 个参数，激活函数 sigmoid："
        '两个层都用 activation="sigmoid"：输出是 P(合格)，一个概率'
    )

    def one_layer(keras, hidden):
        return _model((1, 3, "sigmoid"))

    with pytest.raises(Mismatch) as raised:
        expect_same_model(one_layer, reference, None, {"hidden": 2}, {})
    counted = "：模型有 1 层（Dense (1,) sigmoid），应为 2 层（Dense (2,) sigmoid，Dense (1,) sigmoid）"
    assert counted in str(raised.value)


def test_a_broken_exercise_toml_keeps_its_field_and_says_the_problem_in_chinese(chinese, tmp_path):
    (tmp_path / "exercise.toml").write_text('functions = ["f"]\nintro = "Write f."\nhints = []\n', encoding="utf-8")
    with pytest.raises(ExerciseError) as raised:
        load_exercise(tmp_path)
    assert str(raised.value).endswith("exercise.toml: hints: 没有提示（至少给一条，最温和的放在最前）")


# ---------------------------------------------------------------- the starter a learner is given


def test_the_learner_gets_the_chinese_starter_in_chinese_and_the_english_one_otherwise(tmp_path):
    exercise = exercise_of("rosenblatt")
    chinese_starter = (exercise.folder / "starter.zh.py").read_bytes()
    assert chinese_starter != exercise.starter.read_bytes()
    with speaking("zh"):
        path = start(exercise, tmp_path / "zh")
        assert path.read_bytes() == chinese_starter
        assert "误差" in path.read_text(encoding="utf-8")
    assert start(exercise, tmp_path / "en").read_bytes() == exercise.starter.read_bytes()


def test_reset_in_chinese_brings_back_the_chinese_starter_and_a_learners_file_is_never_replaced(chinese, tmp_path):
    exercise = exercise_of("gradient-descent")
    path = learner_file(exercise, tmp_path)
    path.write_text("def slope(w, x, y):\n    return 2 * x * x * w - 2 * x * y\n", encoding="utf-8")
    assert start(exercise, tmp_path) == path
    assert "return 2 * x * x * w" in path.read_text(encoding="utf-8")  # start never touches an existing file
    kept = reset(exercise, tmp_path)
    assert path.read_bytes() == (exercise.folder / "starter.zh.py").read_bytes()
    assert kept is not None and "return 2 * x * x * w" in kept.read_text(encoding="utf-8")
    assert reset(exercise, tmp_path) is None  # the Chinese starter already: nothing to keep


# ---------------------------------------------------------------- tutor check


def test_tutor_check_refuses_a_chinese_starter_whose_function_differs(tmp_path):
    folder = make_pack(tmp_path, FULL)
    exercise = make_exercise(folder, 'intro = "写出 f。"\nhints = ["想一想。", "return 1"]\n')
    translated = exercise / "starter.zh.py"
    translated.write_text('"""练习。"""\n\n\ndef f(x):\n    raise NotImplementedError("写出 f")\n', encoding="utf-8")
    done = tutor("check", str(folder))
    assert done.returncode == 1
    assert f"{translated}:4: f: defines f(x) where starter.py defines f():" in done.stdout, done.stdout
    # The same functions with Chinese words: no problem, and the starter is no gap.
    translated.write_text('def f():\n    """写出 f。"""\n    raise NotImplementedError("写出 f")\n', encoding="utf-8")
    course = load_course(folder)
    found = find_exercise(course.get("demo"))
    problems, gaps = check_translations(course, [(found.folder, found.intro, found.hints)])
    assert not problems and not any(gap.file == str(translated) for gap in gaps)


def test_every_exercise_of_the_course_ships_a_chinese_starter_with_its_functions():
    exercises = [exercise_of(lesson.id) for lesson in COURSE.lessons if find_exercise(lesson) is not None]
    assert len(exercises) == 14
    problems, gaps = check_translations(COURSE, [(e.folder, e.intro, e.hints) for e in exercises])
    starters = [item for item in (*problems, *gaps) if item.file.endswith(".py")]
    assert not starters, starters
