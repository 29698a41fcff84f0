"""``tutor serve``: the app in a browser, one app process per tab, for one learner or a class.

textual-serve's :class:`~textual_serve.server.Server` (aiohttp) is the base (its private parts are all
in :mod:`tutor.serve_textual`); this server adds what a classroom needs:

- **Access.** Loopback by default. With another ``--host`` a token is required: the link handed out
  carries it (``/?token=...``); a request without it gets a 403 page and no app process.
- **Who is learning** (a class). A learner's work opens only with their personal link
  (``/?learner=Ana&key=CODE``) or their name and code typed on the class page; a newcomer of an
  open class takes a free name and is given a code (:mod:`tutor.roster` says why a link and a code).
  No app process starts before a learner is known: a page load without a name costs a page, not a seat.
- **Bounded sessions.** Every screen size is clamped, malformed browser messages are refused, an
  app's stderr goes to a log file of its own (:mod:`tutor.serve_bounds`); at most ``--max-sessions``
  tabs, and at most TABS_PER_LEARNER of them a learner's.
- **A page for a closed network**: the tutor's own template, every file from this server (the font
  too), titled after the tutor, the terminal focused on load, and a websocket URL that follows the
  address the browser used (or ``--public-url``).
- **Ctrl+C** ends the server and every session within about a second: each app process gets SIGTERM
  (the app records a run it stops), then is killed if it has not gone.

Each app process is told who it serves in its environment: ``TUTOR_SERVED=1`` always,
``TUTOR_CLASS_DIR`` and ``TUTOR_LEARNER`` (a learner whose code was checked) in a class. The page hands
the websocket a one-time ticket (``/ws/<ticket>``) that holds who the tab is: the websocket needs no
token of its own, and a websocket without a ticket the page issued is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.server import Server

from tutor import classroom, i18n
from tutor.classroom import room_address
from tutor.course import printable
from tutor.i18n import _
from tutor.paths import SERVED_ENV, user_data_dir
from tutor.roster import WRONG, Roster, RosterError, normal_code
from tutor.serve_bounds import SessionLog, SignInLimiter, browser_message, url_size
from tutor.serve_pages import app_page_words, sign_in_words, welcome_words
from tutor.serve_textual import AppProcess

TEMPLATES = Path(__file__).with_name("serve_template")
# A Keras session after a run (keras-beans), measured by benchmarks/serve_class.py on the class
# machine: about 1 GB resident. The default limit leaves a quarter of the memory to everything else.
SESSION_BYTES = 1_000_000_000
TABS_PER_LEARNER = 3  # two devices and a spare; one link holder cannot take every seat
TICKET_SECONDS = 3600  # a page left open this long before it connects must be opened again
TICKETS_MAX = 1000
STOP_SECONDS = 1.2  # Ctrl+C: how long the app processes get to record their runs before being killed
CHECKS_AT_ONCE = 2  # code checks (scrypt) running at once: a burst of sign-ins cannot take both cores
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


@dataclass
class Ticket:
    learner: str | None
    expires: float


@dataclass(eq=False)
class Session:
    """One tab: its app process (once started), who it is, and its log."""

    service: AppProcess
    websocket: web.WebSocketResponse
    learner: str | None
    log: SessionLog


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
    """textual-serve's server with the tutor's page, access, sign-in, limits and shutdown."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        title = _("tutor - class {name}").format(name=options.class_name) if options.class_name else "tutor"
        public_url = (options.public_url or f"http://{room_address(options.host)}:{options.port}").rstrip("/")
        super().__init__(
            " ".join(options.argv), host=options.host, port=options.port, title=title, public_url=public_url
        )
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        self.tickets: dict[str, Ticket] = {}
        self.sessions: set[Session] = set()
        self.roster = Roster(options.class_dir) if options.class_dir is not None else None
        self.limiter = SignInLimiter()
        self.checks = asyncio.Semaphore(CHECKS_AT_ONCE)
        self.log_dir = (options.class_dir or user_data_dir()) / ("logs" if options.class_dir else "serve-logs")

    # ------------------------------------------------------------ the link and the pages

    @property
    def link(self) -> str:
        """The address to hand out (with the token when one is required)."""
        return f"{self.public_url}/" + (f"?token={self.options.token}" if self.options.token else "")

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)  # a sign-in form is a few hundred bytes
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.post("/sign-in", self.handle_sign_in, name="sign_in"),
                web.get("/ws", self.handle_websocket),  # textual-serve's address: refused, no ticket
                web.get("/ws/{ticket}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    def _page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        context = {"title": self.title, "lang": i18n.current(), "words": {}, **context}
        html = self.templates.get_template(template).render(**context)
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

    def _token_given(self, given: str) -> bool:
        token = self.options.token
        return token is None or secrets.compare_digest(given.encode(), token.encode())

    def _needs_the_link(self) -> web.Response:
        return self._refused(
            403,
            _("This tutor needs its link"),
            _("Open the link your teacher handed out: it carries the class's token."),
        )

    def _no_seat(self, learner: str | None) -> web.Response | None:
        """A page saying why there is no seat for one more tab (of ``learner``), or None when there is."""
        limit = self.options.max_sessions
        if len(self.sessions) >= limit:
            full = _("All {count} sessions are in use. Try again when someone closes their tab.")
            return self._refused(503, _("The class is full"), full.format(count=limit))
        if learner is not None and self._tabs_of(learner) >= TABS_PER_LEARNER:
            return self._refused(
                429,
                _("Your tabs are all open"),
                _("You have {count} tabs of the tutor open already. Close one, then open this link again.").format(
                    count=TABS_PER_LEARNER
                ),
            )
        return None

    def _tabs_of(self, learner: str) -> int:
        return sum(session.learner == learner for session in self.sessions)

    async def handle_index(self, request: web.Request) -> web.Response:
        query = request.query
        if self.roster is not None and query.get("learner", "").strip() and query.get("key", "").strip():
            return await self._personal_link(request, query["learner"], query["key"])  # the key is the access
        if not self._token_given(query.get("token", "")):
            return self._needs_the_link()
        if self.roster is not None:
            return self._sign_in_page(request, name=query.get("learner", "")[: classroom.NAME_MAX])
        return self._no_seat(None) or self._app_page(request, None)

    def _app_page(self, request: web.Request, learner: str | None) -> web.Response:
        scheme, rest = self._base_url(request).split(":", 1)
        websocket_url = f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws/{self._issue_ticket(learner)}"
        return self._page(
            "index.html",
            static="static/",  # beside the page, wherever the browser found it
            websocket_url=websocket_url,
            font_size=min(max(_number(request.query.get("fontsize", "16"), 16), 6), 64),
            words=app_page_words(),
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

    # ------------------------------------------------------------ learners prove who they are

    def _sign_in_page(self, request: web.Request, name: str = "", problem: str = "", status: int = 200) -> web.Response:
        assert self.roster is not None
        try:
            closed = self.roster.closed
        except RosterError as error:
            self._say(_("the roster cannot be read: {error}").format(error=printable(str(error))))
            return self._refused(
                500, _("The class cannot be opened"), _("Tell your teacher: the class's roster is damaged.")
            )
        return self._page(
            "sign_in.html",
            status=status,
            class_name=self.options.class_name,
            token=request.query.get("token", "") or "",
            name=name,
            problem=problem,
            newcomers=not closed,
            words=sign_in_words(self.options.class_name or ""),
        )

    def _address(self, request: web.Request) -> str:
        return request.remote or "?"

    async def _check(self, request: web.Request, typed_name: str, code: str) -> str | None:
        """The learner ``typed_name`` and ``code`` prove to be, or None (a wrong name or code, said once)."""
        assert self.roster is not None
        try:
            name = classroom.plain_name(typed_name)
        except classroom.BadName:
            name = None
        learner = None
        if name is not None:
            async with self.checks:  # scrypt, in a thread: the server keeps answering meanwhile
                try:
                    learner = await asyncio.get_running_loop().run_in_executor(None, self.roster.check, name, code)
                except RosterError as error:
                    self._say(_("the roster cannot be read: {error}").format(error=printable(str(error))))
        if learner is None:
            self.limiter.failed(self._address(request))
            self._say(
                _("a sign-in with a wrong name or code, from {address}").format(
                    address=printable(self._address(request))
                )
            )
        return learner

    def _slow_down(self) -> web.Response:
        return self._refused(
            429,
            _("Too many tries"),
            _("Too many wrong names or codes from this computer. Wait a minute, then try again."),
        )

    async def _personal_link(self, request: web.Request, typed_name: str, code: str) -> web.Response:
        if self.limiter.blocked(self._address(request)):
            return self._slow_down()
        learner = await self._check(request, typed_name, code)
        if learner is None:
            return self._sign_in_page(request, problem=_(WRONG), status=403)
        return self._no_seat(learner) or self._app_page(request, learner)

    async def handle_sign_in(self, request: web.Request) -> web.Response:
        """The class page's form: a name and a code (Start), or a name alone (I am new here)."""
        if self.roster is None:
            raise web.HTTPNotFound()
        form = await request.post()
        token, typed, code = (str(form.get(key, ""))[:200] for key in ("token", "name", "code"))
        if not self._token_given(token):
            return self._needs_the_link()
        if self.limiter.blocked(self._address(request)):
            return self._slow_down()
        typed = typed[: classroom.NAME_MAX + 20]
        if form.get("action") == "new":
            return await self._newcomer(request, typed)
        if not code.strip():
            return self._sign_in_page(
                request, typed, _("Type your code too (it is on your card, or in your link)."), 400
            )
        learner = await self._check(request, typed, code)
        if learner is None:
            return self._sign_in_page(request, typed, _(WRONG), 403)
        # The personal link itself: the address bar then holds what opens this learner's work again.
        raise web.HTTPSeeOther("./?" + urlencode({"learner": learner, "key": normal_code(code)}))

    async def _newcomer(self, request: web.Request, typed: str) -> web.Response:
        assert self.roster is not None and self.options.class_dir is not None
        try:
            name = classroom.plain_name(typed, "name")
        except classroom.BadName as error:
            return self._sign_in_page(request, typed, str(error).capitalize() + ".", 400)
        folder = self.options.class_dir
        try:
            taken = await asyncio.get_running_loop().run_in_executor(None, classroom.known_learners, folder)
            async with self.checks:
                code = await asyncio.get_running_loop().run_in_executor(None, self.roster.register, name, taken)
        except RosterError as error:
            self.limiter.failed(self._address(request))  # trying names one after the other is guessing too
            return self._sign_in_page(request, name, str(error).capitalize() + ".", 409)
        self._say(_("{name} is new in the class (a code was given)").format(name=printable(name)))
        link = f"{self._base_url(request)}/?{urlencode({'learner': name, 'key': code})}"
        words = welcome_words(self.options.class_name or "", name)
        return self._page("welcome.html", name=name, code=code, link=link, words=words)

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
            raise web.HTTPForbidden(text=_("no session without the page's ticket: open the tutor's link again"))
        if self._no_seat(ticket.learner) is not None:
            raise web.HTTPServiceUnavailable(text=_("no seat: the class is full, or your tabs are all open"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1024 * 1024)
        log = SessionLog(self.log_dir, ticket.learner or "tab")
        service = AppProcess(
            self.options.argv,
            self._identity(ticket.learner),
            log.keep,
            drop=(classroom.CLASS_DIR_ENV, classroom.LEARNER_ENV),  # never the server's own, only this tab's
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        session = Session(service, websocket, ticket.learner, log)
        self.sessions.add(session)  # counted from now: two tabs at once cannot both take the last seat
        self._joined(session)
        try:
            await websocket.prepare(request)
            await service.start(*url_size(request.query.get("width", "80"), request.query.get("height", "24")))
            await self._relay(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken tab ends its own session, never the server
            self._say(_("a session ended with an error: {error}").format(error=printable(str(error))[:200]))
        finally:
            self.sessions.discard(session)
            await self._end(session)
            self._left(session)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: AppProcess) -> None:
        """What the browser sends, to the app: keys, sizes (clamped), focus; anything malformed is dropped."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = browser_message(message.data)
            if envelope is None:
                continue
            kind, data = envelope
            if kind == "stdin":
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize":
                await service.set_terminal_size(*data)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _end(self, session: Session) -> None:
        """Ask the app to quit as textual-serve does; a process that does not go is stopped."""
        process = session.service.process
        try:
            await asyncio.wait_for(session.service.stop(), timeout=5)
        except Exception:  # a process that is gone, or one busy past the timeout: stopped below
            pass
        if process is not None and process.returncode is None:
            await _stop_process(process)
        if session.service.stderr_kept is not None:
            try:
                await asyncio.wait_for(session.service.stderr_kept, timeout=2)
            except (TimeoutError, asyncio.CancelledError):
                pass
        if process is not None and (process.returncode or 0) > 0:  # it failed (not stopped by a signal)
            who = printable(session.learner) if session.learner else _("a tab")
            failed = _("{who}: the app ended with an error (exit {code}); its log: {path}")
            self._say(failed.format(who=who, code=process.returncode, path=session.log.path))

    def _seats(self) -> str:
        return _("{count} of {most} tabs").format(count=len(self.sessions), most=self.options.max_sessions)

    def _joined(self, session: Session) -> None:
        if session.learner is None:
            self._say(_("a tab opened ({seats})").format(seats=self._seats()))
            return
        tabs = self._tabs_of(session.learner)
        name = printable(session.learner)
        learners = len({other.learner for other in self.sessions})
        if tabs == 1:
            said = _("{name} joined ({learners} learner(s), {seats})")
        else:
            said = _("{name} opened another tab ({tabs} tabs) ({learners} learner(s), {seats})")
        self._say(said.format(name=name, tabs=tabs, learners=learners, seats=self._seats()))

    def _left(self, session: Session) -> None:
        if session.learner is None:
            self._say(_("a tab closed ({seats})").format(seats=self._seats()))
            return
        tabs = self._tabs_of(session.learner)
        name = printable(session.learner)
        said = _("{name} closed a tab ({tabs} left open)") if tabs else _("{name} left ({seats})")
        self._say(said.format(name=name, tabs=tabs, seats=self._seats()))

    # ------------------------------------------------------------ starting and stopping

    def _say(self, line: str) -> None:
        print(line, flush=True)  # never wrapped: the teacher copies the link from here

    def _announce(self, *_ignored: object) -> None:
        """Printed once the server listens (aiohttp's ``print`` hook of run_app)."""
        if self.options.class_name:
            serving = _("Serving class {name} at {link}").format(name=repr(self.options.class_name), link=self.link)
        else:
            serving = _("Serving the tutor at {link}").format(link=self.link)
        self._say(serving)
        if self.roster is not None and self.options.class_dir is not None:
            name = self.options.class_name
            folder = _("Class folder: {folder}  (the teacher's table: tutor class {name})")
            self._say(folder.format(folder=self.options.class_dir, name=name))
            try:
                self.roster.remember_address(self.public_url)  # the personal links' beginning
                closed = self.roster.closed
            except RosterError as error:
                self._say(_("warning: {gap}").format(gap=printable(str(error))))
                closed = False
            if closed:
                only = _("Only the learners on the roster sign in (tutor class {name} --roster lists them).")
                self._say(only.format(name=name))
            else:
                open_class = _(
                    "Open class: a newcomer takes a name and is given a code; "
                    "tutor class {name} --add NAME... makes a roster (personal links to hand out)."
                )
                self._say(open_class.format(name=name))
        limits = _("Up to {most} tabs at once, {per_learner} per learner. Press Ctrl+C to stop (every session ends).")
        self._say(limits.format(most=self.options.max_sessions, per_learner=TABS_PER_LEARNER))

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
                self.web_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=self._announce,
                access_log=None,
                shutdown_timeout=0.5,
            )
        except OSError as error:
            cannot = _("cannot listen on {host}:{port}: {reason}")
            raise ServeError(cannot.format(host=self.host, port=self.port, reason=error.strerror or error)) from None


def _number(text: str, default: int) -> int:
    try:
        return int(text[:6])
    except ValueError:
        return default


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
        raise ServeError(_("--class {name}: {problem}").format(name=repr(name[:60]), problem=error)) from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        cannot = _("cannot create the class folder {folder}: {reason}")
        raise ServeError(cannot.format(folder=folder, reason=error.strerror or error)) from None
    return folder


def check_public_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", url):
        raise ServeError(_("--public-url must be an http:// or https:// address, got {url}").format(url=repr(url[:60])))
    return url.rstrip("/")


def check_token(token: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,128}", token):
        raise ServeError(_("--token must be 8 to 128 letters, digits, '-' or '_'"))
    return token


def serve(options: ServeOptions) -> int:
    """Run the server until Ctrl+C (or SIGTERM); ServeError if it cannot start."""
    if options.token is None and not is_loopback(options.host):
        options.token = secrets.token_urlsafe(12)  # others can reach this address: they need the link
    TutorServer(options).serve()
    return 0
