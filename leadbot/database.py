"""Opening the database: engine, migrations to head, default directories.

What a person can get wrong in DATABASE_URL (a driver that is not installed or not asynchronous, a server
that does not answer, an SQLite file in a folder that does not exist, or no database where a command
expects one) comes out as one domain error each, rendered in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.statistics import refresh_statistics
from leadbot.clock import Clock, SystemClock
from leadbot.config import Settings
from leadbot.errors import DomainError
from leadbot.i18n_marker import N_
from leadbot.seed import seed_directories
from leadbot.services.context import ServiceContext

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_IN_MEMORY = ("", ":memory:")


class UnusableDatabaseUrl(DomainError):
    code = "unusable_database_url"
    template = N_(
        "DATABASE_URL {url} cannot be used ({reason}). Write sqlite+aiosqlite:///leadbot.db, or "
        "postgresql+asyncpg://USER:PASSWORD@HOST/NAME after pip install 'leadbot[postgres]'."
    )


class DatabaseUnreachable(DomainError):
    code = "database_unreachable"
    template = N_(
        "Cannot connect to the database {url} ({reason}). Check DATABASE_URL and that the database "
        "server is running."
    )


class SqliteFolderMissing(DomainError):
    code = "sqlite_folder_missing"
    template = N_(
        "The folder {folder} of the SQLite database in DATABASE_URL does not exist: create it, "
        "or change DATABASE_URL."
    )


class DatabaseMissing(DomainError):
    code = "database_missing"
    template = N_(
        "There is no database at {path}: run `leadbot db upgrade` to create it, or set DATABASE_URL "
        "to the existing one (a relative path is read from the current folder)."
    )


async def prepare(engine: AsyncEngine) -> None:
    """Apply migrations and seed directories; safe to run on every start."""
    await upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        await seed_directories(session)
        await refresh_statistics(session)


@asynccontextmanager
async def open_database(
    settings: Settings, clock: Clock | None = None, *, must_exist: bool = False
) -> AsyncIterator[ServiceContext]:
    """`must_exist`: refuse an SQLite file that is not there yet instead of creating an empty one (every
    command but `leadbot run` and `leadbot db upgrade`)."""
    engine = _engine(settings.database_url, must_exist=must_exist)
    try:
        await _check_connection(engine)
        await prepare(engine)
        yield ServiceContext(create_session_factory(engine), settings, clock or SystemClock())
    finally:
        await engine.dispose()


def shown_url(url: str | URL) -> str:
    """The URL with its password hidden, also when SQLAlchemy cannot parse it."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD.sub(r"\1***@", url)


def _engine(url_text: str, *, must_exist: bool) -> AsyncEngine:
    try:
        url = make_url(url_text)
    except ArgumentError as error:
        raise UnusableDatabaseUrl(url=shown_url(url_text), reason=_first_line(error)) from None
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(url, must_exist=must_exist)
    try:
        return create_engine(url_text)
    except ImportError as error:  # the driver's package is not installed
        raise UnusableDatabaseUrl(url=shown_url(url), reason=_first_line(error)) from None
    except (ArgumentError, InvalidRequestError) as error:  # an unknown dialect, a driver that is not async
        raise UnusableDatabaseUrl(url=shown_url(url), reason=_first_line(error)) from None


def _check_sqlite_file(url: URL, *, must_exist: bool) -> None:
    database = url.database or ""
    if database in _IN_MEMORY or database.startswith("file:"):
        return
    path = Path(database).absolute()
    if must_exist and not path.is_file():
        raise DatabaseMissing(path=path)
    if not path.parent.is_dir():
        raise SqliteFolderMissing(folder=path.parent)


async def _check_connection(engine: AsyncEngine) -> None:
    """Connect once before anything else. Whatever fails here is the connection: a refused or unknown
    host, a wrong password, a missing database; drivers raise their own kinds (asyncpg.InvalidPasswordError
    is no DBAPIError), so any exception is taken."""
    try:
        async with engine.connect():
            pass
    except Exception as error:
        raise DatabaseUnreachable(url=shown_url(engine.url), reason=_first_line(error)) from None


def _first_line(error: BaseException) -> str:
    """An exception's message without SQLAlchemy's wrapping and links, on one line."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
