"""/start (with an invite code registers the user), /help (what the reader's role may do)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n.context import get_i18n

from handlers.commands import help_text, publish_user_commands
from handlers.i18n import _, current_locale
from handlers.middlewares import StrangerRefusals
from handlers.render import esc
from leadbot.actor import Actor
from leadbot.errors import DomainError, NotRegistered
from leadbot.role_names import role_name
from leadbot.services.users import UserService


async def start(
    message: Message,
    command: CommandObject,
    users: UserService,
    me: Actor | None,
    strangers: StrangerRefusals,
    bot: Bot,
) -> None:
    user = message.from_user
    if user is None:
        return
    try:
        if command.args:
            me = await users.accept_invite(command.args.strip(), user.id, user.full_name)
        elif me is None:
            me = await users.register_admin(user.id, user.full_name)
    except DomainError as refusal:
        if me is not None:
            raise  # a registered user's refusal: answered by `refused`
        await strangers.refuse(message, refusal.render(_, html=True))
        return
    greeting = _("Welcome, {name}! You are registered as {role}.").format(
        name=esc(me.name), role=role_name(me.role, _)
    )
    await message.answer(greeting + "\n\n" + help_text(me))
    await publish_user_commands(bot, get_i18n(), me, current_locale())


async def show_help(message: Message, me: Actor | None, strangers: StrangerRefusals) -> None:
    if me is None:
        await strangers.refuse(message, NotRegistered().render(_))
        return
    await message.answer(help_text(me))


def router() -> Router:
    routes = Router(name="start")
    routes.message.register(start, CommandStart(), F.chat.type == "private")
    routes.message.register(show_help, Command("help"))
    return routes
