"""Where the tutor keeps the learner's things (progress, trained weights, models), and which
files a lesson may name.

A lesson's file parameter (a model, weights) names a file on the learner's own machine and
is used as given - except when the tutor is served to a browser (``TUTOR_SERVED=1``): then
the file must lie in the learner's data folder (a name alone is taken as a file there), so
a learner cannot read or write the server's files through a lesson.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from tutor.files import TutorFileError, show_path

SERVED_ENV = "TUTOR_SERVED"  # set by ``tutor serve`` in every app process it starts


def user_data_dir() -> Path:
    """The user data directory; ``TUTOR_HOME`` overrides it (tests, classrooms)."""
    override = os.environ.get("TUTOR_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir("tutor", appauthor=False))


# ---------------------------------------------------------------- files named by lesson parameters


def is_served() -> bool:
    """True in an app process that ``tutor serve`` started for a browser session."""
    return os.environ.get(SERVED_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def confined_path(text: str, folder: str | os.PathLike) -> Path:
    """``text`` as a path inside ``folder`` (a relative one is taken from there), or TutorFileError saying why not.

    The check is on the real path (symlinks and ``..`` resolved), so no spelling of a
    path leads out of the folder; ``~`` is not expanded (it is the server's home).
    """
    given = text.strip()
    if "\0" in given:
        raise TutorFileError(f"{show_path(given)}: the name contains a NUL character")
    if given.startswith("~"):
        raise TutorFileError(f"{show_path(given)}: ~ is the server's home, outside your data folder; give a file name")
    root = Path(os.path.realpath(folder))
    candidate = Path(os.path.realpath(root / given))  # an absolute ``given`` replaces root
    if candidate != root and root not in candidate.parents:
        raise TutorFileError(
            f"{show_path(given)} is outside your data folder {show_path(root)}; give a file name inside it, e.g. mine"
        )
    if candidate == root:
        raise TutorFileError(f"{show_path(given)} is your data folder itself; give a file name inside it, e.g. mine")
    return candidate


def lesson_file_path(text: str) -> str:
    """The value of a lesson's file parameter to use: as given, or (when served) confined to the data folder.

    Empty stays empty (the lesson's own file in the data folder). Raises TutorFileError.
    """
    if not is_served() or not text.strip():
        return text
    return str(confined_path(text, user_data_dir()))
