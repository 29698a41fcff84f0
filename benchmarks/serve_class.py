"""A class in the browser: memory per session, time to the first screen, a Keras lesson in every tab.

    python benchmarks/serve_class.py [--sessions 8] [--lesson keras-beans] [--quick]

Three measurements, each through ``tutor serve --class`` over HTTP and websockets as a browser uses it
(each tab is a learner of the class's roster, opened with their personal link):

1. ``--sessions`` idle tabs of the app, opened one after the other: time from opening the page to the
   first screen (the lesson tree drawn), and each app process's memory once it is idle.
2. ``--sessions`` tabs at once, each running ``--lesson`` (its defaults, started as the tab opens): the
   time until every run has finished, each process's memory after its run, the machine's memory in use.
3. Ctrl+C to the server with those tabs open: the time until the server and every app process are gone.

A session is its app process and the worker processes it started (a Keras run's, and the one
prepared for the next Run while a Keras lesson is open). Memory is RSS (what ``top`` shows) and
PSS (shared library pages divided among the processes that share them: what one more session
really costs). From (2) it prints how many such sessions this machine's
memory holds (three quarters of it, as ``tutor serve``'s default --max-sessions).

``--quick`` (the test suite's mode): one tab of each, running rosenblatt (NumPy) - only that it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pyte
from _processes import children, descendants  # benchmarks/_processes.py

ROOT = Path(__file__).resolve().parents[1]
FIRST_SCREEN = "Rosenblatt"
COLUMNS, LINES = 120, 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB; (0, 0) once it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0, 0.0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.split()}
    return values.get("Rss", 0) / 1024, values.get("Pss", 0) / 1024


def session_memory_mb(pid: int) -> tuple[float, float, float]:
    """(RSS, PSS) of a session - its app process and the workers it started (a run's, the prepared
    one) - and the app process's own RSS."""
    pids = [pid, *descendants(pid)]
    sizes = [memory_mb(each) for each in pids]
    return sum(rss for rss, _ in sizes), sum(pss for _, pss in sizes), sizes[0][0]


def meminfo_mb(field: str) -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_server(home: Path, argv: list[str], sessions: int) -> tuple[subprocess.Popen, int]:
    """``tutor serve --class bench`` whose tabs run ``argv`` (tutor.serve's options, as the CLI builds them)."""
    port = free_port()
    code = (
        "import sys; from tutor import serve; "
        f"options = serve.ServeOptions(host='127.0.0.1', port={port}, argv={argv!r}, class_name='bench', "
        f"class_dir=serve.class_folder('bench'), max_sessions={sessions}); sys.exit(serve.serve(options))"
    )
    tree = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # this checkout's tutor
    environment = {**os.environ, "TUTOR_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": tree}
    server = subprocess.Popen(
        [sys.executable, "-c", code],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,  # Ctrl+C (step 3) ends it even when this script was started ignoring it
    )
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("Serving"):
            return server, port
    raise SystemExit("the server did not start")


def roster(home: Path, names: list[str]) -> dict[str, str]:
    """The bench class's learners and their codes (each tab opens its learner's personal link)."""
    from tutor.roster import Roster

    return dict(Roster(home / "classes" / "bench").add(names))


class Tab:
    def __init__(self, learner: str, code: str) -> None:
        self.learner = learner
        self.code = code
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def open(self, session: aiohttp.ClientSession, port: int, until: str, timeout: float) -> float:
        """Open the page and its websocket; seconds from the page request until ``until`` is on screen."""
        started = time.perf_counter()
        async with session.get(f"http://127.0.0.1:{port}/?learner={self.learner}&key={self.code}") as response:
            page = await response.text()
        url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
        self.websocket = await session.ws_connect(f"{url}?width={COLUMNS}&height={LINES}")
        self.reader = asyncio.create_task(self._read())
        await self.wait_for(until, timeout)
        return time.perf_counter() - started

    async def _read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)

    async def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.learner}: {text!r} not shown in {timeout:.0f} s")
            await asyncio.sleep(0.1)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


async def idle_sessions(home: Path, count: int) -> None:
    server, port = start_server(home, [sys.executable, "-m", "tutor"], count)
    try:
        async with aiohttp.ClientSession() as session:
            codes = roster(home, [f"idle{i}" for i in range(count)])
            tabs = [Tab(name, code) for name, code in codes.items()]
            times = [await tab.open(session, port, FIRST_SCREEN, 120) for tab in tabs]
            await asyncio.sleep(3)  # settled: nothing drawn, nothing loading
            memory = [session_memory_mb(pid) for pid in children(server.pid)]
            print(
                f"idle: page to first screen {min(times):.1f}-{max(times):.1f} s (median {median(times):.1f} s, "
                f"tabs opened one after another); per session RSS {median([m[0] for m in memory]):.0f} MB, "
                f"PSS {median([m[1] for m in memory]):.0f} MB, "
                f"processes per session {1 + len(descendants(children(server.pid)[0]))}"
            )
            for tab in tabs:
                await tab.websocket.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


