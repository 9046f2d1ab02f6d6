"""history of entries keyed by code: directory entries (statuses, sources, junk reasons) are logged by
their code; a history row has exactly one key, an id or a code

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_KEY = "(entity_id IS NULL) <> (entity_code IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("entity_code", sa.String(length=50), nullable=True))
        batch.alter_column("entity_id", existing_type=sa.Integer(), nullable=True)
        batch.create_check_constraint("one_key", ONE_KEY)


def downgrade() -> None:
    """The rows keyed by code have no place in the older table: they go."""
    op.execute("DELETE FROM history WHERE entity_code IS NOT NULL")
    with op.batch_alter_table("history") as batch:
        batch.drop_constraint("one_key", type_="check")
        batch.drop_column("entity_code")
        batch.alter_column("entity_id", existing_type=sa.Integer(), nullable=False)
