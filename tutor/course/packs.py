"""Lesson packs (folders of lesson files beyond the course) and the routines lessons name.

A lesson names its routine as ``module:function`` (or ``module.function``).
The course's routines live in the ``tutor`` package; a pack passed explicitly
may bring its own, as module files in its folder, loaded under a private
name so that a pack's ``random.py`` never shadows (or is shadowed by) a real module.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tutor.i18n import _
from tutor.modules import load_module

ROUTINE_PACKAGE = "tutor"
_MODULE_FILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def split_routine(routine: str) -> tuple[str, str]:
    """``"package.module:function"`` (or ``"package.module.function"``) -> (module, function)."""
    module_name, _colon, function = routine.partition(":") if ":" in routine else routine.rpartition(".")
    return module_name, function


def is_tutor_routine(routine: str) -> bool:
    """Whether a routine lives in the tutor's own package (not in a pack's folder)."""
    return split_routine(routine)[0].split(".")[0] == ROUTINE_PACKAGE


def resolve_routine(routine: str, code_dir: Path | None = None) -> Callable[..., Any]:
    """Import ``package.module:function`` (or ``package.module.function``).

    With ``code_dir`` (a pack passed explicitly), a module that is not part
    of ``tutor`` is loaded from ``code_dir/<module>.py`` instead.
    """
    module_name, attr = split_routine(routine)
    if code_dir is not None and not is_tutor_routine(routine):
        module = import_pack_module(code_dir, module_name)
    else:
        module = importlib.import_module(module_name)
    function = getattr(module, attr)
    if not callable(function):
        raise TypeError(f"{routine} is not a function")
    return function


def import_pack_module(code_dir: Path, module_name: str) -> ModuleType:
    """Load DIR/name.py under a private name, so packs cannot shadow real modules."""
    if not _MODULE_FILE_NAME.fullmatch(module_name):
        raise ImportError(
            _("pack routines live in a module file of the pack folder, not {module}").format(module=repr(module_name))
        )
    file = Path(code_dir) / f"{module_name}.py"
    if not file.is_file():
        raise ImportError(_("no {file}").format(file=file))
    private = f"tutor_pack_{hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:10]}_{module_name}"
    if private in sys.modules:
        return sys.modules[private]
    return load_module(file, private, keep=True)


@dataclass(frozen=True)
class Pack:
    """A folder of lesson files. ``trusted`` packs may bring their own routines."""

    path: Path
    trusted: bool = False
    # What the learner typed (``--lessons ""`` must not become Path("") = the current folder).
    given: str | None = None


def find_packs(explicit: Iterable[Path | str] = ()) -> list[Pack]:
    """Lesson packs beyond the course: ``--lessons`` folders and ``TUTOR_LESSONS``
    (passed explicitly, so trusted), then the user data folder's ``lessons/``
    (picked up by itself, so its lessons may only use the tutor's routines).
    """
    from tutor.paths import user_data_dir

    packs = [Pack(Path(p), trusted=True, given=os.fspath(p)) for p in explicit]
    for entry in os.environ.get("TUTOR_LESSONS", "").split(os.pathsep):
        if entry.strip():
            packs.append(Pack(Path(entry.strip()), trusted=True))
    user_pack = user_data_dir() / "lessons"
    if user_pack.is_dir():
        packs.append(Pack(user_pack, trusted=False))
    return packs
