"""Team administration: /invite, /users, /statuses, /exclusions."""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n.context import get_i18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import CommKind, Role
from db.models import User
from handlers.callbacks import ExclusionCb, StatusAdminCb, UserCb, UserOp
from handlers.commands import drop_user_commands, publish_user_commands
from handlers.formats import day, number
from handlers.i18n import _, current_locale
from handlers.numbers import db_int
from handlers.render import clip, esc, fit
from handlers.start import role_name
from handlers.telegram_io import edit, pressed_message, refuse
from leadbot.actor import Actor
from leadbot.errors import DomainError
from leadbot.normalize import format_phone
from leadbot.permissions import Permission, allowed, may_supervise
from leadbot.rendering import Rendered
from leadbot.services.directories import Directory
from leadbot.services.registry import Services

EXCLUSIONS_PAGE = 20
_BY_LEAD = re.compile(r"lead #(\d{1,10})", re.ASCII)


def _more(n: int) -> str:
    return _("…and {count} more").format(count=n)


# --- invitations and users -------------------------------------------------------------------------


async def invite(message: Message, command: CommandObject, services: Services, me: Actor, bot: Bot) -> None:
    role_text = (command.args or "").strip().lower()
    if role_text not in {r.value for r in Role}:
        await message.answer(_("Write the role: /invite manager, /invite supervisor or /invite admin"))
        return
    try:
        code = await services.users.create_invite(Role(role_text), me)
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    username = (await bot.me()).username
    link = f"https://t.me/{username}?start={code}"
    await message.answer(
        _("One-time invitation ({role}), valid for 7 days:").format(role=role_name(Role(role_text)))
        + f"\n{esc(link)}"
    )


def users_view(users: list[User]) -> Rendered:
    lines = ["👥 <b>" + _("Users") + "</b>"]
    kb = InlineKeyboardBuilder()
    for user in users:
        state = "" if user.active else " ⛔"
        lines.append(f"{esc(user.name)} · {role_name(user.role)}{state}")
        kb.button(text=f"{clip(user.name, 30)}{state}", callback_data=UserCb(op=UserOp.SHOW, id=user.id))
    kb.adjust(2)
    return Rendered(fit(lines, _more), kb.as_markup())


def user_view(user: User, users: list[User]) -> Rendered:
    names = {u.id: u.name for u in users}
    lines = [
        f"👤 <b>{esc(user.name)}</b> (id {user.telegram_id})",
        _("Role: {role}").format(role=role_name(user.role)),
        _("Supervisor: {name}").format(name=esc(names.get(user.supervisor_id or 0, "—"))),
        _("Active") if user.active else _("Deactivated"),
    ]
    kb = InlineKeyboardBuilder()
    for role in Role:
        if role is not user.role:
            kb.button(text=role_name(role), callback_data=UserCb(op=UserOp.ROLE, id=user.id, arg=role.value))
    for boss in users:
        if boss.id != user.supervisor_id and may_supervise(boss, user):
            kb.button(
                text="👔 " + clip(boss.name, 25),
                callback_data=UserCb(op=UserOp.SUPERVISOR, id=user.id, arg=str(boss.id)),
            )
    toggle = _("Deactivate") if user.active else _("Activate")
    kb.button(
        text=toggle, callback_data=UserCb(op=UserOp.ACTIVE, id=user.id, arg="0" if user.active else "1")
    )
    kb.button(text="← " + _("Back"), callback_data=UserCb(op=UserOp.LIST))
    kb.adjust(2)
    return Rendered("\n".join(lines), kb.as_markup())


