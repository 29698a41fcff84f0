"""A class: many learners served from one machine, each with their own progress, files and name.

``tutor serve --class NAME`` keeps a class in ``<TUTOR_HOME>/classes/NAME/``::

    progress.sqlite3          every learner's passes, runs and last lesson (one row set per learner)
    learners/<learner>/       each learner's data folder: saved models, weights (their TUTOR_HOME)
    workspaces/<learner>/     each learner's exercise files

    roster.sqlite3            who may sign in: each learner's code, as a hash (tutor.roster)
    logs/                     each served tab's log (what its app wrote to stderr)

The server starts an app process for a browser tab once the learner has proved who they are
(their personal link, or their name and code: :mod:`tutor.roster`) and says who it serves in that
process's environment: ``TUTOR_CLASS_DIR`` (the class folder), ``TUTOR_LEARNER`` (the learner
whose code was checked) and ``TUTOR_SERVED=1``. :func:`seat_from_environment` reads that;
:func:`take_seat` makes the process the learner's. An app of a class started without a learner
asks for the name and the code itself (``tutor.app.screens.learner``).

A learner is known by a plain name (:func:`plain_name`); the same name in any case is the same
learner. ``tutor class NAME`` shows the teacher who passed what (:func:`teacher_rows`,
:func:`print_table`, :func:`write_csv`), every name escaped (:func:`shown_name`).
"""

from __future__ import annotations

import contextlib
import csv
import os
import socket
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.cells import cell_len

from tutor.course.model import printable
from tutor.i18n import N_, _
from tutor.paths import user_data_dir
from tutor.progress import DB_NAME, ProgressStore
from tutor.progress.overview import LearnerSummary, learner_summaries
from tutor.roster import Roster, RosterError

if TYPE_CHECKING:
    from tutor.course import Lesson

CLASS_DIR_ENV = "TUTOR_CLASS_DIR"
LEARNER_ENV = "TUTOR_LEARNER"
HOME_ENV = "TUTOR_HOME"  # read by tutor.paths.user_data_dir
NAME_MAX = 40
# Besides letters and digits (any script): what real names hold.
NAME_PUNCTUATION = " -_.'"


class BadName(ValueError):
    """A name that cannot be a learner's or a class's; ``str()`` says why, in one line."""


def plain_name(text: str, what: str = N_("name")) -> str:
    """``text`` as a plain name (spaces tidied, Unicode composed), or BadName saying what to change.

    Letters and digits of any script, spaces and - _ . ' ; it starts with a letter or a
    digit and has at most NAME_MAX characters. Such a name is also a safe folder name.
    ``what`` is marked with N_ and said in the tutor's language.
    """
    what = _(what)
    name = " ".join(unicodedata.normalize("NFC", str(text)).split())
    if not name:
        raise BadName(_("type a {what}").format(what=what))
    if len(name) > NAME_MAX:
        raise BadName(_("a {what} has at most {count} characters").format(what=what, count=NAME_MAX))
    if not name[0].isalnum():
        raise BadName(_("a {what} starts with a letter or a digit").format(what=what))
    odd = sorted({ch for ch in name if not (ch.isalnum() or ch in NAME_PUNCTUATION)})
    if odd:
        shown = " ".join(repr(ch)[1:-1] for ch in odd[:5])
        raise BadName(_("a {what} is letters, digits, spaces and - _ . ' (not {odd})").format(what=what, odd=shown))
    return name


# ---------------------------------------------------------------- where a class lives


def classes_dir() -> Path:
    return user_data_dir() / "classes"


def class_dir(name: str) -> Path:
    """The folder of class ``name`` (it may not exist yet); BadName for a name that is not plain."""
    return classes_dir() / plain_name(name, N_("class name"))


def class_names() -> list[str]:
    try:
        return sorted(entry.name for entry in classes_dir().iterdir() if entry.is_dir())
    except OSError:
        return []


def class_store(folder: Path, learner: str = "") -> ProgressStore:
    """The class's one progress database, read and written as ``learner``."""
    return ProgressStore(folder / DB_NAME, learner=learner)


def class_overview(folder: Path) -> list[LearnerSummary]:
    """Every learner's summary; a class nobody has joined yet has none (and no database is made)."""
    return learner_summaries(class_store(folder)) if (folder / DB_NAME).is_file() else []


def shown_name(name: str) -> str:
    """A learner's name as printed or shown: control and bidirectional characters escaped (a hand-edited
    database may hold them; the tutor's own names never do)."""
    return printable(name)


def roster_names(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in Roster(folder).entries()]
    except RosterError:
        return []


