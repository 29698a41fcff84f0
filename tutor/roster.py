"""Who may open a learner's work in a class: each learner's personal code, and the teacher's roster.

A class learner proves who they are with their **personal link** - the class's address with their
name and their code, ``/?learner=Ana&key=k7qdm-2xafp`` - or by typing the name and the code on the
class page. Why a link and a code rather than a passphrase or a cookie:

- children do not choose (or remember) good passphrases; a code the tutor makes has ~50 bits and is
  written for reading aloud and typing (no 0/o, 1/l/i);
- a teacher hands links or cards out; a learner on two devices opens the same link on both (a
  cookie would tie the work to one browser, and be lost with it);
- a lost or shared code is replaced: ``tutor class 7b --reset Ana`` makes a new one and the old link
  stops working at once.

Codes are kept only as scrypt hashes (salted, from the standard library) and compared in constant
time, so the roster file tells nobody a code; that is also why a lost code is reset, never shown again.

A class is **open** until the teacher adds a learner (``tutor class 7b --add Ana Ben``): then it is
**closed** - only the roster's names sign in. In an open class a newcomer takes a free name and is
given a code on the spot; a name already in use (on the roster, or with work in the class folder
from before codes existed) cannot be taken, which necessarily tells a newcomer that the name exists.
A closed class says nothing of the kind: a wrong name and a wrong code get the same line.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import hmac
import os
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.i18n import N_, _

ROSTER_NAME = "roster.sqlite3"
# Letters and digits that cannot be mistaken for one another when read aloud or copied from a card.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10  # 31^10: about 49.5 bits
# scrypt's cost: about 20 ms and 4 MB a check on the class machine (80 ms under load), and the server
# checks at most two at once. The code's own ~49.5 bits do the rest: trying every code against a
# stolen roster file at 20 ms each would take ten million years on one core.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**12, 8, 1
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS learners (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, code_hash TEXT NOT NULL,
    added_by TEXT NOT NULL, code_made TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

WRONG = N_("That name and code do not match. Check your card or link, or ask your teacher for a new code.")


class RosterError(Exception):
    """What the roster cannot do, in one line for the learner or the teacher."""


class NameTaken(RosterError):
    """A newcomer asked for a name already in use in an open class."""


class ClassClosed(RosterError):
    """A newcomer asked for a name in a class with a roster: only the teacher adds learners."""


# ---------------------------------------------------------------- codes


def new_code() -> str:
    """A fresh code, ``k7qdm-2xafp``: ten characters of CODE_ALPHABET in two groups."""
    letters = "".join(secrets.choice(CODE_ALPHABET) for _place in range(CODE_LENGTH))
    return f"{letters[:5]}-{letters[5:]}"


def normal_code(typed: str) -> str:
    """A code as typed (any case, with or without the dash or spaces) in the form it was made."""
    letters = "".join(ch for ch in str(typed).lower() if ch.isalnum())
    return f"{letters[:5]}-{letters[5:]}" if len(letters) == CODE_LENGTH else letters


def hash_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(normal_code(code), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    """Whether ``code`` is the one ``stored`` was made from (constant time; a damaged hash never matches)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        mine = _scrypt(normal_code(code), bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(mine, bytes.fromhex(digest))
    except (ValueError, TypeError):
        return False


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):  # a hand-edited cost cannot hang the server
        raise ValueError("scrypt parameters out of range")
    return hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


@functools.cache
def _nobody() -> str:
    """A hash of no one's code: checking a name that is not on the roster takes as long as one that is,
    so the time of an answer does not say whether a name exists."""
    return hash_code(new_code())


