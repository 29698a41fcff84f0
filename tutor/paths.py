"""Where the tutor keeps the learner's things (progress, trained weights, models)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def user_data_dir() -> Path:
    """The user data directory; ``TUTOR_HOME`` overrides it (tests, classrooms)."""
    override = os.environ.get("TUTOR_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir("tutor", appauthor=False))
