"""The `leadbot` command line (contract: DESIGN.md §5)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from db.enums import Role
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.errors import DomainError
from leadbot.services.users import UserService


class CliError(Exception):
    """A problem to report on one line of stderr, with a non-zero exit code."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadbot", description="Telegram front end of a sales lead pipeline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="run the bot, intake server, scheduler and delivery worker")

    db_parser = commands.add_parser("db", help="database maintenance")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations and seed default directories")

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_commands.add_parser("add", help="register a user (or change an existing user's role)")
    add.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="", help="display name")
    return parser


async def _db_upgrade(settings: Settings) -> str:
    async with open_database(settings):
        pass
    return "database is up to date"


async def _users_add(settings: Settings, telegram_id: int, role: str, name: str) -> str:
    async with open_database(settings) as ctx:
        actor = await UserService(ctx).add(telegram_id, Role(role), name)
    return f"user #{actor.id} ({actor.telegram_id}) is {actor.role.value}"


async def _run(settings: Settings) -> str:
    if not settings.bot_token:
        raise CliError("BOT_TOKEN is not set: put it in .env or the environment (see .env.example)")
    from leadbot.app import run_application

    await run_application(settings)
    return "stopped"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        if args.command == "run":
            message = asyncio.run(_run(settings))
        elif args.command == "db":
            message = asyncio.run(_db_upgrade(settings))
        else:
            message = asyncio.run(_users_add(settings, args.telegram_id, args.role, args.name))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        print(f"leadbot: configuration error: {problems}", file=sys.stderr)
        return 2
    except (CliError, DomainError) as error:
        print(f"leadbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(message)
    return 0
