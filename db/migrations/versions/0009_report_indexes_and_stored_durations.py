"""report indexes and stored durations

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 12:58:42.967352
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_action_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("take_seconds", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_leads_by_assignee", ["assignee_id", "status_code", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_leads_by_source", ["source_code", "status_code", "created_at", "is_repeat"], unique=False
        )
    # Existing leads get their durations too (later ones are kept by the model's hook).
    if op.get_bind().dialect.name == "sqlite":
        seconds = "CAST((julianday({0}) - julianday(created_at)) * 86400 AS INTEGER)"
    else:
        seconds = "CAST(EXTRACT(EPOCH FROM ({0} - created_at)) AS INTEGER)"
    op.execute(
        f"UPDATE leads SET first_action_seconds = {seconds.format('first_action_at')}, "
        f"take_seconds = {seconds.format('taken_at')}"
    )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_by_source")
        batch_op.drop_index("ix_leads_by_assignee")
        batch_op.drop_column("take_seconds")
        batch_op.drop_column("first_action_seconds")
