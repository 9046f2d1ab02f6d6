"""Safe HTML for Telegram: every user value escaped, every text cut to the 4096-character limit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

TEXT_LIMIT = 4096


def esc(value: object) -> str:
    return escape(str(value), quote=False) if value is not None else ""


def fit(lines: Sequence[str], more: Callable[[int], str], limit: int = TEXT_LIMIT) -> str:
    """Join whole lines (each already valid HTML); if they do not fit, drop lines from the end and
    say how many were left out. Lines are never cut in the middle, so no tag is ever broken."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        tail = more(len(lines) - index)
        if size + len(line) + 1 + len(tail) > limit:
            return "\n".join([*kept, tail])
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def clip(text: str, limit: int) -> str:
    """Plain text shortened to `limit` characters with an ellipsis (escape after clipping)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
