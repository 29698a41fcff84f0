"""Which language the tutor speaks, and the one way a string is marked for translation.

Choosing the language (:func:`resolve`), first match wins:

1. ``--lang zh|en`` on the command line;
2. the ``TUTOR_LANG`` environment variable;
   then, in the app only, the language last chosen in its command palette (:func:`chosen_explicitly`);
3. the locale: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set - one
   starting with ``zh`` (``zh_CN.UTF-8``) means Chinese, any other means English;
4. English.

An unknown language in 1 or 2 gives one warning line (the caller prints it) and English.

Marking a string (the only way; Babel extracts these keywords)::

    from tutor.i18n import _, N_, ngettext

    _("cannot read {path}").format(path=path)     # translated now, in the current language
    ngettext("{n} lesson", "{n} lessons", n).format(n=n)
    HEADINGS = (N_("passed"), N_("exercise"))     # at import time: only marked; call _(text) where shown

- Put the placeholders in the message and fill them *after* translating (``.format``), never
  an f-string inside ``_()``: the catalogue holds the message as written in the code.
- ``_`` is a function here: do not use ``_`` as a throw-away name in a function that calls it.
- Code stays code: lesson ids, parameter names, ``learn_from_bean``, ``--lang`` are not translated.

The catalogues are ``tutor/locale/<lang>/LC_MESSAGES/tutor.po`` and their compiled ``.mo``
(committed, so an install needs no Babel; docs/translating.md says how to refresh them).
Lesson text is not in the catalogues: it is in ``lessons/<lang>/`` (:mod:`tutor.course.translation`).

Importing this module is cheap (no ``gettext`` until a non-English string is asked for), so the
command line can choose the language before anything else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ENGLISH = "en"
# The languages the tutor speaks, by their code, with their own name for themselves.
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}
LANG_ENV = "TUTOR_LANG"
LOCALE_ENVS = ("LC_ALL", "LC_MESSAGES", "LANG")
DOMAIN = "tutor"
LOCALE_DIR = Path(__file__).parent / "locale"

_language = ENGLISH
_catalogue: Any = None  # a gettext.GNUTranslations for _language, None for English


def language_code(tag: str) -> str | None:
    """The tutor's code for a language tag (``zh``, ``zh_CN.UTF-8``, ``zh-Hans``, ``EN``), None if unknown."""
    base = tag.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return base if base in LANGUAGES else None


def resolve(flag: str | None = None, environ: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """The language to speak, and a warning to show (None when there is nothing to say).

    ``flag`` is the value of ``--lang`` (None when not given); ``environ`` defaults to ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    for source, value in (("--lang", flag), (LANG_ENV, environ.get(LANG_ENV))):
        if value is None or not value.strip():
            continue
        code = language_code(value)
        if code is None:
            known = ", ".join(LANGUAGES)
            shown = value.strip()[:40]
            return ENGLISH, f"unknown language {shown!r} in {source} (the tutor speaks {known}); using English"
        return code, None
    for name in LOCALE_ENVS:  # as the C library reads them: the first one set decides
        value = environ.get(name, "")
        if value:
            return (language_code(value) or ENGLISH), None  # zh_CN.UTF-8 -> zh; C.UTF-8, de_DE -> en
    return ENGLISH, None


def chosen_explicitly(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """``--lang`` or ``TUTOR_LANG`` says the language (``argv`` defaults to this process's arguments).

    A choice remembered by the app (its command palette) comes after these, before the locale.
    """
    import sys

    environ = os.environ if environ is None else environ
    flag = lang_flag(sys.argv[1:] if argv is None else argv)
    return bool((flag or "").strip() or environ.get(LANG_ENV, "").strip())


def lang_flag(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in a command line (the last one wins), before it is parsed.

    The language must be known before the parser is built (its help and errors speak it);
    the parser still reads ``--lang`` itself, wherever it stands.
    """
    found = None
    for index, word in enumerate(argv):
        if word == "--":  # what follows is not an option
            break
        if word == "--lang" and index + 1 < len(argv):
            found = argv[index + 1]
        elif word.startswith("--lang="):
            found = word.removeprefix("--lang=")
    return found


def set_language(code: str) -> None:
    """Speak ``code`` (one of LANGUAGES) from now on; its catalogue is read on first use."""
    global _language, _catalogue
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r} (known: {', '.join(LANGUAGES)})")
    _language, _catalogue = code, None


def current() -> str:
    """The language the tutor speaks now (a code of LANGUAGES)."""
    return _language


def _translations() -> Any:
    global _catalogue
    if _catalogue is None:
        import gettext

        _catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)
    return _catalogue


def _(message: str) -> str:
    """``message`` in the current language (as written when it has no translation)."""
    if _language == ENGLISH:
        return message
    return str(_translations().gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things, in the current language."""
    if _language == ENGLISH:
        return singular if n == 1 else plural
    return str(_translations().ngettext(singular, plural, n))


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it (for text defined at import time)."""
    return message
