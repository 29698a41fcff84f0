"""The course: lessons are data, loaded strictly from TOML files into typed objects.

- :mod:`~tutor.course.model` - what a course is made of (Lesson, Param, Page, Challenge, Course);
- :mod:`~tutor.course.schema` - what a lesson file may say, declared once (msgspec Structs);
- :mod:`~tutor.course.lines` - where each key is written, to put line numbers on problems;
- :mod:`~tutor.course.conditions` - the challenge condition language;
- :mod:`~tutor.course.packs` - lesson packs and the routines lessons name (``module:function``);
- :mod:`~tutor.course.loading` - reading files and the course, every problem as ``file:line: field: ...``.
"""

from __future__ import annotations

from tutor.course.conditions import condition_names
from tutor.course.loading import load_course, load_lesson, read_lesson_text, shipped_lessons_dir
from tutor.course.model import (
    BACKENDS,
    PARAM_TYPES,
    RESERVED_PARAM_NAMES,
    SEED_MAX,
    STR_FORMATS,
    Backend,
    Challenge,
    Course,
    Lesson,
    LessonError,
    Page,
    Param,
    ParamError,
    ParamType,
    Problem,
    printable,
    shown,
)
from tutor.course.packs import ROUTINE_PACKAGE, Pack, find_packs, resolve_routine, split_routine

__all__ = [
    "BACKENDS",
    "PARAM_TYPES",
    "RESERVED_PARAM_NAMES",
    "ROUTINE_PACKAGE",
    "SEED_MAX",
    "STR_FORMATS",
    "Backend",
    "Challenge",
    "Course",
    "Lesson",
    "LessonError",
    "Page",
    "Pack",
    "Param",
    "ParamError",
    "ParamType",
    "Problem",
    "condition_names",
    "find_packs",
    "load_course",
    "load_lesson",
    "printable",
    "read_lesson_text",
    "resolve_routine",
    "shipped_lessons_dir",
    "shown",
    "split_routine",
]
