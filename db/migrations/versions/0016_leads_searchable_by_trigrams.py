"""leads searchable by trigrams: /find reads an index instead of scanning every lead

Revision ID: 0016
Revises: 0014 (rechained after 0015 at merge)
Create Date: 2026-11-25 19:00:00.000000

/find matches a substring of a lead's title, name, last name or company title, whatever its case, with
ё read as е. On SQLite an FTS5 table with the trigram tokenizer (it folds the case itself) holds those
four columns with ё replaced, kept by triggers on leads: every way of writing a lead (the ORM, the
import's bulk insert, a delete) keeps it right. It is contentless: a delete hands it the indexed values
again, which the triggers compute from the old row the same way. On PostgreSQL a pg_trgm GIN index over
the same expressions (leadbot/services/lead_search.py builds the query with the very same ones).
Neither is in the models: db/models/leads.py names them for the schema comparison to skip. A later
migration that rebuilds leads on SQLite (batch mode copies the table) drops the triggers: it must
create them again (`_sqlite_triggers`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("title", "name", "last_name", "company_title")


def _folded(row: str) -> str:
    """The values the SQLite index holds for a row (`new` or `old`): ё as е, the case left to FTS5."""
    return ", ".join(f"replace(replace({row}.{column}, 'Ё', 'Е'), 'ё', 'е')" for column in COLUMNS)


def _sqlite_upgrade() -> None:
    names = ", ".join(COLUMNS)
    op.execute(f"CREATE VIRTUAL TABLE lead_search USING fts5({names}, content='', tokenize='trigram')")
    _sqlite_triggers()
    op.execute(f"INSERT INTO lead_search(rowid, {names}) SELECT id, {_folded('leads')} FROM leads")


def _sqlite_triggers() -> None:
    names = ", ".join(COLUMNS)
    insert = f"INSERT INTO lead_search(rowid, {names}) VALUES (new.id, {_folded('new')});"
    delete = (
        f"INSERT INTO lead_search(lead_search, rowid, {names}) VALUES ('delete', old.id, {_folded('old')});"
    )
    op.execute(f"CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN {delete} END")
    op.execute(
        f"CREATE TRIGGER lead_search_update AFTER UPDATE OF id, {names} ON leads BEGIN {delete} {insert} END"
    )


def _postgresql_expressions() -> str:
    return ", ".join(f"lower(translate({column}, 'Ёё', 'Ее')) gin_trgm_ops" for column in COLUMNS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_leads_search ON leads USING gin ({_postgresql_expressions()})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("lead_search_insert", "lead_search_delete", "lead_search_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE lead_search")
        return
    op.execute("DROP INDEX ix_leads_search")
