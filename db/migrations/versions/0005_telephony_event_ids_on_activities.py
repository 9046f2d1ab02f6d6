"""telephony event ids on activities

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:03:30.465727
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_activities_external_id"), ["external_id"])


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_activities_external_id"), type_="unique")
        batch_op.drop_column("external_id")
