"""status index holds the currency: the statuses report sums amounts per currency without sorting

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = ["status_code", "currency", "created_at", "amount", "taken_at"]
OLD = ["status_code", "created_at", "amount", "taken_at"]


def _replace(columns: list[str]) -> None:
    op.drop_index("ix_leads_report", table_name="leads")
    op.create_index("ix_leads_report", "leads", columns, unique=False)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    _replace(OLD)
