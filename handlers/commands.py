"""What each role may ask the bot: the /help text and the command menus Telegram shows (setMyCommands).

Everyone sees the common menu; a supervisor or an admin gets a menu of their own in their private chat,
with the commands their role adds, in their language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from handlers.i18n import LANGUAGES, _, __
from leadbot.actor import Actor
from leadbot.permissions import Permission, allowed
from leadbot.services.users import UserService

log = logging.getLogger("leadbot.commands")


class Section(StrEnum):
    LEADS = "leads"
    REPORTS = "reports"
    ADMIN = "admin"
    SETTINGS = "settings"


SECTION_TITLES = {
    Section.LEADS: __("Leads"),
    Section.REPORTS: __("Reports and files"),
    Section.ADMIN: __("Administration"),
    Section.SETTINGS: __("Settings and help"),
}


@dataclass(frozen=True)
class Entry:
    """One thing a user may ask: its line in /help and, for a command, its item in the menu."""

    section: Section
    usage: LazyProxy  # the line in /help
    command: str | None = None  # None: not a command (sending a file)
    menu: LazyProxy | None = None  # the description in Telegram's command menu
    permission: Permission | None = None  # None: every registered user


ENTRIES = (
    Entry(Section.LEADS, __("/new: add a lead"), "new", __("add a lead")),
    Entry(Section.LEADS, __("/lead ID: a lead's card"), "lead", __("a lead's card by number")),
    Entry(Section.LEADS, __("/find TEXT: find by name, phone, e-mail or company"), "find", __("find a lead")),
    Entry(Section.LEADS, __("/leads: the pipeline by status"), "leads", __("the pipeline by status")),
    Entry(Section.LEADS, __("/my: my open leads"), "my", __("my open leads")),
    Entry(
        Section.LEADS,
        __("/today: my reminders for today and overdue ones"),
        "today",
        __("my reminders for today"),
    ),
    Entry(Section.LEADS, __("/exclusions: the exclusion list"), "exclusions", __("the exclusion list")),
    Entry(
        Section.REPORTS,
        __("/report: reports by manager, status, source, funnel, speed"),
        "report",
        __("reports: managers, sources, funnel, speed"),
    ),
    Entry(
        Section.REPORTS,
        __("/export [STATUS]: leads as an Excel file, all or of one status"),
        "export",
        __("leads as an Excel file"),
        Permission.EXPORT,
    ),
    Entry(
        Section.REPORTS,
        __("Send me a CSV or Excel file to import leads from it."),
        permission=Permission.IMPORT,
    ),
    Entry(
        Section.ADMIN,
        __("/invite ROLE: a one-time invitation (manager, supervisor or admin)"),
        "invite",
        __("invite a team member"),
        Permission.MANAGE_USERS,
    ),
    Entry(
        Section.ADMIN,
        __("/users: team members, their roles and supervisors"),
        "users",
        __("team members"),
        Permission.MANAGE_USERS,
    ),
    Entry(
        Section.ADMIN,
        __("/statuses: lead statuses: add, rename, reorder"),
        "statuses",
        __("lead statuses"),
        Permission.MANAGE_DIRECTORIES,
    ),
    Entry(
        Section.ADMIN,
        __("/forms: web forms for the site"),
        "forms",
        __("web forms for the site"),
        Permission.MANAGE_DIRECTORIES,
    ),
    Entry(
        Section.SETTINGS, __("/settings: language and time zone"), "settings", __("language and time zone")
    ),
    Entry(Section.SETTINGS, __("/cancel: stop the current dialog"), "cancel", __("stop the current dialog")),
    Entry(Section.SETTINGS, __("/help: this help"), "help", __("help")),
)


def may_use(user: Actor | None, entry: Entry) -> bool:
    if entry.permission is None:
        return True
    return user is not None and allowed(user, entry.permission)


def help_text(user: Actor) -> str:
    """What this user may do, grouped, in the current language."""
    lines = [_("<b>leadbot</b> keeps your team's leads in the chat.")]
    for section in Section:
        usages = [str(e.usage) for e in ENTRIES if e.section is section and may_use(user, e)]
        if usages:
            lines += ["", f"<b>{SECTION_TITLES[section]}</b>", *usages]
    return "\n".join(lines)


def menu(user: Actor | None) -> list[BotCommand]:
    """The command menu of a user (None: of everyone) in the current language."""
    return [
        BotCommand(command=e.command, description=str(e.menu))
        for e in ENTRIES
        if e.command is not None and e.menu is not None and may_use(user, e)
    ]


def has_own_menu(user: Actor) -> bool:
    """Whether the user's role adds commands to the common menu."""
    return any(e.command is not None and e.permission is not None and may_use(user, e) for e in ENTRIES)


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    """The common menu, in each language."""
    for language in (None, *LANGUAGES):
        with i18n.context(), i18n.use_locale(language or i18n.default_locale):
            commands = menu(None)
        await bot.set_my_commands(commands, language_code=language)


async def publish_user_commands(bot: Bot, i18n: I18n, user: Actor, locale: str) -> None:
    """The user's own menu in their private chat, in `locale`; none (the common one) for a manager.

    Called when a user registers, changes language or role. Telegram refuses it for a user who has not
    opened the bot yet: their menu comes with their first /start."""
    if not has_own_menu(user):
        await drop_user_commands(bot, user.telegram_id)
        return
    with i18n.context(), i18n.use_locale(locale):
        commands = menu(user)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=user.telegram_id))
    except TelegramAPIError as error:
        log.info("no command menu for user %s: %s", user.telegram_id, error)


async def drop_user_commands(bot: Bot, telegram_id: int) -> None:
    """Back to the common menu (a manager, or a deactivated user)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=telegram_id))
    except TelegramAPIError as error:
        log.info("could not drop the command menu of user %s: %s", telegram_id, error)


async def publish_team_commands(bot: Bot, i18n: I18n, users: UserService) -> None:
    """At start: the own menus of the active supervisors and admins (a demoted user's was dropped then)."""
    for member in [Actor.of(user) for user in await users.all() if user.active]:
        if has_own_menu(member):
            await publish_user_commands(bot, i18n, member, member.locale(i18n.default_locale))
