"""``tutor serve``: the app in a browser, one app process per tab, for one learner or a class.

textual-serve's :class:`~textual_serve.server.Server` (aiohttp) is the base; this server adds what a
classroom needs:

- **Access.** Loopback by default. With another ``--host`` a token is required: the link handed out
  carries it (``/?token=...``); a request without it gets a 403 page and no app process.
- **Identity.** Each tab's app process gets its identity in its environment: ``TUTOR_SERVED=1``
  always, ``TUTOR_CLASS_DIR`` when a class is served, ``TUTOR_LEARNER`` when the link names the
  learner (``?learner=ana``, a plain name). The app reads them (:mod:`tutor.classroom`).
- **A session limit** (``--max-sessions``): one more tab gets a clear "full" page, not a crash.
- **A page for a closed network**: the tutor's own template, every file from this server (the font
  too), titled after the tutor, the terminal focused on load, and a websocket URL that follows the
  address the browser used (or ``--public-url``).
- **Ctrl+C** ends the server and every session within about a second: each app process gets SIGTERM
  (the app records a run it stops), then is killed if it has not gone.

The page hands the websocket a one-time ticket (``/ws/<ticket>``) that holds who the tab is: the
websocket needs no token of its own, and a websocket without a ticket the page issued is refused.
"""

from __future__ import annotations

import asyncio
import ctypes
import ipaddress
import os
import re
import secrets
import signal
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tutor import classroom
from tutor.paths import SERVED_ENV

TEMPLATES = Path(__file__).with_name("serve_template")
# A Keras session after a run (keras-beans), measured by benchmarks/serve_class.py on the class
# machine: about 1 GB resident. The default limit leaves a quarter of the memory to everything else.
SESSION_BYTES = 1_000_000_000
TICKET_SECONDS = 3600  # a page left open this long before it connects must be opened again
TICKETS_MAX = 1000
STOP_SECONDS = 1.2  # Ctrl+C: how long the app processes get to record their runs before being killed
# What a Host header may hold (a name, IPv4 or [IPv6], then a port): anything else is not echoed.
HOST_HEADER = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


class ServeError(Exception):
    """What keeps the server from starting, in one line."""


def default_max_sessions(session_bytes: int = SESSION_BYTES) -> int:
    """As many Keras sessions as three quarters of this machine's memory holds (at least 1)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: a small class
        return 8
    return max(1, int(memory * 0.75) // session_bytes)


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is this machine's loopback (nobody else reaches it)."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


def room_address(host: str) -> str:
    """The address to put in the link handed out: ``host``, or for 0.0.0.0/:: this machine's own."""
    if host not in ("0.0.0.0", "::", ""):
        return f"[{host}]" if ":" in host else host
    try:  # the address of the interface with the default route; a UDP "connect" sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


@dataclass
class Ticket:
    learner: str | None
    expires: float


@dataclass(eq=False)
class Session:
    """One tab: its app process (once started) and who it is."""

    service: TutorAppService
    websocket: web.WebSocketResponse
    learner: str | None


class TutorAppService(AppService):
    """textual-serve's app service, started as an argument list with this tab's own environment."""

    def __init__(self, argv: Sequence[str], identity: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)
        self.identity = dict(identity)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in (classroom.CLASS_DIR_ENV, classroom.LEARNER_ENV):
            environment.pop(name, None)  # never the server's own, only this tab's
        environment.update(self.identity)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # No shell between the server and the app, so that SIGTERM reaches the app itself; its own
        # session, so that Ctrl+C in the teacher's terminal reaches the server, which stops it in order.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=_end_with_the_server if sys.platform == "linux" else None,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def process(self) -> asyncio.subprocess.Process | None:
        return self._process


@dataclass
class ServeOptions:
    host: str = "localhost"
    port: int = 8000
    argv: list[str] = field(default_factory=lambda: [sys.executable, "-m", "tutor"])
    class_name: str | None = None
    class_dir: Path | None = None
    token: str | None = None  # None: no token asked (the loopback)
    max_sessions: int = 8
    public_url: str | None = None


