"""What one hostile size costs a served app: its memory after a 100000 x 100000 screen is asked for.

    python benchmarks/serve_resize.py [--seconds 20] [--before DIR] [--quick]

Through ``tutor serve`` as a browser uses it: the page, its websocket, then either the websocket message
``["resize", {"width": 100000, "height": 100000}]`` or the same size in the link (``?width=&height=``).
For each, the app process's resident memory (RSS) is sampled every half second for ``--seconds``; a
process past MEMORY_CAP_MB is stopped there (a machine shared with others must not swap). ``--before
DIR`` serves another checkout's tutor the same way, side by side with this one's; ``--quick`` (3 s,
this checkout only) is the run the tests can afford.
"""

from __future__ import annotations

import argparse
import asyncio
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
from _processes import children  # benchmarks/_processes.py

HUGE = 100_000
MEMORY_CAP_MB = 3000
HERE = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_server(tree: Path, home: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    environment = {**os.environ, "TUTOR_HOME": str(home), "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "tutor", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=tree,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,  # Ctrl+C ends it even when this script was started ignoring it
    )
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("Serving"):
            return server, port
    raise SystemExit(f"the server of {tree} did not start")


async def one_session(port: int, server: subprocess.Popen, how: str, seconds: float) -> tuple[float, float, str]:
    """(RSS before the size arrives, the highest RSS over ``seconds`` after, what became of the app)."""
    size = f"?width={HUGE}&height={HUGE}" if how == "link" else "?width=100&height=30"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/") as response:
            page = await response.text()
        url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
        async with session.ws_connect(url + size, max_msg_size=0) as websocket:

            async def drain() -> None:
                async for _message in websocket:
                    pass

            reader = asyncio.create_task(drain())
            deadline = time.monotonic() + 120
            while not children(server.pid) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            [app] = children(server.pid)
            await asyncio.sleep(3)  # started and drawn
            before = rss_mb(app)
            if how == "message":
                await websocket.send_json(["resize", {"width": HUGE, "height": HUGE}])
            highest, fate, ends = before, "alive", time.monotonic() + seconds
            while time.monotonic() < ends:
                await asyncio.sleep(0.5)
                now = rss_mb(app)
                if now == 0.0:
                    fate = "gone (crashed)"
                    break
                highest = max(highest, now)
                if highest > MEMORY_CAP_MB:
                    fate = f"stopped at {MEMORY_CAP_MB} MB"
                    os.kill(app, signal.SIGKILL)
                    break
            reader.cancel()
    return before, highest, fate


async def measure(tree: Path, seconds: float) -> list[str]:
    lines = []
    for how in ("message", "link"):
        with tempfile.TemporaryDirectory() as home:
            server, port = start_server(tree, Path(home))
            try:
                before, highest, fate = await one_session(port, server, how, seconds)
            finally:
                server.send_signal(signal.SIGINT)
                server.wait(30)
        lines.append(
            f"{tree.name:>12}  {how:>7}: app RSS {before:.0f} MB before, at most {highest:.0f} MB "
            f"in the {seconds:.0f} s after ({fate})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--before", type=Path, help="another checkout, measured the same way beside this one")
    parser.add_argument("--quick", action="store_true", help="3 s, this checkout only")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    trees = [HERE] + ([args.before.resolve()] if args.before and not args.quick else [])
    print(f"a {HUGE} x {HUGE} screen asked for by a websocket message, then by the link:")
    for tree in trees:
        for line in asyncio.run(measure(tree, seconds)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
