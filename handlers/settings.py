"""/settings: the user's own language and time zone."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n.context import get_i18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import SettingKey, SettingsCb
from handlers.commands import publish_user_commands
from handlers.i18n import _
from handlers.render import esc
from handlers.telegram_io import edit, pressed_message
from leadbot.actor import Actor
from leadbot.config import Settings
from leadbot.rendering import Rendered
from leadbot.services.users import UserService

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "UTC",
)


def settings_view(me: Actor, default_zone: str) -> Rendered:
    zone = me.timezone or default_zone
    lines = [
        "⚙️ <b>" + _("Settings") + "</b>",
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(me.language or "", "—")),
        _("Time zone: {zone}").format(zone=esc(zone)),
        _("Another time zone: /settings tz Europe/Samara"),
    ]
    kb = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        kb.button(
            text=("✅ " if me.language == code else "") + name,
            callback_data=SettingsCb(key=SettingKey.LANGUAGE, value=code),
        )
    for name in ZONES:
        kb.button(
            text=("✅ " if zone == name else "") + name.split("/")[-1],
            callback_data=SettingsCb(key=SettingKey.ZONE, value=name),
        )
    kb.adjust(2)
    return Rendered("\n".join(lines), kb.as_markup())


async def settings_command(
    message: Message, command: CommandObject, users: UserService, settings: Settings, me: Actor
) -> None:
    args = (command.args or "").split()
    if len(args) == 2 and args[0] == "tz":
        me = await users.set_timezone(me.telegram_id, args[1])
    rendered = settings_view(me, settings.timezone)
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def settings_pressed(
    query: CallbackQuery,
    callback_data: SettingsCb,
    users: UserService,
    settings: Settings,
    me: Actor,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    if callback_data.key is SettingKey.LANGUAGE:
        me = await users.set_language(me.telegram_id, callback_data.value)
    else:
        me = await users.set_timezone(me.telegram_id, callback_data.value)
    language = me.language or settings.locale
    if callback_data.key is SettingKey.LANGUAGE:
        await publish_user_commands(bot, get_i18n(), me, language)
    message = pressed_message(query)
    with get_i18n().use_locale(language):  # answer in the new language
        if message is not None:
            await edit(message, settings_view(me, settings.timezone))
        callback_answer.text = _("Saved.")


def router() -> Router:
    routes = Router(name="settings")
    routes.message.register(settings_command, Command("settings"))
    routes.callback_query.register(settings_pressed, SettingsCb.filter())
    return routes
