"""Alembic environment. Runs on a connection handed over by db/migrate.py, or opens its own."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import db.models  # noqa: F401  (fills Base.metadata)
from db.base import Base
from db.engine import create_engine
from db.models.leads import in_the_models

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=in_the_models,  # the search index objects are the migrations' own (0016)
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


shared_connection = context.config.attributes.get("connection")
if shared_connection is not None:
    _run(shared_connection)
else:
    asyncio.run(_run_standalone())
