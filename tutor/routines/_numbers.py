"""Numbers as a learner reads them: no "-0.000" for a value that rounds to zero."""

from __future__ import annotations


def fmt(value: float, spec: str = ".3f") -> str:
    """``format(value, spec)``, without the minus sign of a value that rounds to zero."""
    text = format(float(value), spec)
    if text.startswith("-") and not any(ch in "123456789" for ch in text.split("e")[0]):
        text = text[1:]
    return text


def plus(value: float, spec: str = ".2f") -> str:
    """A term added to a formula: "+ 0.05" or "- 0.05", never "+ -0.05" or "- 0.00" for zero."""
    text = fmt(value, spec)
    return f"- {text[1:]}" if text.startswith("-") else f"+ {text}"
