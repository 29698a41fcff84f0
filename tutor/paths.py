"""Where the tutor keeps the learner's files (trained weights, saved runs).

``$TUTOR_HOME`` wins when set (tests and portable installs use it);
otherwise the platform's user data directory, e.g. ``~/.local/share/tutor``.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    """The tutor's own data directory (not created here: writers create what they need)."""
    home = os.environ.get("TUTOR_HOME", "").strip()
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tutor", appauthor=False))
