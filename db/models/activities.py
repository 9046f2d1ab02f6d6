from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.enums import ActivityKind
from db.models._columns import created_at_column, enum_type
from db.types import UTCDateTime


class Activity(Base):
    """A call, meeting, task or comment on a lead or contact; with a due time it is a reminder."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_pending", "done", "due_at"),
        UniqueConstraint("external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the reminder went out (claimed by a conditional UPDATE, so it fires once); cleared on snooze.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    external_id: Mapped[str | None] = mapped_column(String(128))  # a telephony event's id (idempotency)
