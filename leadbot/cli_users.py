"""`leadbot users add|list|activate|deactivate`: the team, by Telegram id, for the machine's operator."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from db.enums import Role
from db.models import User
from leadbot.actor import Actor
from leadbot.cli_text import CliError, _
from leadbot.config import Settings
from leadbot.errors import NotFound
from leadbot.role_names import role_name
from leadbot.services.registry import open_services


def users_command(settings: Settings, args: argparse.Namespace) -> str:
    if args.users_command == "list":
        return users_table(asyncio.run(_team(settings)), settings)
    if args.users_command == "add":
        actor = asyncio.run(_add(settings, args.telegram_id, Role(args.role), args.name))
        return _("{name} ({telegram_id}) is {role}").format(
            name=actor.name, telegram_id=actor.telegram_id, role=role_name(actor.role, _)
        )
    active = args.users_command == "activate"
    user = asyncio.run(_set_active(settings, args.telegram_id, active))
    text = (
        _("{name} ({telegram_id}) can use the bot again")
        if active
        else _("{name} ({telegram_id}) can no longer use the bot")
    )
    return text.format(name=user.name, telegram_id=user.telegram_id)


def users_table(users: Sequence[User], settings: Settings) -> str:
    """Aligned columns: Telegram id, name, role, active, language, time zone (the defaults marked)."""
    if not users:
        return _("No users yet: add one with leadbot users add TELEGRAM_ID --role admin")
    headers = [_("Telegram id"), _("Name"), _("Role"), _("Active"), _("Language"), _("Time zone")]
    default = _("{value} (default)")
    rows = [
        [
            str(user.telegram_id),
            user.name,
            role_name(user.role, _),
            _("yes") if user.active else _("no"),
            user.language or user.telegram_language or default.format(value=settings.locale),
            user.timezone or default.format(value=settings.timezone),
        ]
        for user in users
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    )


async def _team(settings: Settings) -> Sequence[User]:
    async with open_services(settings, must_exist=True) as services:
        return await services.users.all()


async def _add(settings: Settings, telegram_id: int, role: Role, name: str) -> Actor:
    async with open_services(settings, must_exist=True) as services:
        return await services.users.add(telegram_id, role, name)


async def _set_active(settings: Settings, telegram_id: int, active: bool) -> User:
    async with open_services(settings, must_exist=True) as services:
        try:
            return await services.users.set_active(telegram_id, active)
        except NotFound:
            raise CliError(
                _("there is no user with Telegram id {telegram_id}; leadbot users list shows them").format(
                    telegram_id=telegram_id
                )
            ) from None
