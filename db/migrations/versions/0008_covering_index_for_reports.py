"""covering index for reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 12:46:16.267910
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_created_at"))
        batch_op.create_index(
            "ix_leads_report",
            [
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
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_report")
        batch_op.create_index(batch_op.f("ix_leads_created_at"), ["created_at"], unique=False)
