from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models._columns import created_at_column
from db.types import Money, UTCDateTime


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("source_code", "external_id"),
        # Reports group the leads of a period in the order of one of these indexes (SQLite cannot
        # hash-group, and sorting a million rows takes a second), and find every column they read in it.
        # By status (and currency: amounts are summed per currency): the status report, the funnel and
        # the junk totals. A few currencies cost little: SQLite skips through them as through statuses.
        Index("ix_leads_report", "status_code", "currency", "created_at", "amount", "taken_at"),
        # By manager (also "my open leads" and the unassigned leads the speed-to-lead check watches).
        Index(
            "ix_leads_by_assignee",
            "assignee_id",
            "status_code",
            "created_at",
            "junk_reason_code",
            "first_action_seconds",
            "take_seconds",
        ),
        Index(
            "ix_leads_by_source", "source_code", "status_code", "created_at", "is_repeat", "junk_reason_code"
        ),
        # Each manager's durations in order: the speed report reads its percentiles by rank here.
        Index("ix_leads_first_action", "assignee_id", "first_action_seconds", "created_at"),
        Index("ix_leads_take", "assignee_id", "take_seconds", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(128))
    second_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    company_title: Mapped[str | None] = mapped_column(String(255))
    post: Mapped[str | None] = mapped_column(String(128))
    status_code: Mapped[str] = mapped_column(ForeignKey("lead_statuses.code"))
    source_code: Mapped[str] = mapped_column(ForeignKey("sources.code"))
    source_description: Mapped[str | None] = mapped_column(String(255))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String(3))
    comment: Mapped[str | None] = mapped_column(Text)
    is_repeat: Mapped[bool] = mapped_column(default=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    junk_reason_code: Mapped[str | None] = mapped_column(ForeignKey("junk_reasons.code"))
    external_id: Mapped[str | None] = mapped_column(String(128))
    # SHA-256 of the normalised request that created the lead under external_id: a retry must match it
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # speed-to-lead reports
    # Seconds from creation to the first action / to assignment, kept by `_durations` below.
    first_action_seconds: Mapped[int | None]
    take_seconds: Mapped[int | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the group was reminded
    sla_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # supervisors were told
    version: Mapped[int] = mapped_column()

    # Optimistic concurrency: every UPDATE says "WHERE version = <the one I read>" and bumps it.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def person_name(self) -> str:
        return " ".join(part for part in (self.name, self.second_name, self.last_name) if part)

    @property
    def display_title(self) -> str:
        return self.title or self.person_name or self.company_title or f"#{self.id}"


# /find's index (migration 0016) lies outside the models: on SQLite an FTS5 table (and the tables FTS5
# keeps it in) filled by triggers, on PostgreSQL a generated column under a trigram index. Schema
# comparisons (alembic's autogenerate, tests/unit/test_migrations.py) pass `in_the_models` as their
# include_name.
SEARCH_TABLE = "lead_search"
SEARCH_INDEX = "ix_leads_search"
SEARCH_COLUMN = "search_text"
SEARCH_SEPARATOR = "\x1f"  # between the columns in SEARCH_COLUMN: chr(31)


def in_the_models(name: str | None, type_: str, _parents: object) -> bool:
    if type_ == "table":
        return name != SEARCH_TABLE and not (name or "").startswith(f"{SEARCH_TABLE}_")
    return (type_, name) not in {("index", SEARCH_INDEX), ("column", SEARCH_COLUMN)}


def seconds_since_creation(lead: Lead, moment: datetime | None) -> int | None:
    if moment is None or lead.created_at is None:
        return None
    return max(0, int((moment - lead.created_at).total_seconds()))


@event.listens_for(Lead, "before_insert")
@event.listens_for(Lead, "before_update")
def _durations(_mapper: object, _connection: object, lead: Lead) -> None:
    """Keep the stored durations in step with the timestamps they come from."""
    lead.first_action_seconds = seconds_since_creation(lead, lead.first_action_at)
    lead.take_seconds = seconds_since_creation(lead, lead.taken_at)