def known_learners(folder: Path) -> list[str]:
    """Learners who have done something in this class (passed, run, opened a lesson) or have a folder."""
    names = {summary.learner for summary in class_overview(folder)}
    for sub in ("learners", "workspaces"):
        try:
            names |= {entry.name for entry in (folder / sub).iterdir() if entry.is_dir()}
        except OSError:
            pass
    return sorted(names, key=str.casefold)


def same_learner(folder: Path, typed: str) -> str:
    """The learner ``typed`` names: an existing learner spelled in another case is that learner."""
    name = plain_name(typed)
    for known in known_learners(folder):
        if known.casefold() == name.casefold():
            return known
    return name


# ---------------------------------------------------------------- the learner of this process


@dataclass(frozen=True)
class Seat:
    """Who this app process serves: a class folder and maybe a learner already named by the link."""

    class_dir: Path | None = None
    learner: str | None = None
    problem: str | None = None  # the link's name was not a plain name: ask instead, saying why

    @property
    def in_class(self) -> bool:
        return self.class_dir is not None


def seat_from_environment() -> Seat:
    folder = os.environ.get(CLASS_DIR_ENV, "").strip()
    if not folder:
        return Seat()
    typed = os.environ.get(LEARNER_ENV, "")
    if not typed.strip():
        return Seat(Path(folder))
    try:
        return Seat(Path(folder), same_learner(Path(folder), typed))
    except BadName as error:
        return Seat(Path(folder), problem=_("The name in your link cannot be used: {problem}.").format(problem=error))


def learner_data_dir(folder: Path, learner: str) -> Path:
    return folder / "learners" / learner


def learner_workspace(folder: Path, learner: str) -> Path:
    return folder / "workspaces" / learner


def take_seat(folder: Path, learner: str) -> ProgressStore:
    """Make this process ``learner``'s: their data folder and workspace, and their progress store.

    The data folder becomes this process's TUTOR_HOME, so what lessons save (models,
    weights) and the file paths a served learner may give are theirs alone.
    """
    from tutor.exercises import WORKSPACE_ENV  # where tutor.exercises.workspace_dir looks

    home, workspace = learner_data_dir(folder, learner), learner_workspace(folder, learner)
    for path in (home, workspace):
        # A folder that cannot be made is said where it is used: the store keeps progress in
        # memory with a warning, a lesson notes that its model was not saved.
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)
    os.environ[HOME_ENV] = str(home)
    os.environ[WORKSPACE_ENV] = str(workspace)
    os.environ[LEARNER_ENV] = learner
    return class_store(folder, learner)


# ---------------------------------------------------------------- the teacher's table


def lesson_cell(summary: LearnerSummary, lesson_id: str) -> str:
    """C: challenge met; E: exercise passed; 3r: three runs and neither yet; '': not tried."""
    mark = ("C" if lesson_id in summary.passed else "") + ("E" if lesson_id in summary.exercises else "")
    runs = summary.runs.get(lesson_id, 0)
    return mark or (f"{runs}r" if runs else "")


# The CSV keeps these English headings (a spreadsheet's columns); the table says them in the tutor's language.
LEFT_COLUMNS = (N_("learner"), N_("challenges"), N_("exercises"), N_("last active"))
LEGEND = N_("C challenge met · E exercise passed · 3r three runs, nothing passed yet · blank: not tried")


def teacher_rows(folder: Path, lessons: Sequence[Lesson]) -> tuple[list[str], list[list[str]]]:
    """(header, one row per learner): learner, challenges, exercises, last active, then a cell per lesson.

    One row per learner: everyone with work in the class and everyone on its roster (who may not have
    started yet), never a row per tab or page load. Names are escaped.
    """
    summaries = class_overview(folder)
    have = {summary.learner.casefold() for summary in summaries}
    summaries += [LearnerSummary(name) for name in roster_names(folder) if name.casefold() not in have]
    summaries.sort(key=lambda summary: summary.learner.casefold())
    ids = [lesson.id for lesson in lessons]
    header = [*LEFT_COLUMNS, *ids]
    rows = []
    for summary in summaries:
        passed = sum(lesson in summary.passed for lesson in ids)
        exercises = sum(lesson in summary.exercises for lesson in ids)
        rows.append(
            [
                shown_name(summary.learner),
                f"{passed}/{len(ids)}",
                str(exercises),
                summary.last_active.replace("T", " ")[:16],
                *(lesson_cell(summary, lesson) for lesson in ids),
            ]
        )
    return header, rows


