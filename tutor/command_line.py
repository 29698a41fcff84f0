"""What the tutor's commands share: bad input as a :class:`UsageError`, and the course they work on.

``tutor.cli`` (the parser, the lesson commands) and ``tutor.exercises.commands`` (exercise,
verify, watch...) both import this module; it imports neither of them, nor anything heavy at
start, so ``tutor --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import i18n
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.course import Course

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the command line: its message is shown as it is, in one line, and the exit code is 2."""


def course_from(args: argparse.Namespace, language: str | None = None) -> Course:
    """The course with the lesson packs ``--lessons`` names (each must be a folder), its text
    in ``language`` (default: the language the tutor speaks)."""
    from tutor.course import find_packs, load_course, shown

    for directory in args.lessons:
        if not directory.strip():
            raise UsageError(_("--lessons needs a folder, got an empty value"))
        if Path(directory).exists() and not Path(directory).is_dir():
            raise UsageError(_("lesson folder {folder} is not a folder").format(folder=shown(directory)))
        if not Path(directory).is_dir():
            raise UsageError(_("lesson folder {folder} does not exist").format(folder=shown(directory)))
    packs = find_packs([Path(directory) for directory in args.lessons])
    return load_course(packs=packs, language=language or i18n.current())


def warn_problems(course: Course) -> None:
    """One line on stderr when lesson files have problems: ``tutor check`` lists them."""
    if course.problems:
        message = _("tutor: warning: {count} problem(s) in lesson files were skipped; run 'tutor check' to see them")
        print(message.format(count=len(course.problems)), file=sys.stderr)
