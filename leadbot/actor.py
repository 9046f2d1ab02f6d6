from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from db.enums import Role
from db.models import User


@dataclass(frozen=True, slots=True)
class Actor:
    """The registered user on whose behalf a service acts (a snapshot, detached from any session)."""

    id: int
    telegram_id: int
    name: str
    role: Role
    supervisor_id: int | None = None
    language: str | None = None
    timezone: str | None = None
    telegram_language: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            id=user.id,
            telegram_id=user.telegram_id,
            name=user.name,
            role=user.role,
            supervisor_id=user.supervisor_id,
            language=user.language,
            timezone=user.timezone,
            telegram_language=user.telegram_language,
        )

    def zone(self, default: str) -> ZoneInfo:
        """The user's own time zone, else the team's (TIMEZONE)."""
        return ZoneInfo(self.timezone or default)

    def locale(self, default: str) -> str:
        """The user's own choice, else the language their Telegram app uses, else the team default."""
        return self.language or self.telegram_language or default
