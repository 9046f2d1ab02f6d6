"""dialog states survive restarts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 18:50:57.409724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialog_states",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_dialog_states")),
    )
    op.create_index(op.f("ix_dialog_states_updated_at"), "dialog_states", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dialog_states_updated_at"), table_name="dialog_states")
    op.drop_table("dialog_states")
