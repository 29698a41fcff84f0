"""The help screen: every key the app answers to."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

from tutor.app.widgets.lesson_pane import LessonPane
from tutor.i18n import N_, _

INTRO = N_("""\
# Keys

Each page of a lesson sits beside the view it is about, on the **stage**: read,
press **Run**, and watch. `1`-`9` bring the lesson's other views there, `[` and `]`
turn the pages (and their views). Tweak the **Parameters** and run again. In the
**Exercise** tab you write the lesson's maths yourself: the tutor checks it and can
run the lesson with it. `ctrl+b` shows the lessons: ✓ marks a met challenge and a
green ✎ an exercise whose checks pass.
""")

# Keys that belong to widgets rather than to the main screen's bindings.
WIDGET_KEYS = [
    ("↑ ↓, Enter", N_("Move in the lesson tree, open a lesson")),
    ("Tab, Shift+Tab", N_("Move between the tree, tabs, fields and buttons")),
    ("← →", N_("Switch tabs (when the tab bar has focus)")),
    ("Space, Enter", N_("Toggle a switch, open a choice list")),
    ("← → ↑ ↓", N_("Move the selected image of a digits view")),
    ("Ctrl+S, F8, F9", N_("In the Exercise tab: save and check, the next hint, run with your code")),
    ("Escape", N_("Leave the Exercise editor (Tab there indents; then Ctrl+S stops a run again)")),
]
OUTRO = N_("""
Letter keys work when the focus is not in a text field. Invalid values are
marked in red with the reason; Run waits until they are fixed.
""")


def _keys_text(keys: list[str]) -> str:
    """``^s, f6``; a run of digits as ``1-9``."""
    if len(keys) > 2 and all(key.isdigit() for key in keys):
        return f"{keys[0]}-{keys[-1]}"
    return ", ".join(keys)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", N_("Close help"), id="close-help"),
    ]

    def __init__(self, main: Screen) -> None:
        super().__init__()
        self.main = main

    def _rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the main screen's and the app's bindings, one row per action."""
        keys: dict[str, list[str]] = {}
        what: dict[str, str] = {}
        app_bindings = [b for b in self.app.BINDINGS if isinstance(b, Binding) and b.description]
        for binding in [*self.main.BINDINGS, *LessonPane.BINDINGS, *app_bindings]:
            if not isinstance(binding, Binding):
                continue
            shown = [self.app.get_key_display(Binding(key, "")) for key in binding.key.split(",")]
            # One row for the keys of one action, whatever its argument (1-9 each stage a view).
            action = binding.action.split("(")[0] if binding.action.startswith("stage_view") else binding.action
            keys.setdefault(action, []).extend(shown)
            what.setdefault(action, _(binding.tooltip or binding.description))
        rows = [(_keys_text(keys[action]), what[action]) for action in keys]
        rows.append(
            (
                self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, "")),
                _("Command palette: go to a lesson, change the language or the theme"),
            )
        )
        return rows + [(shown, _(what)) for shown, what in WIDGET_KEYS]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in self._rows():
            table.add_row(Text(keys), Text(what))  # key names like "[" are text, not markup
        with VerticalScroll(id="help"):
            yield Markdown(_(INTRO), id="help-intro")
            yield Static(table, id="help-keys")
            yield Markdown(_(OUTRO) + "\n" + _("Press `Esc` to close."), id="help-outro")
