"""Column helpers shared by the models."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Enum
from sqlalchemy.orm import Mapped, mapped_column

from db.types import UTCDateTime

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum: type[StrEnum]) -> Enum:
    """A StrEnum stored by value as a plain string column (portable, readable in SQL)."""
    return Enum(
        enum, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members]
    )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow)
