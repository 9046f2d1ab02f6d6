"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike: one statement, so two transactions that
store the same key at once do not collide (PostgreSQL runs them concurrently; SQLite one after the other)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def upsert(
    session: AsyncSession, model: type[DeclarativeBase], keys: tuple[str, ...], **values: Any
) -> None:
    """Insert `values`, or update the row that already has the same `keys` with the other values."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values)
    changed = {name: statement.excluded[name] for name in values if name not in keys}
    await session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))
