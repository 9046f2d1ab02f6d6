"""Web-to-lead forms: each has its own key, source, default assignee and optional redirect.

Each visitor's address may send PER_WINDOW submissions of a form per WINDOW. The hits are kept in the
database, so the limit holds across restarts and across instances behind one load balancer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FormHit, User, WebForm
from leadbot.actor import Actor
from leadbot.errors import FormExists, InvalidFormKey, InvalidValue, NotFound
from leadbot.i18n_marker import N_
from leadbot.normalize import visible_text
from leadbot.permissions import Permission, require
from leadbot.services.context import ServiceContext
from leadbot.services.directory_lookup import DirectoryLookup
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import CreateOutcome, LeadService

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_URL = re.compile(r"^https?://[^\s<>\"']{3,500}$")
WINDOW = timedelta(minutes=10)
PER_WINDOW = 5
ADDRESS_LIMIT = 64


@dataclass(frozen=True)
class FormSubmission:
    name: str = ""
    phone: str = ""
    email: str = ""
    comment: str = ""


class FormService:
    def __init__(self, ctx: ServiceContext, leads: LeadService) -> None:
        self._ctx = ctx
        self._leads = leads

    async def add(
        self,
        key: str,
        *,
        source: str = "WEBFORM",
        redirect: str | None = None,
        assignee_telegram_id: int | None = None,
        title: str | None = None,
        by: Actor | None = None,
    ) -> WebForm:
        """Define a form (by=None: the command line). Keys are lower-case slugs used in the URL."""
        if by is not None:
            require(by, Permission.MANAGE_DIRECTORIES)
        key = key.strip().lower()
        if not _KEY.match(key):
            raise InvalidFormKey(value=key[:64])
        if redirect and not _URL.match(redirect):
            raise InvalidValue(field=N_("redirect"), value=redirect[:100])
        try:
            async with self._ctx.transaction() as session:
                if await session.scalar(select(WebForm.id).where(WebForm.key == key)) is not None:
                    raise FormExists(key=key)
                source_code = (await DirectoryLookup.load(session)).source(source)
                form = WebForm(
                    key=key,
                    title=visible_text(title or "")[:128] or None,
                    source_code=source_code,
                    assignee_id=await _user_id(session, assignee_telegram_id),
                    redirect_url=redirect or None,
                )
                session.add(form)
            return form
        except IntegrityError:  # the same key added at the same moment elsewhere
            raise FormExists(key=key) from None

    async def all(self) -> Sequence[WebForm]:
        async with self._ctx.reading() as session:
            return (await session.scalars(select(WebForm).order_by(WebForm.key))).all()

    async def get(self, key: str) -> WebForm:
        async with self._ctx.reading() as session:
            form = await session.scalar(
                select(WebForm).where(WebForm.key == key.lower(), WebForm.active.is_(True))
            )
        if form is None:
            raise NotFound(what=N_("Form"), id=key[:64])
        return form

    async def allow_submission(self, form: WebForm, address: str) -> bool:
        """Count this submission against the visitor's limit; False once PER_WINDOW were sent in WINDOW.

        The count and the new hit are one conditional INSERT, so parallel submissions cannot all pass the
        same count: SQLite takes its write lock as that statement starts; PostgreSQL first locks the form's
        row, which queues the form's submissions for the moment each takes (in any instance)."""
        now = self._ctx.clock.now()
        address = address[:ADDRESS_LIMIT]
        recent = (
            select(func.count())
            .select_from(FormHit)
            .where(FormHit.form_id == form.id, FormHit.address == address, FormHit.at > now - WINDOW)
            .scalar_subquery()
        )
        hit = insert(FormHit).from_select(
            ["form_id", "address", "at"],
            select(
                literal(form.id, FormHit.form_id.type),
                literal(address, FormHit.address.type),
                literal(now, FormHit.at.type),
            ).where(recent < PER_WINDOW),
        )
        async with self._ctx.transaction() as session:
            await session.scalar(select(WebForm.id).where(WebForm.id == form.id).with_for_update())
            added = await session.execute(hit)
        return int(added.rowcount) == 1  # type: ignore[attr-defined]

    async def purge_hits(self, before: datetime) -> int:
        async with self._ctx.transaction() as session:
            result = await session.execute(delete(FormHit).where(FormHit.at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def submit(self, form: WebForm, data: FormSubmission) -> CreateOutcome:
        """A visitor's submission becomes a lead like any other intake (validation, exclusions, matching)."""
        return await self._leads.create(
            LeadDraft(
                name=data.name or None,
                phones=[data.phone] if data.phone.strip() else [],
                emails=[data.email] if data.email.strip() else [],
                comment=data.comment or None,
                source_code=form.source_code,
                source_description=form.title or form.key,
                assignee_id=form.assignee_id,
            )
        )


async def _user_id(session: AsyncSession, telegram_id: int | None) -> int | None:
    """The user with this Telegram id (None: nobody asked for); NotFound if there is none."""
    if telegram_id is None:
        return None
    user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    if user_id is None:
        raise NotFound(what=N_("User"), id=telegram_id)
    return user_id
