"""Team administration: /invite, /users, /statuses, /exclusions."""

from __future__ import annotations

import re

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n.context import get_i18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import CommKind, Role
from db.models import User
from handlers.callbacks import (
    ExclusionCb,
    ExclusionOp,
    Move,
    StatusAdminCb,
    UserActiveCb,
    UserBossCb,
    UserListCb,
    UserRoleCb,
    UserShowCb,
)
from handlers.commands import drop_user_commands, publish_user_commands
from handlers.formats import day, number
from handlers.i18n import _, current_locale
from handlers.render import clip, esc, fit
from handlers.telegram_io import edit, pressed_message
from leadbot.actor import Actor
from leadbot.config import Settings
from leadbot.normalize import format_phone
from leadbot.permissions import Permission, allowed, may_supervise
from leadbot.rendering import Rendered
from leadbot.role_names import role_name
from leadbot.services.directories import Directory, DirectoryService
from leadbot.services.exclusions import ExclusionService
from leadbot.services.forms import FormService
from leadbot.services.users import UserService

EXCLUSIONS_PAGE = 20
_BY_LEAD = re.compile(r"lead #(\d{1,10})", re.ASCII)


def _more(n: int) -> str:
    return _("…and {count} more").format(count=n)


# --- invitations and users -------------------------------------------------------------------------


async def invite(message: Message, command: CommandObject, users: UserService, me: Actor, bot: Bot) -> None:
    role_text = (command.args or "").strip().lower()
    if role_text not in {r.value for r in Role}:
        await message.answer(_("Write the role: /invite manager, /invite supervisor or /invite admin"))
        return
    code = await users.create_invite(Role(role_text), me)
    username = (await bot.me()).username
    link = f"https://t.me/{username}?start={code}"
    await message.answer(
        _("One-time invitation ({role}), valid for 7 days:").format(role=role_name(Role(role_text), _))
        + f"\n{esc(link)}"
    )


def users_view(users: list[User]) -> Rendered:
    lines = ["👥 <b>" + _("Users") + "</b>"]
    kb = InlineKeyboardBuilder()
    for user in users:
        state = "" if user.active else " ⛔"
        lines.append(f"{esc(user.name)} · {role_name(user.role, _)}{state}")
        kb.button(text=f"{clip(user.name, 30)}{state}", callback_data=UserShowCb(user_id=user.id))
    kb.adjust(2)
    return Rendered(fit(lines, _more), kb.as_markup())


def user_view(user: User, users: list[User]) -> Rendered:
    names = {u.id: u.name for u in users}
    lines = [
        f"👤 <b>{esc(user.name)}</b> (id {user.telegram_id})",
        _("Role: {role}").format(role=role_name(user.role, _)),
        _("Supervisor: {name}").format(name=esc(names.get(user.supervisor_id or 0, "—"))),
        _("Active") if user.active else _("Deactivated"),
    ]
    kb = InlineKeyboardBuilder()
    for role in Role:
        if role is not user.role:
            kb.button(text=role_name(role, _), callback_data=UserRoleCb(user_id=user.id, role=role))
    for boss in users:
        if boss.id != user.supervisor_id and may_supervise(boss, user):
            kb.button(
                text="👔 " + clip(boss.name, 25),
                callback_data=UserBossCb(user_id=user.id, boss_id=boss.id),
            )
    toggle = _("Deactivate") if user.active else _("Activate")
    kb.button(text=toggle, callback_data=UserActiveCb(user_id=user.id, active=not user.active))
    kb.button(text="← " + _("Back"), callback_data=UserListCb())
    kb.adjust(2)
    return Rendered("\n".join(lines), kb.as_markup())


async def users_command(message: Message, users: UserService, me: Actor) -> None:
    rendered = users_view(list(await users.team(me)))
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def show_users(query: CallbackQuery, users: UserService, me: Actor) -> None:
    message = pressed_message(query)
    if message is not None:
        await edit(message, users_view(list(await users.team(me))))


async def show_user(query: CallbackQuery, user_id: int, users: UserService, me: Actor) -> None:
    team = list(await users.team(me))
    message = pressed_message(query)
    if message is not None:
        await edit(message, user_view(await users.get(user_id), team))


async def user_pressed(
    query: CallbackQuery, callback_data: UserShowCb, users: UserService, me: Actor
) -> None:
    await show_user(query, callback_data.user_id, users, me)


