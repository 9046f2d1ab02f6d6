"""/find's text search: a substring of a lead's title, name, last name or company title, in any case,
with ё read as е ("Семён" is found by "семен", "СЕМЁН" and "Семен").

Migration 0016 indexes it: on SQLite an FTS5 table with the trigram tokenizer (`lead_search`, kept by
triggers), on PostgreSQL a pg_trgm GIN index over the `_folded` expressions below, which must stay the
ones the migration indexes. A trigram index needs three characters: a shorter query scans, as before.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, literal_column, or_, select, table
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Lead
from db.models.leads import SEARCH_TABLE

TRIGRAM = 3
COLUMNS = (Lead.title, Lead.name, Lead.last_name, Lead.company_title)


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def text_condition(query: str, dialect: str) -> ColumnElement[bool]:
    """Leads with `query` (stripped, not empty) in one of the searched columns."""
    folded = fold(query)
    if dialect == "sqlite" and len(folded) >= TRIGRAM:
        return Lead.id.in_(_sqlite_matches(folded))
    pattern = f"%{escape_like(folded)}%"
    return or_(*(_folded(column, dialect).like(pattern, escape="\\") for column in COLUMNS))


def _sqlite_matches(folded: str):  # type: ignore[no-untyped-def]
    """The rowids (lead ids) whose columns hold `folded`: one FTS5 phrase of its trigrams, that is
    exactly the substring (a phrase never spans two columns)."""
    phrase = '"' + folded.replace('"', '""') + '"'
    index = table(SEARCH_TABLE)
    return (
        select(literal_column("rowid"))
        .select_from(index)
        .where(literal_column(SEARCH_TABLE).op("MATCH")(phrase))
    )


def _folded(column: InstrumentedAttribute[str | None], dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":  # literal constants: the GIN index is over this very expression
        return func.lower(func.translate(column, literal_column("'Ёё'"), literal_column("'Ее'")))
    # SQLite's lower() is Python's here (db/engine.py): it folds Cyrillic too
    return func.replace(func.lower(column), literal_column("'ё'"), literal_column("'е'"))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
