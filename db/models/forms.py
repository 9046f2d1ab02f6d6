from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models._columns import created_at_column
from db.types import UTCDateTime


class WebForm(Base):
    """A web-to-lead form a site links to or embeds: /forms/<key>."""

    __tablename__ = "web_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(String(128))
    source_code: Mapped[str] = mapped_column(ForeignKey("sources.code"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    redirect_url: Mapped[str | None] = mapped_column(String(512))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_at_column()


class FormHit(Base):
    """One submission of a form from one address, kept for the length of the rate-limit window."""

    __tablename__ = "form_hits"
    __table_args__ = (Index("ix_form_hits_visitor", "form_id", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("web_forms.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
