"""Directories admins maintain: lead statuses, sources, junk reasons. Codes are stable keys."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import StatusSemantics
from db.models._columns import enum_type


class _Directory:
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    sort: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ru


class LeadStatus(_Directory, Base):
    __tablename__ = "lead_statuses"

    semantics: Mapped[StatusSemantics] = mapped_column(enum_type(StatusSemantics))


class Source(_Directory, Base):
    __tablename__ = "sources"


class JunkReason(_Directory, Base):
    __tablename__ = "junk_reasons"
