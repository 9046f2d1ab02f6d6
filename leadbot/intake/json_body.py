"""JSON request bodies and JSON errors, for the intake API and the Telegram webhook alike: whatever the
client sends, the answer is a `{"error", "fields"}` with a 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def problem(status: int, error: str, fields: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "fields": fields or {}}, status=status)


class BadRequest(Exception):
    """The request is refused before any work; `response` is the answer to send."""

    def __init__(self, response: web.Response) -> None:
        self.response = response


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object. Nesting deeper than the parser's recursion limit is refused like any
    other broken JSON (json.loads raises RecursionError for it)."""
    raw = await request.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest(problem(400, "the body is not valid UTF-8 JSON")) from None
    if not isinstance(data, dict):
        raise BadRequest(problem(400, "the body must be a JSON object"))
    return data


def header_bytes(value: str) -> bytes:
    """A header value as the bytes the client sent: aiohttp decodes headers as UTF-8 with
    surrogateescape, so bytes that are not UTF-8 come back as they were instead of failing to encode."""
    return value.encode("utf-8", "surrogateescape")