class TutorServer(Server):
    """textual-serve's server with the tutor's page, access, identities, limit and shutdown."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        title = f"tutor - class {options.class_name}" if options.class_name else "tutor"
        public_url = (options.public_url or f"http://{room_address(options.host)}:{options.port}").rstrip("/")
        super().__init__(
            " ".join(options.argv), host=options.host, port=options.port, title=title, public_url=public_url
        )
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        self.tickets: dict[str, Ticket] = {}
        self.sessions: set[Session] = set()

    # ------------------------------------------------------------ the link and the page

    @property
    def link(self) -> str:
        """The address to hand out (with the token when one is required)."""
        return f"{self.public_url}/" + (f"?token={self.options.token}" if self.options.token else "")

    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket),  # textual-serve's address: refused, no ticket
                web.get("/ws/{ticket}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def _page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        html = self.templates.get_template(template).render(title=self.title, **context)
        return web.Response(text=html, status=status, content_type="text/html")

    def _refused(self, status: int, heading: str, reason: str) -> web.Response:
        return self._page("refused.html", status=status, heading=heading, reason=reason)

    def _base_url(self, request: web.Request) -> str:
        """The address the browser used (its Host header), or --public-url when given."""
        if self.options.public_url:
            return self.public_url
        host = request.headers.get("Host", "")
        if not HOST_HEADER.match(host):
            return self.public_url
        scheme = "https" if request.secure or request.headers.get("X-Forwarded-Proto") == "https" else "http"
        return f"{scheme}://{host}"

    def _allowed(self, request: web.Request) -> bool:
        token = self.options.token
        return token is None or secrets.compare_digest(request.query.get("token", ""), token)

    def _full(self) -> bool:
        return len(self.sessions) >= self.options.max_sessions

    def _full_page(self) -> web.Response:
        limit = self.options.max_sessions
        return self._refused(
            503, "The class is full", f"All {limit} sessions are in use. Try again when someone closes their tab."
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return self._refused(
                403, "This tutor needs its link", "Open the link your teacher handed out: it carries the class's token."
            )
        if self._full():
            return self._full_page()
        learner = None
        typed = request.query.get("learner", "")
        if self.options.class_dir is not None and typed.strip():
            try:
                learner = classroom.plain_name(typed, "learner's name")
            except classroom.BadName as error:
                return self._refused(
                    400,
                    "The name in this link cannot be used",
                    f"{error}. Open the link without '&learner=...' and type your name.",
                )
        base = self._base_url(request)
        scheme, rest = base.split(":", 1)
        websocket_url = f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws/{self._issue_ticket(learner)}"
        return self._page(
            "index.html",
            static="static/",  # beside the page, wherever the browser found it
            websocket_url=websocket_url,
            font_size=to_int(request.query.get("fontsize", "16"), 16),
        )

    def _issue_ticket(self, learner: str | None) -> str:
        now = time.monotonic()
        for key in [key for key, ticket in self.tickets.items() if ticket.expires < now]:
            del self.tickets[key]
        while len(self.tickets) >= TICKETS_MAX:  # pages opened and never connected: drop the oldest
            del self.tickets[next(iter(self.tickets))]
        key = secrets.token_urlsafe(16)
        self.tickets[key] = Ticket(learner, now + TICKET_SECONDS)
        return key

    # ------------------------------------------------------------ a tab's session

    def _identity(self, learner: str | None) -> dict[str, str]:
        identity = {SERVED_ENV: "1"}
        if self.options.class_dir is not None:
            identity[classroom.CLASS_DIR_ENV] = str(self.options.class_dir)
            if learner:
                identity[classroom.LEARNER_ENV] = learner
        return identity

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        ticket = self.tickets.pop(request.match_info.get("ticket", ""), None)
        if ticket is None or ticket.expires < time.monotonic():
            raise web.HTTPForbidden(text="no session without the page's ticket: open the tutor's link again")
        if self._full():
            raise web.HTTPServiceUnavailable(text="the class is full")
        websocket = web.WebSocketResponse(heartbeat=15)
        service = TutorAppService(
            self.options.argv,
            self._identity(ticket.learner),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        session = Session(service, websocket, ticket.learner)
        self.sessions.add(session)  # counted from now: two tabs at once cannot both take the last seat
        self._say(f"{ticket.learner or 'a learner'} joined ({len(self.sessions)} of {self.options.max_sessions})")
        try:
            await websocket.prepare(request)
            await service.start(
                to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24)
            )
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken tab ends its own session, never the server
            self._say(f"a session ended with an error: {error}")
        finally:
            self.sessions.discard(session)
            await self._end(session)
            self._say(f"{session.learner or 'a learner'} left ({len(self.sessions)} of {self.options.max_sessions})")
        return websocket

    async def _end(self, session: Session) -> None:
        """Ask the app to quit as textual-serve does; a process that does not go is stopped."""
        process = session.service.process
        try:
            await asyncio.wait_for(session.service.stop(), timeout=5)
        except Exception:  # a process that is gone, or one busy past the timeout: stopped below
            pass
        if process is not None and process.returncode is None:
            await _stop_process(process)

    # ------------------------------------------------------------ starting and stopping

    def _say(self, line: str) -> None:
        print(line, flush=True)  # never wrapped: the teacher copies the link from here

    async def on_startup(self, app: web.Application) -> None:
        pass  # textual-serve's banner: the tutor announces itself once it listens (_announce)

    def _announce(self, *_: object) -> None:
        """Printed once the server listens (aiohttp's ``print`` hook of run_app)."""
        what = f"class {self.options.class_name!r}" if self.options.class_name else "the tutor"
        self._say(f"Serving {what} at {self.link}")
        if self.options.class_dir is not None:
            self._say(
                f"Class folder: {self.options.class_dir}  (the teacher's table: tutor class {self.options.class_name})"
            )
        self._say(f"Up to {self.options.max_sessions} sessions at once. Press Ctrl+C to stop (every session ends).")

    async def on_shutdown(self, app: web.Application) -> None:
        sessions = list(self.sessions)
        await asyncio.gather(
            *(_stop_process(session.service.process) for session in sessions if session.service.process is not None)
        )
        for session in sessions:
            if session.websocket.prepared:
                await session.websocket.close()

    def request_exit(self) -> None:
        raise GracefulExit()

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(signum, self.request_exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=self._announce,
                access_log=None,
                shutdown_timeout=0.5,
            )
        except OSError as error:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {error.strerror or error}") from None


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_the_server() -> None:
    """Run in the app process before it starts: SIGTERM it when the server dies, even killed (-9).

    The app does not notice its standard input closing: without this a killed server left every tab's
    app running (a Keras session holds 0.9 GB).
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


async def _stop_process(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (the app records a run it stops, as on Ctrl+C), then SIGKILL if it is still there."""
    for signum, wait in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGKILL, 1.0)):
        if process.returncode is not None:
            return
        try:  # os.kill, not send_signal: its poll() reaps the process under asyncio's child watcher
            os.kill(process.pid, signum)
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout=wait)
        except TimeoutError:
            continue


def class_folder(name: str) -> Path:
    """``<TUTOR_HOME>/classes/NAME``, created; ServeError for a name that is not plain."""
    try:
        folder = classroom.class_dir(name)
    except classroom.BadName as error:
        raise ServeError(f"--class {name[:60]!r}: {error}") from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServeError(f"cannot create the class folder {folder}: {error.strerror or error}") from None
    return folder


def check_public_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", url):
        raise ServeError(f"--public-url must be an http:// or https:// address, got {url[:60]!r}")
    return url.rstrip("/")


def check_token(token: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,128}", token):
        raise ServeError("--token must be 8 to 128 letters, digits, '-' or '_'")
    return token


def serve(options: ServeOptions) -> int:
    """Run the server until Ctrl+C (or SIGTERM); ServeError if it cannot start."""
    if options.token is None and not is_loopback(options.host):
        options.token = secrets.token_urlsafe(12)  # others can reach this address: they need the link
    TutorServer(options).serve()
    return 0
