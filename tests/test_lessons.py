"""The lesson loader: valid files load, each kind of mistake gets its own clear message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tutor.lessons import LessonError, ParamError, load_course, load_lesson

VALID = """\
id = "demo"
title = "A demo lesson"
chapter = 1
order = 1
backend = "numpy"
routine = "tutor.routines.rosenblatt:run"
views = ["fit", "loss"]

[params.lr]
type = "float"
default = 0.05
min = 0.001
max = 1.0
help = "learning rate"

[params.epochs]
type = "int"
default = 10
min = 1
max = 100

[params.method]
type = "choice"
choices = ["a", "b"]
default = "a"

[params.shuffle]
type = "bool"
default = true

[challenge]
goal = "w near 1.25"
condition = "abs(w - 1.25) < 0.1"

[[pages]]
title = "One"
text = "Some *markdown*."
"""


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(LessonError) as caught:
        load_lesson(write(tmp_path, text))
    return [str(p) for p in caught.value.problems]


def test_valid_lesson_loads_into_typed_objects(tmp_path):
    lesson = load_lesson(write(tmp_path, VALID))
    assert lesson.id == "demo" and lesson.backend == "numpy"
    assert lesson.views == ("fit", "loss")
    assert lesson.params["lr"].default == 0.05 and lesson.params["epochs"].default == 10
    assert lesson.params["method"].choices == ("a", "b")
    assert lesson.params["shuffle"].default is True
    assert lesson.pages[0].title == "One"
    assert lesson.challenge.met({"w": 1.3}) and not lesson.challenge.met({"w": 2.0})
    assert callable(lesson.load_routine())


def test_broken_toml_reports_file_and_line(tmp_path):
    [message] = problems(tmp_path, VALID.replace('title = "A demo lesson"', 'title = "unclosed'))
    assert message.startswith(f"{tmp_path / 'demo.toml'}:2: invalid TOML")


def test_unknown_key_is_reported_with_its_line(tmp_path):
    [message] = problems(tmp_path, VALID.replace('backend = "numpy"\n', 'backend = "numpy"\ncolour = "red"\n'))
    assert message.endswith(":6: colour: unknown key (allowed: id, title, chapter, order, backend, routine, views, "
                            "pages, challenge, summary, seed, params, presets)")


def test_missing_key_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace('title = "A demo lesson"\n', ""))
    assert message.endswith(":1: title: missing")


def test_wrong_type_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace("chapter = 1", 'chapter = "one"'))
    assert message.endswith(":3: chapter: must be an integer, not text")


def test_default_outside_its_range_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace("default = 0.05", "default = 5.0"))
    assert message.endswith(":11: params.lr.default: 5.0 is above the maximum 1.0")


def test_default_of_the_wrong_type_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace("default = 10", 'default = "ten"'))
    assert message.endswith(":18: params.epochs.default: must be an integer, not text")


def test_choice_default_must_be_a_choice(tmp_path):
    [message] = problems(tmp_path, VALID.replace('default = "a"', 'default = "c"'))
    assert message.endswith("params.method.default: 'c' is not one of a, b")


def test_routine_outside_the_package_is_refused(tmp_path):
    [message] = problems(tmp_path, VALID.replace("tutor.routines.rosenblatt:run", "os:system"))
    assert ":6: routine: must name a function inside the 'tutor' package, not 'os:system'" in message


def test_routine_that_does_not_resolve_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace("rosenblatt:run", "rosenblatt:nothing_here"))
    assert "routine: 'tutor.routines.rosenblatt:nothing_here' does not name a function" in message
    [message] = problems(tmp_path, VALID.replace("rosenblatt:run", "no_such_module:run"))
    assert "routine: cannot import 'tutor.routines.no_such_module'" in message


def test_unknown_view_is_reported(tmp_path):
    [message] = problems(tmp_path, VALID.replace('"fit", "loss"', '"fit", "hologram"'))
    assert "views: unknown view 'hologram'" in message


def test_unsafe_challenge_condition_is_refused(tmp_path):
    [message] = problems(tmp_path, VALID.replace("abs(w - 1.25) < 0.1", "__import__('os').system('x')"))
    assert "challenge.condition:" in message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    text = VALID.replace("chapter = 1", 'chapter = "one"').replace('"fit", "loss"', '"fit", "nope"')
    assert len(problems(tmp_path, text)) == 2


def test_duplicate_ids_keep_the_first_and_report_the_second(tmp_path):
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, VALID, "b.toml")
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    assert [str(p) for p in course.problems] == [f"{tmp_path / 'b.toml'}:1: id: 'demo' is already used by {tmp_path / 'a.toml'}"]


def test_overrides_are_coerced_and_checked(tmp_path):
    lesson = load_lesson(write(tmp_path, VALID))
    values = lesson.resolve({"lr": "0.5", "epochs": "20", "method": "b", "shuffle": "no"})
    assert values == {"lr": 0.5, "epochs": 20, "method": "b", "shuffle": False}
    for overrides, message in [
        ({"speed": "1"}, "unknown parameter 'speed' for lesson 'demo' (known: lr, epochs, method, shuffle)"),
        ({"lr": "fast"}, "lr: 'fast' is not a number"),
        ({"lr": "2"}, "lr: 2.0 is above the maximum 1.0"),
        ({"epochs": "2.5"}, "epochs: '2.5' is not a whole number"),
        ({"method": "z"}, "method: 'z' is not one of a, b"),
        ({"lr": "nan"}, "lr: 'nan' is not a number"),
    ]:
        with pytest.raises(ParamError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
            lesson.resolve(overrides)


def test_presets_set_several_parameters_and_explicit_values_win(tmp_path):
    text = VALID.replace("[challenge]", """[params.preset]
type = "choice"
choices = ["slow", "fast"]
default = "slow"

[presets.fast]
lr = 0.5
epochs = 50

[challenge]""")
    lesson = load_lesson(write(tmp_path, text))
    assert lesson.resolve({})["lr"] == 0.05
    assert lesson.resolve({"preset": "fast"})["lr"] == 0.5
    assert lesson.resolve({"preset": "fast", "epochs": "7"})["epochs"] == 7


def test_all_shipped_lessons_are_valid():
    course = load_course()
    assert course.problems == ()
    assert len(course.lessons) >= 4
    assert [lesson.id for lesson in course.lessons][:4] == [
        "rosenblatt", "cost-function", "gradient-descent", "cost-surface"]
