"""Long HTML text cut into parts Telegram accepts as messages.

Telegram allows 4096 characters of text after entity parsing: tags do not count, an entity such as
`&lt;` counts as one character. We count in UTF-16 code units (an emoji is two), which is how Telegram
measures entities and never less than its count of characters. A part ends after a line break where one
fits (after a blank line, between paragraphs, where that leaves the part at least half full), else after
a space, else between two characters; never inside a tag or an entity. Tags open at a cut are closed at
the end of the part and reopened, attributes and all, at the start of the next one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT_LIMIT = 4096

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);|[\s\S]")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)")


@dataclass(frozen=True)
class _Token:
    raw: str
    visible: str = ""  # what the reader sees: nothing for a tag, "<" for "&lt;"
    opens: str = ""  # the name of the tag it opens
    closes: str = ""  # the name of the tag it closes

    @property
    def width(self) -> int:
        return len(self.visible.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Cut:
    end: int  # index of the first token of the next part
    open_tags: tuple[_Token, ...]  # tags open at that point


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` (valid Telegram HTML) as parts of at most `limit` visible characters each, in order.
    White space alone between two cuts is left out (Telegram refuses a blank message); a text that
    fits, or is blank, is returned as it is."""
    if limit < 2:
        raise ValueError("a part must hold at least one character of any width")
    tokens = [_token(raw) for raw in _TOKEN.findall(text)]
    if sum(token.width for token in tokens) <= limit or not _visible(tokens).strip():
        return [text]
    parts: list[str] = []
    start = 0
    open_tags: tuple[_Token, ...] = ()
    while start < len(tokens):
        cut = _next_cut(tokens, start, open_tags, limit)
        body = "".join(token.raw for token in tokens[start : cut.end])
        reopen = "".join(tag.raw for tag in open_tags)
        close = "".join(f"</{tag.opens}>" for tag in reversed(cut.open_tags))
        if _visible(tokens[start : cut.end]).strip():
            parts.append(reopen + body + close)
        start, open_tags = cut.end, cut.open_tags
    return parts


def _token(raw: str) -> _Token:
    if raw.startswith("<") and len(raw) > 1:
        tag = _TAG.match(raw)
        if tag is None or raw.endswith("/>"):
            return _Token(raw)
        closing, name = tag.groups()
        return _Token(raw, closes=name.lower()) if closing else _Token(raw, opens=name.lower())
    return _Token(raw, visible=html.unescape(raw) if raw.startswith("&") else raw)


def _visible(tokens: list[_Token]) -> str:
    return "".join(token.visible for token in tokens)


def _next_cut(tokens: list[_Token], start: int, open_tags: tuple[_Token, ...], limit: int) -> _Cut:
    """Where the part starting at `start` ends: after its last blank line if the part is then at least
    half full, else after its last line break, else its last space, else right before the character that
    does not fit (and before any tags that would open for it)."""
    stack = list(open_tags)
    width = 0
    after_paragraph: _Cut | None = None
    after_line: _Cut | None = None
    after_space: _Cut | None = None
    for index in range(start, len(tokens)):
        token = tokens[index]
        if width + token.width > limit:
            return after_paragraph or after_line or after_space or _hard_cut(tokens, start, index, stack)
        width += token.width
        if token.opens:
            stack.append(token)
        elif token.closes:
            _pop(stack, token.closes)
            # a cut right before a closing tag moves past it: no part starts with an empty element
            if after_line is not None and after_line.end == index:
                after_line = _Cut(index + 1, tuple(stack))
            if after_space is not None and after_space.end == index:
                after_space = _Cut(index + 1, tuple(stack))
        elif token.visible == "\n":
            if after_line is not None and after_line.end == index and 2 * width >= limit:
                after_paragraph = _Cut(index + 1, tuple(stack))
            after_line = _Cut(index + 1, tuple(stack))
        elif token.visible.isspace():
            after_space = _Cut(index + 1, tuple(stack))
    return _Cut(len(tokens), tuple(stack))


def _hard_cut(tokens: list[_Token], start: int, index: int, stack: list[_Token]) -> _Cut:
    open_tags = list(stack)
    while index > start and tokens[index - 1].opens:  # opened just before: the top of the stack
        index -= 1
        open_tags.pop()
    return _Cut(index, tuple(open_tags))


def _pop(stack: list[_Token], name: str) -> None:
    """Close the innermost open `name` (and anything left open inside it)."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].opens == name:
            del stack[depth:]
            return
