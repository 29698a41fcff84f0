"""What the benchmarks read of running processes from Linux's /proc (not a benchmark itself)."""

from __future__ import annotations

import os
from pathlib import Path


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still running."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[int]:
    """Every running process under ``pid``."""
    found: list[int] = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def cpu_seconds_under(pid: int) -> float:
    """CPU seconds used so far by the running processes under ``pid``."""
    total = 0.0
    for process in descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total