async def keras_sessions(home: Path, count: int, lesson: str) -> None:
    available_before = meminfo_mb("MemAvailable")
    server, port = start_server(home, [sys.executable, "-m", "tutor", "run", lesson], count)
    try:
        async with aiohttp.ClientSession() as session:
            codes = roster(home, [f"keras{i}" for i in range(count)])
            tabs = [Tab(name, code) for name, code in codes.items()]
            started = time.perf_counter()
            opened = await asyncio.gather(*(tab.open(session, port, FIRST_SCREEN, 180) for tab in tabs))
            print(f"{count} tabs opened at the same moment: page to first screen {min(opened):.1f}-{max(opened):.1f} s")
            peak = {pid: (0.0, 0.0, 0.0) for pid in children(server.pid)}
            lowest_available = available_before

            async def sample() -> None:
                nonlocal lowest_available
                while True:
                    for pid in children(server.pid):
                        measured = session_memory_mb(pid)
                        old = peak.get(pid, (0.0, 0.0, 0.0))
                        peak[pid] = tuple(max(a, b) for a, b in zip(old, measured))  # type: ignore[assignment]
                    lowest_available = min(lowest_available, meminfo_mb("MemAvailable"))
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample())
            finished = [t for t in await asyncio.gather(*(finish_time(tab, started) for tab in tabs)) if t == t]
            print(f"{len(finished)} of {count} runs finished")
            await asyncio.sleep(2)
            after = [session_memory_mb(pid) for pid in children(server.pid)]
            sampler.cancel()
            rss_after = median([m[0] for m in after])
            pss_after = median([m[1] for m in after])
            app_after = median([m[2] for m in after])
            pss_peak = max(m[1] for m in peak.values())
            rss_peak = median([m[0] for m in peak.values()])
            print(
                f"{count} x {lesson} at once: every run finished in {max(finished):.0f} s "
                f"(first {min(finished):.0f} s); during its run a session (app + worker) peaks at RSS "
                f"{rss_peak:.0f} MB; after it, with the lesson still open (a worker prepared for the next "
                f"Run), RSS {rss_after:.0f} MB, PSS {pss_after:.0f} MB, of which the app process RSS "
                f"{app_after:.0f} MB (peak PSS {pss_peak:.0f} MB); machine memory in use rose by "
                f"{available_before - lowest_available:.0f} MB at most"
            )
            total = meminfo_mb("MemTotal")
            print(
                f"this machine ({total / 1024:.0f} GB, {os.cpu_count()} cores): three quarters of its memory "
                f"holds {int(total * 0.75 // max(pss_peak, 1))} such sessions by peak PSS"
            )
            stopped = time.perf_counter()
            apps = children(server.pid)
            server.send_signal(signal.SIGINT)
            server.wait(30)
            while any(Path(f"/proc/{pid}").exists() and not zombie(pid) for pid in apps):
                await asyncio.sleep(0.05)
            gone = time.perf_counter() - stopped
            print(f"Ctrl+C with {len(apps)} tabs open: server and sessions gone in {gone:.1f} s")
            for tab in tabs:
                tab.reader.cancel()
    finally:
        if server.poll() is None:
            server.kill()


def zombie(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


async def finish_time(tab: Tab, started: float) -> float:
    """Seconds until the tab's run has finished; NaN (and its status line printed) if it did not in 5 min."""
    try:
        await tab.wait_for("Finished:", 300)
    except TimeoutError:
        status = [line.strip() for line in tab.text().splitlines() if line.strip()][-3:]
        print(f"{tab.learner}: no 'Finished:' after 300 s; the screen ends with {status}")
        return float("nan")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--lesson", default="keras-beans")
    parser.add_argument("--home", type=Path, help="keep the sessions' data (stderr.log...) in this folder")
    parser.add_argument("--skip-idle", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one tab of each, rosenblatt: only that it runs")
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.lesson = 1, "rosenblatt"
    with tempfile.TemporaryDirectory() if args.home is None else contextlib.nullcontext(args.home) as home:
        if not args.skip_idle:
            asyncio.run(idle_sessions(Path(home), args.sessions))
        asyncio.run(keras_sessions(Path(home), args.sessions, args.lesson))


if __name__ == "__main__":
    main()
