"""Registration, roles, supervisors, language and time zone of the team's users."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Invite, User
from leadbot.actor import Actor
from leadbot.errors import (
    InvalidTelegramId,
    InvalidValue,
    InviteInvalid,
    LastAdmin,
    NotFound,
    NotRegistered,
    UserDeactivated,
)
from leadbot.i18n_marker import N_
from leadbot.normalize import visible_text
from leadbot.permissions import Permission, may_supervise, require
from leadbot.services.context import ServiceContext
from leadbot.services.lead_tx import LeadAction
from leadbot.services.unit_of_work import unit_of_work
from leadbot.translations import LANGUAGES

INVITE_TTL = timedelta(days=7)
ROLE_RANK = {Role.MANAGER: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}
NAME_LIMIT = 128


def _clean_name(name: str, telegram_id: int) -> str:
    """The visible name; Telegram always has one, but it may be all invisible: then "id<Telegram id>"."""
    text = " ".join(visible_text(name).split())[:NAME_LIMIT]
    return text or f"id{telegram_id}"


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def actor(self, telegram_id: int) -> Actor:
        """The active registered user with this Telegram id; NotRegistered otherwise."""
        async with self._ctx.reading() as session:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        if user is None or not user.active:
            raise NotRegistered()
        return Actor.of(user)

    async def find(self, telegram_id: int) -> Actor | None:
        try:
            return await self.actor(telegram_id)
        except NotRegistered:
            return None

    async def register_admin(self, telegram_id: int, name: str) -> Actor:
        """First /start of someone listed in ADMIN_IDS: registered (or re-activated) as admin."""
        if telegram_id not in self._ctx.settings.admin_ids:
            raise NotRegistered()
        return await self.add(telegram_id, Role.ADMIN, name)

    async def add(self, telegram_id: int, role: Role, name: str, by: Actor | None = None) -> Actor:
        """Register a user (CLI and invites). An existing user gets the role and is re-activated."""
        if by is not None:
            require(by, Permission.MANAGE_USERS)
        if telegram_id <= 0:
            raise InvalidTelegramId(value=telegram_id)
        async with unit_of_work(self._ctx, by) as tx:
            user = await tx.session.scalar(select(User).where(User.telegram_id == telegram_id))
            if user is None:
                user = await tx.users.add(
                    User(telegram_id=telegram_id, name=_clean_name(name, telegram_id), role=role)
                )
            else:
                await _keep_an_admin(tx.session, user, role=role, active=True)
                tx.users.change(user, LeadAction.EDITED, role=role, active=True)
                await _an_admin_remains(tx.session, user)
            await tx.session.flush()
            return Actor.of(user)

    async def set_active(self, telegram_id: int, active: bool) -> User:
        """Turn a user's access off or back on, by Telegram id (the command line, the machine's operator)."""
        async with unit_of_work(self._ctx, None) as tx:
            user = await tx.session.scalar(select(User).where(User.telegram_id == telegram_id))
            if user is None:
                raise NotFound(what=N_("User"), id=telegram_id)
            await _keep_an_admin(tx.session, user, role=user.role, active=active)
            tx.users.change(user, LeadAction.EDITED, active=active)
            await _an_admin_remains(tx.session, user)
            return user

    async def create_invite(self, role: Role, by: Actor) -> str:
        require(by, Permission.MANAGE_USERS)
        code = secrets.token_urlsafe(12)
        now = self._ctx.clock.now()
        async with self._ctx.transaction() as session:
            session.add(
                Invite(code=code, role=role, created_by_id=by.id, created_at=now, expires_at=now + INVITE_TTL)
            )
        return code

    async def accept_invite(self, code: str, telegram_id: int, name: str) -> Actor:
        """Register by a one-time invite; a used, expired or unknown code registers nobody.

        An invite only adds: it never lowers a role (the invite stays unused for the one it was meant
        for) and never brings back a deactivated user (an admin does that). ADMIN_IDS stay admins."""
        if telegram_id in self._ctx.settings.admin_ids:
            return await self.register_admin(telegram_id, name)
        now = self._ctx.clock.now()
        async with unit_of_work(self._ctx, None) as tx:
            invite = await tx.session.scalar(select(Invite).where(Invite.code == code))
            if invite is None or invite.used_at is not None or invite.expires_at <= now:
                raise InviteInvalid()
            user = await tx.session.scalar(select(User).where(User.telegram_id == telegram_id))
            if user is None:
                user = await tx.users.add(
                    User(telegram_id=telegram_id, name=_clean_name(name, telegram_id), role=invite.role)
                )
            elif not user.active:
                raise UserDeactivated()
            elif ROLE_RANK[invite.role] <= ROLE_RANK[user.role]:
                return Actor.of(user)
            else:
                tx.users.change(user, LeadAction.EDITED, role=invite.role)
            await tx.session.flush()
            claimed = await tx.session.execute(
                update(Invite)
                .where(Invite.id == invite.id, Invite.used_at.is_(None))
                .values(used_at=now, used_by_id=user.id)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise InviteInvalid()
            return Actor.of(user)

    async def team(self, by: Actor) -> Sequence[User]:
        """Every user, for the admin's user management."""
        require(by, Permission.MANAGE_USERS)
        return await self.all()

    async def all(self) -> Sequence[User]:
        async with self._ctx.reading() as session:
            return (await session.scalars(select(User).order_by(User.active.desc(), User.name))).all()

    async def get(self, user_id: int) -> User:
        async with self._ctx.reading() as session:
            user = await session.get(User, user_id)
        if user is None:
            raise NotFound(what=N_("User"), id=user_id)
        return user

    async def change(
        self,
        user_id: int,
        by: Actor,
        *,
        role: Role | None = None,
        supervisor_id: int | None = None,
        clear_supervisor: bool = False,
        active: bool | None = None,
    ) -> User:
        require(by, Permission.MANAGE_USERS)
        async with unit_of_work(self._ctx, by) as tx:
            user = await tx.users.find(user_id)
            if user is None:
                raise NotFound(what=N_("User"), id=user_id)
            await _keep_an_admin(
                tx.session, user, role=role or user.role, active=user.active if active is None else active
            )
            if role is not None:
                tx.users.change(user, LeadAction.EDITED, role=role)
            if supervisor_id is not None:
                supervisor = await tx.users.find(supervisor_id)
                if supervisor is None or not may_supervise(supervisor, user):
                    raise InvalidValue(field=N_("supervisor"), value=supervisor_id)
                tx.users.change(user, LeadAction.EDITED, supervisor_id=supervisor.id)
            if clear_supervisor:
                tx.users.change(user, LeadAction.EDITED, supervisor_id=None)
            if active is not None:
                if not active and user.id == by.id:
                    raise InvalidValue(field=N_("user"), value=user.name)
                tx.users.change(user, LeadAction.EDITED, active=active)
            await _an_admin_remains(tx.session, user)
            return user

    async def set_language(self, telegram_id: int, language: str) -> Actor:
        if language not in LANGUAGES:
            raise InvalidValue(field=N_("language"), value=language[:8])
        return await self._set(telegram_id, language=language)

    async def note_telegram_language(self, telegram_id: int, language: str) -> Actor:
        """Remember the language the user's Telegram app reports (used where no update is at hand). It is
        logged like any change, as the system's (the user chose nothing in the bot), when it changes."""
        if language not in LANGUAGES:
            raise InvalidValue(field=N_("language"), value=language[:8])
        return await self._set(telegram_id, by_system=True, telegram_language=language)

    async def set_timezone(self, telegram_id: int, timezone: str) -> Actor:
        try:
            ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise InvalidValue(field=N_("time zone"), value=timezone[:64]) from error
        return await self._set(telegram_id, timezone=timezone.strip())

    async def _set(self, telegram_id: int, *, by_system: bool = False, **values: str) -> Actor:
        """A user's own setting, changed by the user themself (or noted by the system)."""
        me = await self.actor(telegram_id)
        async with unit_of_work(self._ctx, None if by_system else me) as tx:
            user = await tx.users.find(me.id)
            if user is None or not user.active:
                raise NotRegistered()
            tx.users.change(user, LeadAction.EDITED, **values)
            return Actor.of(user)


async def _keep_an_admin(session: AsyncSession, user: User, *, role: Role, active: bool) -> None:
    """Refuse to demote or deactivate the last active admin: nobody could manage the team in the bot.

    The active admins are locked while counted (PostgreSQL), so two admins demoting each other at once
    are served one after the other and the second is refused; SQLite serialises the writes itself."""
    if not (user.active and user.role is Role.ADMIN) or (active and role is Role.ADMIN):
        return
    admins = await session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    )
    if not [admin for admin in admins if admin != user.id]:
        raise LastAdmin(name=user.name)


async def _an_admin_remains(session: AsyncSession, user: User) -> None:
    """Counted again once the change is written (which takes SQLite's write lock, so a change that raced
    this one is seen): the last check of `_keep_an_admin`, for SQLite, which reads outside transactions."""
    await session.flush()
    admins = await session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )
    if not admins:
        raise LastAdmin(name=user.name)
