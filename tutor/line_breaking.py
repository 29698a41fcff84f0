"""Where a line of Chinese may break: between two characters, never inside an English word or
before a closing mark.

Rich (and Textual's Text and Markdown, which wrap through it) breaks lines only at spaces. Chinese
has none, so a paragraph was one long "word" folded at any cell: an English term in brackets split
in two (``（toxic`` / ``ity）``) and a line could begin with ``。``. :func:`allow_cjk_line_breaks`
gives rich's word pattern (``rich._wrap.re_word``, a private part: tutor/app/private_parts.py) one
more kind of word - a single Chinese character, with the opening marks before it and the closing
marks after it - as the line-breaking rules for Chinese have it. Text without Chinese wraps as before.
"""

from __future__ import annotations

import re

# Ideographs, kana, hangul, fullwidth forms and CJK punctuation.
CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
OPENING = "（《“‘「『【〔〈［｛"  # never at the end of a line
CLOSING = "，。、；：？！）》”’」』】〕〉］｝…—·％"  # never at the start of a line
WORD = re.compile(
    rf"\s*(?:[{OPENING}]*(?:[^\s{CJK}]+|[{CJK}])[{CLOSING}]*|\S)\s*",
)


def allow_cjk_line_breaks() -> None:
    """Let rich (and so Textual) break lines between Chinese characters; idempotent."""
    import rich._wrap

    rich._wrap.re_word = WORD
