"""The footer, in the language the tutor speaks: the bindings' descriptions are marked with ``N_``
where they are declared (at import time) and translated here, each time the footer is composed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tutor.i18n import N_, _

# Textual's own key in the footer (the command palette's), translated with ours.
N_("palette")


class TranslatedFooter(Footer):
    """A key's words can depend on the moment: a screen with ``key_description(action, words)`` says them
    (space is Play when nothing moves, Pause when something does)."""

    def compose(self) -> ComposeResult:
        describe = getattr(self.screen, "key_description", None)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                if widget.description and describe is not None:
                    widget.description = describe(widget.action, widget.description)
                if widget.description:
                    widget.description = _(widget.description)
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
            yield widget
