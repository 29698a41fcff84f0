"""Running a Python file as a module: a pack's routines, a learner's exercise file, an exercise's checks.

One way for all of them (importlib's spec, module and loader); each caller says only what is
its own: the module's name, and whether the module stays in ``sys.modules`` afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType


def load_module(path: str | os.PathLike[str], name: str, *, keep: bool = False) -> ModuleType:
    """Run the Python file ``path`` as a fresh module called ``name`` and return it.

    The module is in ``sys.modules`` while its top level runs (dataclasses look their
    module up there); with ``keep`` it stays (a second import finds it), otherwise what was
    there before is put back. Whatever the top level raises passes through, and the module
    is not left registered; ImportError when the file cannot be loaded as Python at all.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {os.fspath(path)} as Python")
    module = importlib.util.module_from_spec(spec)
    before = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        _put_back(name, before)
        raise
    if not keep:
        _put_back(name, before)
    return module


def _put_back(name: str, before: ModuleType | None) -> None:
    if before is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = before
