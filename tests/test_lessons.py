"""The lesson loader: valid files load, each kind of mistake gets its own clear message."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.helpers import VALID, tutor
from tutor.course import LessonError, ParamError, load_course, load_lesson, loading, shipped_lessons_dir


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
    assert message.endswith(
        ":6: colour: unknown key (allowed: id, title, chapter, order, backend, routine, views, "
        "pages, challenge, summary, stage, seed, params, presets)"
    )


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


def test_each_page_names_the_view_it_is_about_and_it_must_be_one_of_the_lessons(tmp_path):
    staged = VALID.replace('views = ["fit", "loss"]', 'views = ["fit", "loss"]\nstage = "loss"')
    lesson = load_lesson(write(tmp_path, staged))
    assert {page.view for page in lesson.pages} == {"loss"}  # pages without their own view: the stage
    assert load_lesson(write(tmp_path, VALID)).pages[0].view == "fit"  # no stage: the first view
    [message] = problems(tmp_path, VALID.replace('title = "One"', 'title = "One"\nview = "surface"'))
    assert "pages.0.view: 'surface' is not one of the lesson's views (fit, loss)" in message
    [message] = problems(tmp_path, VALID.replace('views = ["fit", "loss"]', 'views = ["fit", "loss"]\nstage = "cost"'))
    assert "stage: 'cost' is not one of the lesson's views" in message


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
    assert [str(p) for p in course.problems] == [
        f"{tmp_path / 'b.toml'}:1: id: 'demo' is already used by {tmp_path / 'a.toml'}"
    ]


def test_two_lessons_at_the_same_place_are_a_problem_of_the_second(tmp_path):
    # Both would be numbered 1.9 in the tree and in `tutor list`.
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, VALID.replace('"demo"', '"again"'), "b.toml")
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    assert [str(p) for p in course.problems] == [
        f"{tmp_path / 'b.toml'}:4: order: 1.9 is already lesson 'demo' ({tmp_path / 'a.toml'}); "
        "give this one another order in chapter 1"
    ]
    done = tutor("check", str(tmp_path))
    assert done.returncode == 1 and f"{tmp_path / 'b.toml'}:4: order: 1.9 is already lesson 'demo'" in done.stdout


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
    text = VALID.replace(
        "[challenge]",
        """[params.preset]
type = "choice"
choices = ["slow", "fast"]
default = "slow"

[presets.fast]
lr = 0.5
epochs = 50