def name_key(name: str) -> str:
    """The same learner in any case and spacing (``ana lima`` is ``Ana Lima``)."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


# ---------------------------------------------------------------- the roster of a class


@dataclass(frozen=True)
class Entry:
    name: str
    added_by: str  # "teacher" (on the roster) or "self" (a newcomer of an open class)
    code_made: str  # ISO time the current code was made


class Roster:
    """The learners of one class and their codes' hashes (``<class folder>/roster.sqlite3``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / ROSTER_NAME

    @contextlib.contextmanager
    def _connection(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One short connection per question or change; RosterError (one line) when the file fails."""
        try:
            if not write and not self.path.is_file():
                conn = sqlite3.connect(":memory:", isolation_level=None)  # no roster yet: nobody on it
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                new = not self.path.exists()
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                if new:
                    with contextlib.suppress(OSError):
                        os.chmod(self.path, 0o600)  # only the teacher's account reads the hashes
        except (sqlite3.Error, OSError) as error:
            raise RosterError(
                _("cannot open the class's roster {path}: {error}").format(path=self.path, error=error)
            ) from None
        try:
            if write:
                conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    conn.execute(statement)
            yield conn
            if write:
                conn.execute("COMMIT")
        except BaseException as error:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error | OSError):
                raise RosterError(
                    _("cannot use the class's roster {path}: {error}").format(path=self.path, error=error)
                ) from None
            raise
        finally:
            conn.close()

    def _read(self, query: str, args: tuple = ()) -> list[tuple]:
        with self._connection() as conn:
            return conn.execute(query, args).fetchall()

    # ------------------------------------------------------------ reading

    def entries(self) -> list[Entry]:
        rows = self._read("SELECT name, added_by, code_made FROM learners")
        return sorted((Entry(*row) for row in rows), key=lambda entry: name_key(entry.name))

    @property
    def closed(self) -> bool:
        """The teacher has added learners: only they sign in."""
        return bool(self._read("SELECT 1 FROM learners WHERE added_by = 'teacher' LIMIT 1"))

    def check(self, typed_name: str, typed_code: str) -> str | None:
        """The learner's name as the class knows it when the code is theirs, else None.

        A name nobody has costs the same scrypt as a real one (no timing says whether it exists).
        """
        rows = self._read("SELECT name, code_hash FROM learners WHERE key = ?", (name_key(typed_name),))
        name, stored = rows[0] if rows else (None, _nobody())
        matches = code_matches(typed_code, stored)
        return name if matches and name is not None else None

    @property
    def address(self) -> str | None:
        """Where the class was last served (``http://192.168.1.20:8000``): the links' beginning."""
        rows = self._read("SELECT value FROM meta WHERE key = 'address'")
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def link(self, name: str, code: str, address: str | None = None) -> str:
        from urllib.parse import urlencode

        base = (address or self.address or "http://localhost:8000").rstrip("/")
        return f"{base}/?{urlencode({'learner': name, 'key': code})}"

    # ------------------------------------------------------------ changing

    def add(self, names: Sequence[str], taken: Sequence[str] = ()) -> list[tuple[str, str]]:
        """The teacher adds learners (the class is closed from now on): (name, code) for each.

        ``taken``: names of learners with work in the class already; adding one gives them a code
        and keeps their work. A name already on the roster is a RosterError (``--reset`` is for that).
        """
        made: list[tuple[str, str]] = []
        known = {name_key(name): name for name in taken}
        with self._connection(write=True) as conn:
            for name in names:
                key = name_key(name)
                if conn.execute("SELECT 1 FROM learners WHERE key = ?", (key,)).fetchone():
                    raise RosterError(
                        _("{name} is on the roster already (tutor class ... --reset gives a new code)").format(
                            name=name
                        )
                    )
                spelled = known.get(key, name)
                code = new_code()
                conn.execute(
                    "INSERT INTO learners (key, name, code_hash, added_by, code_made) VALUES (?, ?, ?, 'teacher', ?)",
                    (key, spelled, hash_code(code), _now()),
                )
                made.append((spelled, code))
        return made

    def reset(self, typed_name: str) -> tuple[str, str]:
        """A new code for a learner (the old one stops working): (name, code); RosterError if not on it."""
        code = new_code()
        with self._connection(write=True) as conn:
            row = conn.execute("SELECT name FROM learners WHERE key = ?", (name_key(typed_name),)).fetchone()
            if row is None:
                raise RosterError(_("there is no {name} in this class").format(name=typed_name))
            conn.execute(
                "UPDATE learners SET code_hash = ?, code_made = ? WHERE key = ?",
                (hash_code(code), _now(), name_key(typed_name)),
            )
        return row[0], code

    def register(self, name: str, taken: Sequence[str] = ()) -> str:
        """A newcomer of an open class takes ``name``: their new code.

        ClassClosed when the class has a roster; NameTaken when the name is in use (on the roster,
        or in ``taken``: learners with work in the class folder).
        """
        key = name_key(name)
        code = new_code()
        with self._connection(write=True) as conn:
            if conn.execute("SELECT 1 FROM learners WHERE added_by = 'teacher' LIMIT 1").fetchone():
                raise ClassClosed(_("only the learners your teacher added sign in to this class"))
            if conn.execute("SELECT 1 FROM learners WHERE key = ?", (key,)).fetchone() or key in {
                name_key(other) for other in taken
            }:
                raise NameTaken(
                    _(
                        "this name is already used in this class: if it is yours, type your code; "
                        "if not, choose another (add a letter: Ana B.)"
                    )
                )
            conn.execute(
                "INSERT INTO learners (key, name, code_hash, added_by, code_made) VALUES (?, ?, ?, 'self', ?)",
                (key, name, hash_code(code), _now()),
            )
        return code

    def remember_address(self, address: str) -> None:
        with self._connection(write=True) as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('address', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (address,),
            )


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")
