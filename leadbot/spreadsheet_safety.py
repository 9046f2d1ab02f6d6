"""Cells that a spreadsheet would run as a formula (CSV/formula injection), made inert and read back.

OWASP's rule: a cell that starts with "=", "+", "-", "@", a tab or a carriage return gets a leading
apostrophe. Every file we write passes its cells through `neutralise`; the importer passes every cell it
reads through `restore`, which takes off exactly that apostrophe, so an export imports back unchanged.
A value that already starts with apostrophes in front of such a character gets one more, so that
`restore` can tell it from one we added. A phone number in E.164 ("+" and digits) can form no formula and
is kept as it is: it is the most common value in a lead table and should stay readable.
"""

from __future__ import annotations

import re

APOSTROPHE = "'"
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_E164 = re.compile(r"\+[0-9]{1,15}")


def _needs_prefix(text: str) -> bool:
    return _FORMULA_START.match(text) is not None and _E164.fullmatch(text) is None


def neutralise(value: object) -> object:
    """The value to write in a cell; anything but text is returned as it is."""
    if isinstance(value, str) and _needs_prefix(value):
        return APOSTROPHE + value
    return value


def restore(value: str) -> str:
    """The value a cell written by `neutralise` was made from (other cells are returned as they are)."""
    if value.startswith(APOSTROPHE) and _needs_prefix(value[1:]):
        return value[1:]
    return value
