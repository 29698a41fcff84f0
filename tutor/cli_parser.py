"""argparse speaking the tutor's language: its own words (usage, headings, ``-h``, errors) from the tutor's catalogue.

argparse takes its words from the standard library's gettext default domain, which the tutor does
not own and which has no Chinese. So the tutor's parser says them itself, through argparse's own
parameters where it has them:

- the ``-h`` option is the tutor's (``add_help=False``, then the same option with a translated help),
  the group headings are given their titles, and the usage line its prefix, measured in cells;
- an error argparse formats in English (``unrecognized arguments: --x``) is matched against
  argparse's own message templates (:data:`ARGPARSE_MESSAGES`) and said again in the tutor's
  language; a message it does not know stays English, as any text the catalogue lacks;
- help is wrapped by cells: a Chinese character takes two columns, where textwrap counts one.

English output is argparse's, unchanged. Nothing heavy is imported: ``tutor --help`` stays fast.
"""

from __future__ import annotations

import argparse
import re
from typing import Any, NoReturn

from tutor import i18n
from tutor.command_line import EXIT_USAGE
from tutor.i18n import N_, _
from tutor.line_breaking import WORD

# The messages of Python's argparse a learner can meet, as argparse writes them (3.11 to 3.13).
ARGPARSE_MESSAGES = (
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sr]")


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching ``template`` once argparse has filled it: one group per placeholder, in order."""
    literals = PLACEHOLDER.split(template)[::2]  # split also gives each placeholder's name: skipped
    return re.compile("(.+?)".join(re.escape(literal) for literal in literals), re.S)


def _keys(template: str) -> list[str]:
    """Each placeholder's key: its name, or its position for a bare ``%s``."""
    return [name or str(position) for position, name in enumerate(PLACEHOLDER.findall(template))]


def argparse_message(message: str) -> str:
    """An English message of argparse in the tutor's language (itself when there is no translation)."""
    if i18n.current() == i18n.ENGLISH:
        return message
    for template in ARGPARSE_MESSAGES:
        found = _pattern(template).fullmatch(message)
        if found is None:
            continue
        # A filled-in part may be a message itself: "argument --seed: invalid int value: 'x'".
        values = dict(zip(_keys(template), (argparse_message(value) for value in found.groups()), strict=True))
        return _filled(_(template), values)
    return message


def _filled(template: str, values: dict[str, str]) -> str:
    """``template`` with each placeholder replaced by the text argparse had put there (already formatted)."""
    keys = iter(_keys(template))
    return PLACEHOLDER.sub(lambda placeholder: values.get(next(keys), placeholder.group(0)), template)


def cells(text: str) -> int:
    """Columns ``text`` takes in a terminal: a wide (Chinese) character takes two (rich measures it, as the app)."""
    from rich.cells import cell_len  # here, not at the top: only help and errors are measured

    return cell_len(text)


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces and between Chinese characters."""
    lines: list[str] = []
    line = ""
    for word in WORD.findall(" ".join(text.split())):
        if line and cells((line + word).rstrip()) > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    return [*lines, line.rstrip()] if line.strip() else lines


def _is_wide(text: str) -> bool:
    return cells(text) != len(text)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the usage prefix translated, and text with wide characters wrapped by cells."""

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        prefix = _("usage: ") if prefix is None else prefix
        if not _is_wide(prefix):
            return super()._format_usage(usage, actions, groups, prefix)
        # argparse measures the prefix by len() and indents the usage's next lines by it: give it
        # spaces as wide as the words, then put the words in their place.
        text = super()._format_usage(usage, actions, groups, " " * cells(prefix))
        return prefix + text[cells(prefix) :]

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(text, width) if _is_wide(text) else super()._split_lines(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not _is_wide(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))


class Parser(argparse.ArgumentParser):
    """The tutor's parser: argparse's words in the tutor's language, and one error line with a pointer to --help."""

    def __init__(self, *, add_help: bool = True, formatter_class: Any = HelpFormatter, **kwargs: Any) -> None:
        super().__init__(add_help=False, formatter_class=formatter_class, **kwargs)
        # The two groups argparse makes itself; their titles are the headings of the help.
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:  # argparse's own -h, with its help translated
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help message and exit")
            )

    def error(self, message: str) -> NoReturn:
        line = _("{command}: error: {message} (see '{command} --help')")
        self.exit(EXIT_USAGE, line.format(command=self.prog, message=argparse_message(message)) + "\n")
