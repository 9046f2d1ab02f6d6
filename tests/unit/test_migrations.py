"""The migrations build exactly the schema the models describe, and the latest ones can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.engine import create_engine
from db.migrate import alembic_config, upgrade
from db.models.leads import in_the_models


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"include_name": in_the_models})
    return list(compare_metadata(context, Base.metadata))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)


async def test_migrations_match_the_models_and_undo(database_url: str) -> None:
    """On SQLite, or on PostgreSQL when the suite runs there (tests/conftest.py)."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        await downgrade(engine, "0007")
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) != []
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
