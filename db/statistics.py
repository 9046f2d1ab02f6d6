"""Planner statistics. SQLite only chooses the report indexes (a skip-scan in grouping order) once it has
them; PostgreSQL's autovacuum keeps its own."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def refresh_statistics(session: AsyncSession) -> None:
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("ANALYZE"))