async def users_command(message: Message, services: Services, me: Actor) -> None:
    try:
        rendered = users_view(list(await services.users.team(me)))
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def users_pressed(
    query: CallbackQuery, callback_data: UserCb, services: Services, me: Actor, bot: Bot
) -> None:
    message = pressed_message(query)
    if message is None:
        await query.answer()
        return
    try:
        match callback_data.op:
            case UserOp.ROLE:
                changed = await services.users.change(callback_data.id, me, role=Role(callback_data.arg))
                await refresh_menu(bot, changed, services.ctx.settings.locale)
            case UserOp.SUPERVISOR:
                await services.users.change(callback_data.id, me, supervisor_id=db_int(callback_data.arg))
            case UserOp.ACTIVE:
                changed = await services.users.change(callback_data.id, me, active=callback_data.arg == "1")
                await refresh_menu(bot, changed, services.ctx.settings.locale)
        users = list(await services.users.team(me))
        if callback_data.op is UserOp.LIST:
            rendered = users_view(users)
        else:
            rendered = user_view(await services.users.get(callback_data.id), users)
    except DomainError as error:
        await refuse(query, error)
        return
    except ValueError:  # a forged role or id
        await query.answer(_("This button is outdated."), show_alert=True)
        return
    await edit(message, rendered)
    await query.answer()


async def refresh_menu(bot: Bot, user: User, default_locale: str) -> None:
    """The changed user's command menu follows their new role (or the common one when deactivated)."""
    if not user.active:
        await drop_user_commands(bot, user.telegram_id)
        return
    member = Actor.of(user)
    await publish_user_commands(bot, get_i18n(), member, member.locale(default_locale))


# --- statuses ---------------------------------------------------------------------------------------


async def statuses_view(services: Services) -> Rendered:
    locale = current_locale()
    statuses = await services.directories.process_statuses()
    lines = ["📊 <b>" + _("Lead statuses in work") + "</b>"]
    kb = InlineKeyboardBuilder()
    for status in statuses:
        lines.append(f"<code>{esc(status.code)}</code> · {esc(status.name_ru)} / {esc(status.name_en)}")
        kb.button(text=f"▲ {status.name(locale)}", callback_data=StatusAdminCb(op="up", code=status.code))
        kb.button(text="▼", callback_data=StatusAdminCb(op="down", code=status.code))
    kb.adjust(2)
    lines += [
        "",
        _("Add: /statuses add CODE Name in Russian | Name in English"),
        _("Rename: /statuses rename CODE Name in Russian | Name in English"),
    ]
    return Rendered("\n".join(lines), kb.as_markup())


async def statuses_command(message: Message, command: CommandObject, services: Services, me: Actor) -> None:
    args = (command.args or "").strip()
    try:
        if args:
            action, _sep, rest = args.partition(" ")
            code, _sep, names = rest.strip().partition(" ")
            ru, _sep, en = names.partition("|")
            if action == "add" and ru.strip():
                await services.directories.add(Directory.STATUSES, code, ru, en.strip() or ru, me)
            elif action == "rename" and ru.strip():
                await services.directories.rename(
                    Directory.STATUSES, code.upper(), me, ru=ru, en=en.strip() or None
                )
            else:
                await message.answer(_("Add: /statuses add CODE Name in Russian | Name in English"))
                return
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    rendered = await statuses_view(services)
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def status_moved(
    query: CallbackQuery, callback_data: StatusAdminCb, services: Services, me: Actor
) -> None:
    message = pressed_message(query)
    try:
        await services.directories.move(
            Directory.STATUSES, callback_data.code, -1 if callback_data.op == "up" else 1, me
        )
    except DomainError as error:
        await refuse(query, error)
        return
    if message is not None:
        await edit(message, await statuses_view(services))
    await query.answer()


# --- exclusions ---------------------------------------------------------------------------------------


def exclusion_reason(reason: str | None) -> str:
    """The reason in the reader's language. LeadService.exclude stores "lead #ID" (the lead the phone or
    e-mail was excluded from); a person's own words are shown as written."""
    by_lead = _BY_LEAD.fullmatch(reason or "")
    if by_lead is not None:
        return _("from lead #{id}").format(id=by_lead[1])
    return esc(clip(reason or "—", 40))