async def role_pressed(
    query: CallbackQuery,
    callback_data: UserRoleCb,
    users: UserService,
    me: Actor,
    bot: Bot,
    settings: Settings,
) -> None:
    changed = await users.change(callback_data.user_id, me, role=callback_data.role)
    await refresh_menu(bot, changed, settings.locale)
    await show_user(query, callback_data.user_id, users, me)


async def boss_pressed(
    query: CallbackQuery, callback_data: UserBossCb, users: UserService, me: Actor
) -> None:
    await users.change(callback_data.user_id, me, supervisor_id=callback_data.boss_id)
    await show_user(query, callback_data.user_id, users, me)


async def active_pressed(
    query: CallbackQuery,
    callback_data: UserActiveCb,
    users: UserService,
    me: Actor,
    bot: Bot,
    settings: Settings,
) -> None:
    changed = await users.change(callback_data.user_id, me, active=callback_data.active)
    await refresh_menu(bot, changed, settings.locale)
    await show_user(query, callback_data.user_id, users, me)


async def refresh_menu(bot: Bot, user: User, default_locale: str) -> None:
    """The changed user's command menu follows their new role (or the common one when deactivated)."""
    if not user.active:
        await drop_user_commands(bot, user.telegram_id)
        return
    member = Actor.of(user)
    await publish_user_commands(bot, get_i18n(), member, member.locale(default_locale))


# --- statuses ---------------------------------------------------------------------------------------


async def statuses_view(directories: DirectoryService) -> Rendered:
    locale = current_locale()
    statuses = await directories.process_statuses()
    lines = ["📊 <b>" + _("Lead statuses in work") + "</b>"]
    kb = InlineKeyboardBuilder()
    for status in statuses:
        lines.append(f"<code>{esc(status.code)}</code> · {esc(status.name_ru)} / {esc(status.name_en)}")
        kb.button(text=f"▲ {status.name(locale)}", callback_data=StatusAdminCb(op=Move.UP, code=status.code))
        kb.button(text="▼", callback_data=StatusAdminCb(op=Move.DOWN, code=status.code))
    kb.adjust(2)
    lines += [
        "",
        _("Add: /statuses add CODE Name in Russian | Name in English"),
        _("Rename: /statuses rename CODE Name in Russian | Name in English"),
    ]
    return Rendered("\n".join(lines), kb.as_markup())


async def statuses_command(
    message: Message, command: CommandObject, directories: DirectoryService, me: Actor
) -> None:
    args = (command.args or "").strip()
    if args:
        action, _sep, rest = args.partition(" ")
        code, _sep, names = rest.strip().partition(" ")
        ru, _sep, en = names.partition("|")
        if action == "add" and ru.strip():
            await directories.add(Directory.STATUSES, code, ru, en.strip() or ru, me)
        elif action == "rename" and ru.strip():
            await directories.rename(Directory.STATUSES, code.upper(), me, ru=ru, en=en.strip() or None)
        else:
            await message.answer(_("Add: /statuses add CODE Name in Russian | Name in English"))
            return
    rendered = await statuses_view(directories)
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def status_moved(
    query: CallbackQuery, callback_data: StatusAdminCb, directories: DirectoryService, me: Actor
) -> None:
    message = pressed_message(query)
    step = -1 if callback_data.op is Move.UP else 1
    await directories.move(Directory.STATUSES, callback_data.code, step, me)
    if message is not None:
        await edit(message, await statuses_view(directories))


# --- exclusions ---------------------------------------------------------------------------------------


def exclusion_reason(reason: str | None) -> str:
    """The reason in the reader's language. LeadService.exclude stores "lead #ID" (the lead the phone or
    e-mail was excluded from); a person's own words are shown as written."""
    by_lead = _BY_LEAD.fullmatch(reason or "")
    if by_lead is not None:
        return _("from lead #{id}").format(id=by_lead[1])
    return esc(clip(reason or "—", 40))


