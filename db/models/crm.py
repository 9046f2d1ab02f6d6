"""Contacts, companies, deals, their phones/emails, and the exclusion list."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import CommKind, CommValueType, ContactType, OwnerType
from db.models._columns import created_at_column, enum_type
from db.types import Money, UTCDateTime


class Communication(Base):
    """A phone, email or Telegram handle of a lead, contact or company (Bitrix24's multi-field)."""

    __tablename__ = "communications"
    __table_args__ = (
        Index("ix_communications_kind_normalized", "kind", "normalized"),
        Index("ix_communications_owner", "owner_type", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[OwnerType] = mapped_column(enum_type(OwnerType))
    owner_id: Mapped[int]
    kind: Mapped[CommKind] = mapped_column(enum_type(CommKind))
    value_type: Mapped[CommValueType] = mapped_column(enum_type(CommValueType), default=CommValueType.WORK)
    raw: Mapped[str] = mapped_column(String(255))
    # None when the value could not be parsed: such a value is kept but never matched.
    normalized: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    second_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    post: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[ContactType] = mapped_column(enum_type(ContactType), default=ContactType.CLIENT)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name, self.second_name, self.last_name) if part)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    # Lower-cased title without legal-form noise: how a duplicate company is recognised by name.
    title_key: Mapped[str] = mapped_column(String(255), index=True)
    type: Mapped[ContactType] = mapped_column(enum_type(ContactType), default=ContactType.CLIENT)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()


class Deal(Base):
    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(32), default="NEW")
    amount: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String(3))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    # The lead this deal came from; leads.deal_id carries the foreign key (no FK cycle to create).
    lead_id: Mapped[int | None] = mapped_column(index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_at_column()


class Exclusion(Base):
    """A phone or email that must never create a lead again (spam, pizza delivery)."""

    __tablename__ = "exclusions"
    __table_args__ = (UniqueConstraint("kind", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CommKind] = mapped_column(enum_type(CommKind))
    normalized: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    hits: Mapped[int] = mapped_column(default=0)
    last_hit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
