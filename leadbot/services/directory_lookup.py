"""Statuses, sources and users as people write them: a code, or a name in either language (Bitrix24 files
say "New" and "Call"; people type `--status Новый`). Shared by the import and the export."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import StatusSemantics
from db.models import LeadStatus, Source, User
from leadbot.errors import InvalidValue, UnknownCode, UnknownEntry
from leadbot.i18n_marker import N_, Msg


class DirectoryLookup:
    """Statuses and sources in their directory order (the order refusals list them in)."""

    def __init__(
        self, statuses: Sequence[LeadStatus], sources: Sequence[Source], users: Sequence[User]
    ) -> None:
        self._statuses = {key.lower(): s for s in statuses for key in (s.code, s.name_ru, s.name_en)}
        self._sources = {key.lower(): s.code for s in sources for key in (s.code, s.name_ru, s.name_en)}
        self._status_codes = [s.code for s in statuses]
        self._process_codes = [s.code for s in statuses if s.semantics is StatusSemantics.PROCESS]
        self._source_codes = [s.code for s in sources]
        self._users = {key: u.id for u in users if u.active for key in (str(u.telegram_id), u.name.lower())}

    @classmethod
    async def load(cls, session: AsyncSession) -> DirectoryLookup:
        return cls(
            (await session.scalars(select(LeadStatus).order_by(LeadStatus.sort, LeadStatus.code))).all(),
            (await session.scalars(select(Source).order_by(Source.sort, Source.code))).all(),
            (await session.scalars(select(User))).all(),
        )

    def status(self, value: str) -> str:
        """The code of any status, open or closed (an export filter)."""
        status = self._statuses.get(value.strip().lower())
        if status is None:
            raise _unknown(N_("status"), value, self._status_codes)
        return status.code

    def open_status(self, value: str) -> str | None:
        """The code of a status a lead can be created in (an imported row); None when the cell is blank."""
        if not value.strip():
            return None
        status = self._statuses.get(value.strip().lower())
        if status is None:
            raise _unknown(N_("status"), value, self._process_codes)
        if status.semantics is not StatusSemantics.PROCESS:
            raise InvalidValue(field=N_("status"), value=value[:32])
        return status.code

    def source(self, value: str) -> str:
        code = self._sources.get(value.strip().lower())
        if code is None:
            raise _unknown(N_("source"), value, self._source_codes)
        return code

    def user(self, value: str) -> int | None:
        """An active user by Telegram id or name; None when the cell is blank."""
        if not value.strip():
            return None
        user_id = self._users.get(value.strip().lower())
        if user_id is None:
            raise UnknownCode(what=N_("user"), value=value[:64])
        return user_id


def _unknown(what: Msg, value: str, codes: list[str]) -> UnknownEntry:
    return UnknownEntry(what=what, value=value[:32], known=", ".join(codes))