async def exclusions_view(exclusions: ExclusionService, settings: Settings, me: Actor, page: int) -> Rendered:
    entries, total = await exclusions.page(page * EXCLUSIONS_PAGE, EXCLUSIONS_PAGE)
    zone = me.zone(settings.timezone)
    lines = ["⛔ <b>" + _("Exclusion list") + f"</b> · {number(total)}"]
    kb = InlineKeyboardBuilder()
    for entry in entries:
        value = format_phone(entry.normalized) if entry.kind is CommKind.PHONE else entry.normalized
        hits = _("blocked: {count}").format(count=number(entry.hits))
        when = day(entry.created_at, zone)
        lines.append(f"{esc(value)} · {exclusion_reason(entry.reason)} · {when} · {hits}")
        if allowed(me, Permission.REMOVE_EXCLUSION):
            kb.button(
                text=f"✖ {value}", callback_data=ExclusionCb(op=ExclusionOp.DELETE, id=entry.id, page=page)
            )
    if page > 0:
        kb.button(text="◀", callback_data=ExclusionCb(op=ExclusionOp.PAGE, page=page - 1))
    if (page + 1) * EXCLUSIONS_PAGE < total:
        kb.button(text="▶", callback_data=ExclusionCb(op=ExclusionOp.PAGE, page=page + 1))
    kb.adjust(2)
    lines.append(_("Add a number or e-mail: /exclusions add +7 999 000-00-00 pizza delivery"))
    return Rendered(fit(lines, _more), kb.as_markup())


async def exclusions_command(
    message: Message, command: CommandObject, exclusions: ExclusionService, settings: Settings, me: Actor
) -> None:
    args = (command.args or "").strip()
    if args.startswith("add "):
        parts = args[4:].split()
        value, reason = (parts[0], " ".join(parts[1:])) if "@" in parts[0] else _split_phone(parts)
        entry = await exclusions.add(value, me, reason or None)
        await message.answer(_("Excluded: {value}.").format(value=esc(entry.normalized)))
        return
    rendered = await exclusions_view(exclusions, settings, me, 0)
    await message.answer(rendered.text, reply_markup=rendered.markup)


def _split_phone(parts: list[str]) -> tuple[str, str]:
    """ "+7 999 000-00-00 pizza delivery" → the leading words made of digits and signs, and the rest."""
    phone: list[str] = []
    for index, part in enumerate(parts):
        if any(ch.isalpha() for ch in part):
            return " ".join(phone), " ".join(parts[index:])
        phone.append(part)
    return " ".join(phone), ""


async def exclusions_pressed(
    query: CallbackQuery,
    callback_data: ExclusionCb,
    exclusions: ExclusionService,
    settings: Settings,
    me: Actor,
) -> None:
    message = pressed_message(query)
    if callback_data.op is ExclusionOp.DELETE:
        await exclusions.remove(callback_data.id, me)
    if message is not None:
        await edit(message, await exclusions_view(exclusions, settings, me, callback_data.page))


# --- web forms ------------------------------------------------------------------------------------------


async def forms_command(
    message: Message,
    command: CommandObject,
    forms: FormService,
    directories: DirectoryService,
    settings: Settings,
    me: Actor,
) -> None:
    """/forms lists the web forms; /forms add KEY [SOURCE] [REDIRECT_URL] defines one (admins)."""
    args = (command.args or "").split()
    if args[:1] == ["add"] and len(args) >= 2:
        source = args[2] if len(args) > 2 and not args[2].startswith("http") else "WEBFORM"
        redirect = next((a for a in args[2:] if a.startswith("http")), None)
        form = await forms.add(args[1], source=source, redirect=redirect, by=me)
        url = f"http://{settings.http_host}:{settings.http_port}/forms/{form.key}"
        await message.answer(_("Form {key} is ready: {url}").format(key=esc(form.key), url=esc(url)))
        return
    locale = current_locale()
    sources = {s.code: s.name(locale) for s in await directories.entries(Directory.SOURCES)}
    lines = ["🧾 <b>" + _("Web forms") + "</b>"]
    lines += [
        f"<code>{esc(f.key)}</code> · {esc(sources.get(f.source_code, f.source_code))}"
        f" · {esc(f.redirect_url or '—')}"
        for f in await forms.all()
    ]
    lines.append(_("Add: /forms add KEY [SOURCE] [REDIRECT_URL]"))
    await message.answer(fit(lines, _more))


def router() -> Router:
    routes = Router(name="admin")
    routes.message.register(invite, Command("invite"))
    routes.message.register(users_command, Command("users"))
    routes.callback_query.register(show_users, UserListCb.filter())
    routes.callback_query.register(user_pressed, UserShowCb.filter())
    routes.callback_query.register(role_pressed, UserRoleCb.filter())
    routes.callback_query.register(boss_pressed, UserBossCb.filter())
    routes.callback_query.register(active_pressed, UserActiveCb.filter())
    routes.message.register(statuses_command, Command("statuses"))
    routes.callback_query.register(status_moved, StatusAdminCb.filter())
    routes.message.register(exclusions_command, Command("exclusions"))
    routes.callback_query.register(exclusions_pressed, ExclusionCb.filter())
    routes.message.register(forms_command, Command("forms"))
    return routes
