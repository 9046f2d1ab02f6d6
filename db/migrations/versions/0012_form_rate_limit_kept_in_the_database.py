"""form rate limit kept in the database

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 19:45:02.118342
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["web_forms.id"], name=op.f("fk_form_hits_form_id_web_forms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_hits")),
    )
    op.create_index("ix_form_hits_visitor", "form_hits", ["form_id", "address", "at"])


def downgrade() -> None:
    op.drop_index("ix_form_hits_visitor", table_name="form_hits")
    op.drop_table("form_hits")