[challenge]""",
    )
    lesson = load_lesson(write(tmp_path, text))
    assert lesson.resolve({})["lr"] == 0.05
    assert lesson.resolve({"preset": "fast"})["lr"] == 0.5
    assert lesson.resolve({"preset": "fast", "epochs": "7"})["epochs"] == 7


def test_all_shipped_lessons_are_valid():
    course = load_course()
    assert course.problems == ()
    assert len(course.lessons) >= 4
    assert [lesson.id for lesson in course.lessons][:4] == [
        "rosenblatt",
        "cost-function",
        "gradient-descent",
        "cost-surface",
    ]


def test_the_wheel_ships_the_lessons_where_the_course_finds_them_and_no_module_shares_their_name():
    # pyproject.toml copies lessons/ into the wheel; shipped_lessons_dir() looks for it beside the loader.
    # It used to land in a lessons/ folder beside the lessons.py module, both in tutor/ (found by import precedence).
    root = Path(__file__).resolve().parent.parent
    wheel = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    [(source, target)] = wheel["force-include"].items()
    assert source == "lessons" and shipped_lessons_dir() == root / "lessons"
    assert root / target == Path(loading.__file__).parent / "lessons"
    assert not (root / target).with_suffix(".py").exists()


# ---------------------------------------------------------------- hostile files: text is text, reading is bounded


@pytest.mark.parametrize(
    "field, old, new",
    [
        ("title", 'title = "A demo lesson"', r'title = "A demo\u001b]0;pwned\u0007 lesson"'),
        ("challenge.goal", 'goal = "w near 1.25"', r'goal = "w near \u009b2J1.25"'),
        ("pages.0.title", 'title = "One"', r'title = "O\u007fne"'),
        ("pages.0.text", 'text = "Some *markdown*."', r'text = "Some \u001b[2J*markdown*."'),
        ("params.lr.help", 'help = "learning rate"', r'help = "learning\rrate"'),
        ("params.method.choices", 'choices = ["a", "b"]', r'choices = ["a", "b\u0000"]'),
        ("id", 'id = "demo"', r'id = "de\u001bmo"'),
        # A right-to-left override makes a title read backwards from where it sits.
        ("title", 'title = "A demo lesson"', r'title = "A demo \u202enossel"'),
        ("pages.0.text", 'text = "Some *markdown*."', r'text = "Some \u2067*markdown*."'),
    ],
)
def test_control_characters_in_lesson_text_are_refused_with_file_and_line(tmp_path, field, old, new):
    assert old in VALID
    messages = problems(tmp_path, VALID.replace(old, new))
    line = next(number for number, text in enumerate(VALID.replace(old, new).splitlines(), 1) if new in text)
    assert any(
        m.startswith(f"{tmp_path / 'demo.toml'}:{line}: {field}: contains a control character (U+") for m in messages
    ), messages
    assert all("\x1b" not in m and "\x07" not in m for m in messages)


def test_line_breaks_and_tabs_in_page_text_are_fine(tmp_path):
    lesson = load_lesson(write(tmp_path, VALID.replace('text = "Some *markdown*."', r'text = "Some\n\tcode\n"')))
    assert lesson.pages[0].text == "Some\n\tcode\n"


def test_a_control_character_in_a_key_is_shown_escaped(tmp_path):
    messages = problems(tmp_path, VALID + '"bad\\u001b[2Jkey" = 1\n')
    assert any("bad\\x1b[2Jkey: contains a control character (U+001B)" in m for m in messages), messages
    assert all("\x1b" not in m for m in messages)


def test_a_fifo_named_like_a_lesson_is_reported_not_read(tmp_path):
    import os

    write(tmp_path, VALID)
    os.mkfifo(tmp_path / "x.toml")
    course = load_course(tmp_path)  # would block forever on open()
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    assert [str(p) for p in course.problems] == [
        f"{tmp_path / 'x.toml'}:1: not a regular file (a folder, FIFO or device); skipped"
    ]


def test_a_link_to_dev_zero_or_a_huge_file_is_not_read(tmp_path):
    write(tmp_path, VALID)
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    (tmp_path / "huge.toml").write_text("# " + "x" * 2_000_000)
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    messages = sorted(str(p) for p in course.problems)
    assert messages[0].startswith(f"{tmp_path / 'huge.toml'}:1: is 2,000,002 bytes; a lesson file has at most")
    assert messages[1] == f"{tmp_path / 'zero.toml'}:1: not a regular file (a folder, FIFO or device); skipped"


def test_a_deeply_nested_toml_array_is_a_problem_not_a_crash(tmp_path):
    write(tmp_path, VALID)
    (tmp_path / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000)
    (tmp_path / "nested.toml").write_text(VALID + "extra = " + "[" * 40 + "]" * 40 + "\n")
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    messages = [str(p) for p in course.problems]
    assert f"{tmp_path / 'deep.toml'}:1: invalid TOML: nested too deeply" in messages
    assert any(m.startswith(f"{tmp_path / 'nested.toml'}:") and "nested more than" in m for m in messages), messages


@pytest.mark.parametrize(
    "chapters, message",
    [
        ("chapters = 5", "chapters: must be a table"),
        ('[chapters]\n1 = "One\\u001b[2J"', "chapters.1: contains a control character (U+001B)"),
        ('[chapters]\none = "One"', 'chapters.one: chapters are written as 1 = "Title"'),
        # A digit int() does not read (it crashed the loader): chapter numbers are ASCII digits.
        ('[chapters]\n"²" = "Squared"', 'chapters.²: chapters are written as 1 = "Title"'),
    ],
)
def test_a_bad_chapters_file_is_a_problem_and_the_lessons_still_load(tmp_path, chapters, message):
    write(tmp_path, VALID)
    (tmp_path / "chapters.toml").write_text(chapters + "\n")
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["demo"]
    assert any(message in str(p) for p in course.problems), course.problems


@pytest.mark.parametrize(
    "condition, message",
    [
        (" + ".join(["w"] * 100_000) + " > 0", "characters long; a condition has at most"),
        (" * ".join(["9" * 4000] * 100) + " > w", "characters long"),
        ("9" * 30 + " * w > 1", "a whole number in a condition has at most 19 digits"),
        ("abs(" * 30 + "w" + ")" * 30 + " > 1", "nests too deeply"),
        ("-" * 60 + "w > 1", "nests too deeply"),
        ("w ** 2 > 1", "Pow is not allowed"),
    ],
    ids=["100000-terms", "4000-digit-products", "30-digits", "nested-calls", "60-minus-signs", "power"],
)
def test_costly_challenge_conditions_are_refused_at_load(tmp_path, condition, message):
    import time

    started = time.perf_counter()
    [problem] = problems(tmp_path, VALID.replace("abs(w - 1.25) < 0.1", condition))
    assert "challenge.condition:" in problem and message in problem
    assert len(problem) < 300
    assert time.perf_counter() - started < 5  # a hang guard: refused before any big arithmetic


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("[params.lr]", "seed = -5\n\n[params.lr]", "seed: must be between 0 and 4294967295, not -5"),
        ("[params.lr]", "seed = 99999999999\n\n[params.lr]", "seed: must be between 0 and 4294967295"),
        ("min = 0.001", "min = nan", "params.lr.min: must be a finite number, not nan"),
        ("max = 1.0", "max = nan", "params.lr.max: must be a finite number, not nan"),
        ("[params.shuffle]", "[params.seed]", "params.seed: 'seed' is reserved"),
        ("[params.shuffle]", "[params.rng]", "params.rng: 'rng' is reserved"),
        ("[params.shuffle]", "[params.values]", "params.values: 'values' is reserved"),
        ("[params.shuffle]", "[params.get]", "params.get: 'get' is reserved"),
        ("[params.shuffle]", '[params."learning rate"]', "params.learning rate: a parameter name is a word"),
        ("[params.shuffle]", "[params.class]", "params.class: a parameter name is a word"),
        ("[params.shuffle]", "[params.__dict__]", "params.__dict__: a parameter name is a word"),
        ('help = "learning rate"', 'help = "learning rate"\nformat = "numbers"', "params.lr.format: applies to str"),
    ],
)
def test_unsafe_seeds_bounds_and_parameter_names_are_refused_at_load(tmp_path, old, new, message):
    assert old in VALID
    messages = problems(tmp_path, VALID.replace(old, new))
    assert any(message in m for m in messages), messages
    assert all(m.startswith(f"{tmp_path / 'demo.toml'}:") for m in messages)


BIG = "1" + "0" * 400  # a whole number TOML reads, too large for a float


@pytest.mark.parametrize(
    "old, new, message",
    [
        # These two crashed the loader (OverflowError) instead of being a problem line.
        ("min = 0.001", f"min = {BIG}", "params.lr.min: must be a finite number, not 1000"),
        ("default = 0.05", f"default = {BIG}", "params.lr.default: 1000"),
        # Choices are text: a number among them is refused, not turned into text behind the teacher's back.
        ('choices = ["a", "b"]', 'choices = ["a", 2]', "params.method.choices: item 2 must be text, not an integer"),
    ],
    ids=["huge-bound", "huge-default", "number-choice"],
)
def test_numbers_too_large_and_choices_that_are_not_text_are_problem_lines(tmp_path, old, new, message):
    assert old in VALID
    [problem] = problems(tmp_path, VALID.replace(old, new))
    assert message in problem and problem.startswith(f"{tmp_path / 'demo.toml'}:")
    assert len(problem) < 300


def test_a_long_value_is_cut_when_echoed_back(tmp_path):
    lesson = load_lesson(write(tmp_path, VALID))
    for overrides in ({"lr": "x" * 100_000}, {"x" * 100_000: "1"}):
        with pytest.raises(ParamError) as caught:
            lesson.resolve(overrides)
        assert len(str(caught.value)) < 200 and "…" in str(caught.value)


NUMBERS = VALID.replace(
    "[params.shuffle]",
    """[params.logits]