def _spreadsheet_safe(cell: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; names from a hand-edited database could.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def write_csv(out: IO[str], header: list[str], rows: list[list[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_spreadsheet_safe(cell) for cell in row] for row in rows])


def print_table(console, name: str, lessons: Sequence[Lesson], header: list[str], rows: list[list[str]]) -> None:
    """The table for a terminal: lesson columns headed by their number (1.1), every cell plain text.

    When all the lessons do not fit the terminal's width, the chapters are split over
    several tables (each starting with the learner's name), never cut short.
    """
    from rich import box
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    def table_of(columns: list[int], title: str | None) -> Table:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        for index in columns:
            centred = index >= len(LEFT_COLUMNS)
            label = f"{lessons[index - 4].chapter}.{lessons[index - 4].order}" if centred else _(header[index])
            table.add_column(Text(label), justify="center" if centred else "left", no_wrap=True)
        for row in rows:
            table.add_row(*(Text(row[index]) for index in columns))  # Text: a name is never read as markup
        return table

    def width_of(table: Table) -> int:
        return Measurement.get(console, console.options.update_width(10_000), table).maximum

    fixed = list(range(len(LEFT_COLUMNS)))
    by_chapter: dict[int, list[int]] = {}
    for offset, lesson in enumerate(lessons):
        by_chapter.setdefault(lesson.chapter, []).append(len(LEFT_COLUMNS) + offset)
    groups: list[list[int]] = [[]]
    for columns in by_chapter.values():
        lead = fixed if len(groups) == 1 else [0]
        if groups[-1] and width_of(table_of(lead + groups[-1] + columns, None)) > console.width:
            groups.append([])
        groups[-1].extend(columns)
    title = _("class {name}: {count} learner(s)").format(name=name, count=len(rows))
    for number, group in enumerate(groups):
        # The first table has the totals; the others repeat only the name.
        console.print(table_of((fixed if number == 0 else [0]) + group, title if number == 0 else None))
    console.print(Text(_(LEGEND), style="dim"))
    key = ", ".join(f"{lesson.chapter}.{lesson.order} {lesson.id}" for lesson in lessons)
    console.print(Text(_("lessons: {key}").format(key=key), style="dim"))


# ---------------------------------------------------------------- the teacher's roster


def roster_command(folder: Path, add: Sequence[str] = (), reset: str | None = None, listing: bool = False) -> int:
    """``tutor class NAME --add A B`` / ``--reset A`` / ``--roster``: print links or the roster; 0.

    Raises BadName (a name that is not plain) or RosterError (one line each).
    """
    roster = Roster(folder)
    if add:
        names = [plain_name(name, N_("learner's name")) for name in add]
        repeated = sorted({name for name in names if [n.casefold() for n in names].count(name.casefold()) > 1})
        if repeated:
            raise BadName(_("{name} is given twice").format(name=shown_name(repeated[0])))
        _print_links(roster, folder, roster.add(names, taken=known_learners(folder)))
        only = _(
            "Only the learners on the roster sign in to class {name} now. A lost or shared link: "
            "tutor class {name} --reset NAME gives a new one (the old one stops working)."
        )
        print(only.format(name=folder.name))
    elif reset:
        _print_links(roster, folder, [roster.reset(plain_name(reset, N_("learner's name")))])
    elif listing:
        entries = roster.entries()
        if not entries:
            open_class = _("Class {name} has no roster: it is open (a newcomer takes a name and is given a code).")
            print(open_class.format(name=folder.name))
            return 0
        width = max(cell_len(shown_name(entry.name)) for entry in entries)
        state = _("closed: only these sign in") if roster.closed else _("open: newcomers take a name")
        print(_("Class {name}: {count} learner(s) ({state})").format(name=folder.name, count=len(entries), state=state))
        for entry in entries:
            how = _("on the roster") if entry.added_by == "teacher" else _("came by themselves")
            made = entry.code_made.replace("T", " ")[:16]
            print(f"  {pad(shown_name(entry.name), width)}  {pad(how, 18)}  " + _("code made {when}").format(when=made))
        print(
            _("Codes are kept as hashes and cannot be shown again: tutor class {name} --reset NAME").format(
                name=folder.name
            )
        )
    return 0


def _print_links(roster: Roster, folder: Path, made: Sequence[tuple[str, str]]) -> None:
    address = roster.address
    guessed = address is None
    if address is None:  # not served yet: where `tutor serve --class NAME --host 0.0.0.0` will be
        address = f"http://{room_address('0.0.0.0')}:{DEFAULT_PORT}"
    print(_("Personal links of class {name} (hand each to its learner only):").format(name=folder.name))
    width = max(cell_len(shown_name(name)) for name, _code in made)
    for name, code in made:
        said = _("code {code}").format(code=code)
        print(f"  {pad(shown_name(name), width)}  {said}  {roster.link(name, code, address)}")
    if guessed:
        expect = _(
            "(The class has not been served yet: these links expect 'tutor serve --class {name} "
            "--host 0.0.0.0' on this machine. Elsewhere, a learner types the name and code on the class's page.)"
        )
        print(expect.format(name=folder.name))


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_len(text))


DEFAULT_PORT = 8000  # tutor serve's


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
