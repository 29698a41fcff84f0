"""The source of the routine a lesson runs, syntax highlighted in the theme's colours."""

from __future__ import annotations

import importlib
import inspect

from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.highlight import highlight
from textual.widgets import Static


def routine_source(routine: str) -> tuple[str, str]:
    """(file name, source) of the module holding ``package.module:function``."""
    module_name = routine.partition(":")[0] if ":" in routine else routine.rpartition(".")[0]
    try:
        module = importlib.import_module(module_name)
        return inspect.getsourcefile(module) or module_name, inspect.getsource(module)
    except (ImportError, OSError, TypeError) as error:
        return module_name, f"# The source of {routine} is not available: {error}\n"


class CodeView(ScrollableContainer, can_focus=True):
    """Read-only: the code that runs when you press Run."""

    def __init__(self, routine: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.routine = routine

    def compose(self) -> ComposeResult:
        path, source = routine_source(self.routine)
        module = self.routine.partition(":")[0]
        yield Static(f"{module}  ({path.rsplit('/', 1)[-1]})", id="code-title", markup=False)
        yield Static(highlight(source, language="python"), id="code-text")
