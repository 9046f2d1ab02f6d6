"""The command menu Telegram shows, in each language (setMyCommands)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from handlers.i18n import LANGUAGES, __

COMMANDS = (
    ("new", __("add a lead")),
    ("my", __("my open leads")),
    ("today", __("my reminders for today")),
    ("leads", __("the pipeline by status")),
    ("report", __("reports: managers, sources, funnel, speed")),
    ("find", __("find a lead")),
    ("lead", __("a lead's card by number")),
    ("exclusions", __("the exclusion list")),
    ("export", __("leads as an Excel file (supervisors)")),
    ("settings", __("language and time zone")),
    ("users", __("team members (admins)")),
    ("invite", __("invite a team member (admins)")),
    ("statuses", __("lead statuses (admins)")),
    ("forms", __("web forms for the site (admins)")),
    ("help", __("help")),
    ("cancel", __("stop the current dialog")),
)


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    for language in (None, *LANGUAGES):
        with i18n.context(), i18n.use_locale(language or i18n.default_locale):
            commands = [BotCommand(command=name, description=str(text)) for name, text in COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
