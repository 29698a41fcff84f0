"""The words of the served pages (sign-in, a newcomer's welcome, the page around the terminal),
in the server's language (``tutor serve --lang``): the templates in serve_template/ hold none.
"""

from __future__ import annotations

from tutor.i18n import _


def sign_in_words(class_name: str) -> dict[str, str]:
    """The class page's words, in the server's language (--lang): the template holds none of its own."""
    return {
        "heading": _("Class {name}").format(name=class_name),
        "who": _("Who is learning? Your name and your code open your lessons, runs and exercises - yours alone."),
        "name": _("Your name"),
        "code": _("Your code"),
        "example": _("like k7qdm-2xafp"),
        "where": _("It is on the card your teacher gave you, or at the end of your personal link."),
        "start": _("Start"),
        "new": _("I am new here"),
        "new_hint": _('New here? Type the name you want and press "I am new here": you get your code.'),
    }


def welcome_words(class_name: str, name: str) -> dict[str, str]:
    """The page a newcomer gets with their code, in the server's language."""
    return {
        "heading": _("Welcome to class {klass}, {name}").format(klass=class_name, name=name),
        "code_is": _("Your code is"),
        "keep": _(
            "Write it down, or keep your personal link (bookmark it): with your name it opens your work on any "
            "computer. Nobody can open your work without it."
        ),
        "link": _("Your personal link:"),
        "lost": _("Lost it? Your teacher can give you a new code (the old one then stops working)."),
        "start": _("Start"),
    }


def app_page_words() -> dict[str, str]:
    """The words of the page around the terminal (before it starts, after it ends)."""
    return {
        "starting": _("starting your session…"),
        "start": _("Start"),
        "ended": _("Session ended."),
        "saved": _("Your work is saved."),
        "again": _("Start again"),
    }