async def exclusions_view(services: Services, me: Actor, page: int) -> Rendered:
    entries, total = await services.exclusions.page(page * EXCLUSIONS_PAGE, EXCLUSIONS_PAGE)
    zone = me.zone(services.ctx.settings.timezone)
    lines = ["⛔ <b>" + _("Exclusion list") + f"</b> · {number(total)}"]
    kb = InlineKeyboardBuilder()
    for entry in entries:
        value = format_phone(entry.normalized) if entry.kind is CommKind.PHONE else entry.normalized
        hits = _("blocked: {count}").format(count=number(entry.hits))
        when = day(entry.created_at, zone)
        lines.append(f"{esc(value)} · {exclusion_reason(entry.reason)} · {when} · {hits}")
        if allowed(me, Permission.REMOVE_EXCLUSION):
            kb.button(text=f"✖ {value}", callback_data=ExclusionCb(op="del", id=entry.id, page=page))
    if page > 0:
        kb.button(text="◀", callback_data=ExclusionCb(op="page", page=page - 1))
    if (page + 1) * EXCLUSIONS_PAGE < total:
        kb.button(text="▶", callback_data=ExclusionCb(op="page", page=page + 1))
    kb.adjust(2)
    lines.append(_("Add a number or e-mail: /exclusions add +7 999 000-00-00 pizza delivery"))
    return Rendered(fit(lines, _more), kb.as_markup())


async def exclusions_command(message: Message, command: CommandObject, services: Services, me: Actor) -> None:
    args = (command.args or "").strip()
    if args.startswith("add "):
        parts = args[4:].split()
        value, reason = (parts[0], " ".join(parts[1:])) if "@" in parts[0] else _split_phone(parts)
        try:
            entry = await services.exclusions.add(value, me, reason or None)
        except DomainError as error:
            await message.answer(error.render(_, html=True))
            return
        await message.answer(_("Excluded: {value}.").format(value=esc(entry.normalized)))
        return
    rendered = await exclusions_view(services, me, 0)
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
    query: CallbackQuery, callback_data: ExclusionCb, services: Services, me: Actor
) -> None:
    message = pressed_message(query)
    if callback_data.op == "del":
        try:
            await services.exclusions.remove(callback_data.id, me)
        except DomainError as error:
            await refuse(query, error)
            return
    if message is not None:
        await edit(message, await exclusions_view(services, me, callback_data.page))
    await query.answer()


# --- web forms ------------------------------------------------------------------------------------------


async def forms_command(message: Message, command: CommandObject, services: Services, me: Actor) -> None:
    """/forms lists the web forms; /forms add KEY [SOURCE] [REDIRECT_URL] defines one (admins)."""
    args = (command.args or "").split()
    settings = services.ctx.settings
    if args[:1] == ["add"] and len(args) >= 2:
        source = args[2] if len(args) > 2 and not args[2].startswith("http") else "WEBFORM"
        redirect = next((a for a in args[2:] if a.startswith("http")), None)
        try:
            form = await services.forms.add(args[1], source=source, redirect=redirect, by=me)
        except DomainError as error:
            await message.answer(error.render(_, html=True))
            return
        url = f"http://{settings.http_host}:{settings.http_port}/forms/{form.key}"
        await message.answer(_("Form {key} is ready: {url}").format(key=esc(form.key), url=esc(url)))
        return
    forms = await services.forms.all()
    locale = current_locale()
    sources = {s.code: s.name(locale) for s in await services.directories.entries(Directory.SOURCES)}
    lines = ["🧾 <b>" + _("Web forms") + "</b>"]
    lines += [
        f"<code>{esc(f.key)}</code> · {esc(sources.get(f.source_code, f.source_code))}"
        f" · {esc(f.redirect_url or '—')}"
        for f in forms
    ]
    lines.append(_("Add: /forms add KEY [SOURCE] [REDIRECT_URL]"))
    await message.answer(fit(lines, _more))


def router() -> Router:
    routes = Router(name="admin")
    routes.message.register(invite, Command("invite"))
    routes.message.register(users_command, Command("users"))
    routes.callback_query.register(users_pressed, UserCb.filter())
    routes.message.register(statuses_command, Command("statuses"))
    routes.callback_query.register(status_moved, StatusAdminCb.filter(F.op.in_({"up", "down"})))
    routes.message.register(exclusions_command, Command("exclusions"))
    routes.callback_query.register(exclusions_pressed, ExclusionCb.filter())
    routes.message.register(forms_command, Command("forms"))
    return routes
