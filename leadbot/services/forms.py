"""Web-to-lead forms: each has its own key, source, default assignee and optional redirect."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.models import Source, User, WebForm
from leadbot.actor import Actor
from leadbot.errors import InvalidValue, NotFound, UnknownCode
from leadbot.i18n_marker import N_
from leadbot.permissions import Permission, require
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import CreateOutcome, LeadService

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_URL = re.compile(r"^https?://[^\s<>\"']{3,500}$")


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
            raise InvalidValue(field=N_("form key"), value=key[:64])
        if redirect and not _URL.match(redirect):
            raise InvalidValue(field=N_("redirect"), value=redirect[:100])
        try:
            async with self._ctx.transaction() as session:
                if await session.get(Source, source.upper()) is None:
                    raise UnknownCode(what=N_("source"), value=source[:32])
                assignee = None
                if assignee_telegram_id is not None:
                    assignee = await session.scalar(
                        select(User.id).where(User.telegram_id == assignee_telegram_id)
                    )
                    if assignee is None:
                        raise NotFound(what=N_("User"), id=assignee_telegram_id)
                form = WebForm(
                    key=key,
                    title=(title or "").strip()[:128] or None,
                    source_code=source.upper(),
                    assignee_id=assignee,
                    redirect_url=redirect or None,
                )
                session.add(form)
            return form
        except IntegrityError:
            raise InvalidValue(field=N_("form key"), value=key) from None

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