type = "str"
format = "numbers"
default = "0.3, 2.9, 4.0"

[params.hidden]
type = "str"
format = "whole-numbers"
default = "392,196"

[params.shuffle]""",
)


def test_a_list_of_numbers_is_checked_as_typed(tmp_path):
    lesson = load_lesson(write(tmp_path, NUMBERS))
    logits, hidden = lesson.params["logits"], lesson.params["hidden"]
    assert logits.format == "numbers" and logits.coerce(" 1, -2.5,3e2 ") == " 1, -2.5,3e2 ".strip()
    assert hidden.coerce("64, 32") == "64, 32"
    assert logits.coerce("[1 2; 3]") == "[1 2; 3]"  # the separators the routines read: commas, spaces
    for param, raw, message in [
        (logits, "1, abc", "logits: 'abc' is not a number; type numbers separated by commas"),
        (logits, "", "logits: type numbers separated by commas"),
        (logits, "1, inf", "logits: 'inf' is not a finite number"),
        (logits, "1,2[/]", "logits: '2[/]' is not a number"),
        (hidden, "64, 3.5", "hidden: '3.5' is not a whole number"),
    ]:
        with pytest.raises(ParamError, match="^" + message.replace("[", r"\[").replace("(", r"\(")):
            param.coerce(raw)
    [problem] = problems(tmp_path, NUMBERS.replace('default = "0.3, 2.9, 4.0"', 'default = "0.3, x"'))
    assert "params.logits.default: 'x' is not a number" in problem


def test_free_text_parameters_of_the_course_are_checked_as_typed():
    from tutor.course import ParamError, load_course

    course = load_course()
    for lesson_id, name, bad in [
        ("softmax", "logits", "1, abc"),
        ("mnist-mlp", "hidden", "392, 1.5"),
        ("fashion-mnist", "hidden", "big"),
    ]:
        param = course.get(lesson_id).params[name]
        with pytest.raises(ParamError):
            param.coerce(bad)
        assert param.coerce(param.default) == param.default
