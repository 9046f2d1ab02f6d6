"""Numbers that arrive from outside (button data, command arguments) bounded to what the database holds.

Ids, versions and pages are stored in `integer` columns (PostgreSQL's is 32-bit, SQLite's 64-bit): a bigger
number can only be forged, and handing it to a query would fail with an overflow instead of a refusal.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from db.types import DB_INT_MAX

DbInt = Annotated[int, Field(ge=0, le=DB_INT_MAX)]
"""A callback data field that refuses (as an outdated button) anything outside 0..DB_INT_MAX."""


def db_int(text: str) -> int:
    """`text` as a number in 0..DB_INT_MAX, written in ASCII digits; ValueError otherwise.
    (`str.isdigit` accepts "²", which `int` then rejects.)"""
    if not (text.isascii() and text.isdigit()) or int(text) > DB_INT_MAX:
        raise ValueError(f"not a database integer: {text[:40]!r}")
    return int(text)
