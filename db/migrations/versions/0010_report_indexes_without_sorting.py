"""report indexes without sorting: status first for the status reports, covering for junk and speed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_leads_report": ["status_code", "created_at", "amount", "taken_at"],
    "ix_leads_by_assignee": [
        "assignee_id",
        "status_code",
        "created_at",
        "junk_reason_code",
        "first_action_seconds",
        "take_seconds",
    ],
    "ix_leads_by_source": ["source_code", "status_code", "created_at", "is_repeat", "junk_reason_code"],
    "ix_leads_first_action": ["assignee_id", "first_action_seconds", "created_at"],
    "ix_leads_take": ["assignee_id", "take_seconds", "created_at"],
}
OLD = {
    "ix_leads_report": [
        "created_at",
        "status_code",
        "source_code",
        "assignee_id",
        "is_repeat",
        "amount",
        "taken_at",
        "first_action_at",
        "junk_reason_code",
    ],
    "ix_leads_by_assignee": ["assignee_id", "status_code", "created_at"],
    "ix_leads_by_source": ["source_code", "status_code", "created_at", "is_repeat"],
    "ix_leads_status_assignee": ["status_code", "assignee_id"],
}


def _replace(drop: dict[str, list[str]], create: dict[str, list[str]]) -> None:
    for name in drop:
        op.drop_index(name, table_name="leads")
    for name, columns in create.items():
        op.create_index(name, "leads", columns, unique=False)


def upgrade() -> None:
    _replace(OLD, NEW)


def downgrade() -> None:
    _replace(NEW, OLD)
