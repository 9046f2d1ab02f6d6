"""speed to lead marks and morning digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:45:09.192141
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_nudged_at", db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_escalated_at", db.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("digest_sent_on")

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("sla_escalated_at")
        batch_op.drop_column("sla_nudged_at")
