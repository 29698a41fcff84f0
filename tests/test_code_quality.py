"""The linters, the type checker and the import contracts, run by the README's test command.

Each is configured in pyproject.toml ([tool.ruff], [tool.mypy], [tool.importlinter]) and
installed by the ``test`` extra. tests/test_runner.py's sys.modules test is the runtime
complement of the import contracts: it imports every routine and looks at what got loaded.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports() -> list[str]:
    """import-linter has no ``python -m`` entry: its script sits beside this interpreter."""
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    return [found, "--no-logo"]


TOOLS = {
    "ruff check": lambda: [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": lambda: [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy": lambda: [sys.executable, "-m", "mypy"],  # the files are listed in [tool.mypy]
    "lint-imports": lint_imports,
}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_the_code_passes(tool: str) -> None:
    done = subprocess.run(TOOLS[tool](), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{tool} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
