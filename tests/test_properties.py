"""Property-based tests: whatever a lesson file or a --set value holds, the loader
and the CLI accept it or report a clean error - never a traceback."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import VALID
from tutor import cli
from tutor.course import Lesson, LessonError, ParamError, load_course, load_lesson

BASE = tomllib.loads(VALID)
PROBLEM_LINE = re.compile(r"^.+\.toml:\d+: .+")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["numpy", "keras", "fit", "loss", "float", "int", "choice"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
paths = st.lists(
    st.sampled_from(
        [
            "id",
            "title",
            "chapter",
            "order",
            "backend",
            "routine",
            "views",
            "params",
            "lr",
            "epochs",
            "method",
            "type",
            "default",
            "min",
            "max",
            "choices",
            "challenge",
            "condition",
            "goal",
            "pages",
            "text",
            "extra",
        ]
    ),
    min_size=1,
    max_size=3,
)


def _strip_none(value):
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


def _mutate(document: dict, path: list[str], value, delete: bool) -> dict:
    node = document
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(paths, values, st.booleans()), min_size=1, max_size=4))
def test_any_lesson_structure_loads_or_reports_clean_problems(tmp_path, mutations):
    document = tomllib.loads(VALID)
    for path, value, delete in mutations:
        document = _mutate(document, path, value, delete)
    try:
        text = tomli_w.dumps(_strip_none(document))
    except (TypeError, ValueError):
        return  # not representable in TOML (e.g. NaN keys); nothing to load
    file = tmp_path / "lesson.toml"
    file.write_text(text)
    try:
        lesson = load_lesson(file)
    except LessonError as error:
        event(f"refused with {min(len(error.problems), 3)}{'+' if len(error.problems) > 3 else ''} problem(s)")
        assert error.problems
        for problem in error.problems:
            assert PROBLEM_LINE.match(str(problem)), str(problem)
            assert 1 <= problem.line <= max(1, text.count("\n") + 1)
    else:
        event("accepted")
        assert isinstance(lesson, Lesson)
        for param in lesson.params.values():  # every accepted default is valid for its parameter
            assert param.coerce(param.default) == param.default


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_text_as_a_lesson_file_is_a_clean_error(tmp_path, text):
    file = tmp_path / "lesson.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(file)
    assert all(PROBLEM_LINE.match(str(p)) for p in caught.value.problems)


COURSE = load_course()


@settings(max_examples=400, deadline=None)
@given(lesson=st.sampled_from(COURSE.lessons), data=st.data())
def test_any_override_is_accepted_valid_or_refused_with_a_reason(lesson, data):
    names = st.sampled_from(list(lesson.params) or ["x"]) | st.text(max_size=10)
    choices = sorted({c for p in lesson.params.values() for c in p.choices})
    plausible = st.sampled_from(["0.01", "0.05", "1", "2", "10", "100", "true", "off", "", *choices])
    raw = (
        plausible
        | st.text(max_size=12)
        | st.integers(-(10**9), 10**9).map(str)
        | st.floats(allow_nan=True, allow_infinity=True).map(repr)
    )
    overrides = data.draw(st.dictionaries(names, raw, max_size=3))
    try:
        resolved = lesson.resolve(overrides)
    except ParamError as error:
        event("refused")
        assert str(error) and "\n" not in str(error)
        return
    event("accepted")
    for name, value in resolved.items():
        param = lesson.params[name]
        assert param.coerce(value) == value
        if param.min is not None:
            assert value >= param.min
        if param.max is not None:
            assert value <= param.max


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.text(max_size=16), max_size=3), seed=st.one_of(st.none(), st.integers(-5, 10**12)))
def test_the_cli_accepts_or_refuses_any_set_values_without_a_traceback(monkeypatch, capsys, pairs, seed):
    ran = []
    monkeypatch.setattr("tutor.headless.run_headless", lambda lesson, values, seed, **kw: ran.append(values) or 0)
    argv = ["run", "gradient-descent", "--headless"]
    for pair in pairs:
        argv += ["--set", pair]
    if seed is not None:
        argv += ["--seed", str(seed)]
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse's own refusals
        code = exit_.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    event(f"exit {code}")
    if code == 0:
        assert len(ran) == 1
    else:
        assert code == 2 and not ran
        assert len(captured.err.strip().splitlines()) == 1


# ---------------------------------------------------------------- progress

json_shapes = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["passed", "runs", "last_lesson", "format", "rosenblatt", "status", "history", "x"])
            | st.text(max_size=6),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    old_json=st.one_of(st.binary(max_size=300), json_shapes.map(lambda v: json.dumps(v).encode())),
    database=st.one_of(st.none(), st.binary(min_size=1, max_size=5000)),
)
def test_no_progress_file_or_database_stops_a_run_from_being_recorded(old_json, database):
    import tempfile

    from tutor.progress import ProgressStore
    from tutor.records import RunRecord

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        (home / "progress.json").write_bytes(old_json)
        if database is not None:
            (home / "progress.sqlite3").write_bytes(database)
        store = ProgressStore(home / "progress.sqlite3")
        store.record(RunRecord(lesson="rosenblatt", params={}, seed=7, status="finished"))
        store.mark_passed("rosenblatt")
        store.set_last_lesson("rosenblatt")
        assert store.saving, store.warning
        again = ProgressStore(home / "progress.sqlite3")
        assert again.passed("rosenblatt") and again.last_lesson == "rosenblatt"
        assert again.runs("rosenblatt")[-1]["seed"] == 7
        # Whatever was damaged is kept aside, never deleted.
        kept = sorted(p.name for p in home.iterdir())
        assert any(name.startswith("progress.json") for name in kept)
