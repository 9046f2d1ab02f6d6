"""/find's text search: a substring of a lead's title, name, last name or company title, in any case,
with ё read as е ("Семён" is found by "семен", "СЕМЁН" and "Семен").

Migration 0016 indexes it: on SQLite an FTS5 table with the trigram tokenizer (`lead_search`, kept by
triggers), on PostgreSQL a pg_trgm GIN index over a generated column (the four columns in one text,
folded as `fold` does). A trigram index needs three characters: a shorter query scans, as before.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, String, func, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.engine import SEARCH_FOLD
from db.models import Lead
from db.models.leads import SEARCH_COLUMN, SEARCH_SEPARATOR, SEARCH_TABLE

TRIGRAM = 3
COLUMNS = (Lead.title, Lead.name, Lead.last_name, Lead.company_title)
ROWID = literal_column("rowid", Integer)  # of the FTS5 table: the lead's id
SEARCH_TEXT = literal_column(f"leads.{SEARCH_COLUMN}", String)  # PostgreSQL's, outside the model


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def text_condition(query: str, dialect: str) -> ColumnElement[bool]:
    """Leads with `query` (stripped, not empty) in one of the searched columns."""
    phrase = sqlite_phrase(query, dialect)
    if phrase is not None:
        return Lead.id.in_(select(ROWID).select_from(table(SEARCH_TABLE)).where(_matches(phrase)))
    folded = fold(query)
    if dialect == "postgresql" and SEARCH_SEPARATOR not in folded:
        if len(folded) < TRIGRAM:  # a scan, as before: strpos, for the trigram index would be read whole
            return func.strpos(SEARCH_TEXT, folded) > 0
        return SEARCH_TEXT.like(f"%{escape_like(folded)}%", escape="\\")
    if len(folded) < TRIGRAM:  # a scan, as before
        position = func.strpos if dialect == "postgresql" else func.instr
        return or_(*(position(_folded(column, dialect), folded) > 0 for column in COLUMNS))
    pattern = f"%{escape_like(folded)}%"
    return or_(*(_folded(column, dialect).like(pattern, escape="\\") for column in COLUMNS))


def sqlite_phrase(query: str, dialect: str) -> str | None:
    """The FTS5 phrase of `query`'s trigrams when SQLite's index can answer it. It matches exactly the
    columns holding `query` (a phrase never spans two columns; FTS5 folds the case)."""
    folded = fold(query)
    if dialect != "sqlite" or len(folded) < TRIGRAM:
        return None
    return '"' + folded.replace('"', '""') + '"'


async def count_matches(session: AsyncSession, phrase: str) -> int:
    """Counted in the index alone: no lead row is read."""
    found = select(func.count()).select_from(table(SEARCH_TABLE)).where(_matches(phrase))
    return await session.scalar(found) or 0


async def matching_ids(session: AsyncSession, phrase: str, offset: int, limit: int) -> list[int]:
    """Newest first: FTS5 walks its rowids downwards and stops at the end of the page."""
    rows = await session.scalars(
        select(ROWID)
        .select_from(table(SEARCH_TABLE))
        .where(_matches(phrase))
        .order_by(ROWID.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


def _matches(phrase: str) -> ColumnElement[bool]:
    return literal_column(SEARCH_TABLE).op("MATCH")(phrase)


def _folded(column: InstrumentedAttribute[str | None], dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":  # literal constants: the GIN index is over this very expression
        return func.lower(func.translate(column, literal_column("'Ёё'"), literal_column("'Ее'")))
    return getattr(func, SEARCH_FOLD)(column)  # SQLite: Python's lower() and ё as е (db/engine.py)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
