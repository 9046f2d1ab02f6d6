"""leads searchable by trigrams: /find reads an index instead of scanning every lead

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25 19:00:00.000000

/find matches a substring of a lead's title, name, last name or company title, whatever its case, with
ё read as е. On SQLite an FTS5 table with the trigram tokenizer (it folds the case itself) holds those
four columns with ё replaced, kept by triggers on leads: every way of writing a lead (the ORM, the
import's bulk insert, a delete) keeps it right. It is contentless: a delete hands it the indexed values
again, which the triggers compute from the old row the same way. On PostgreSQL a stored generated
column holds the four in one text, lower-case with ё as е, under a pg_trgm GIN index: rechecking a
candidate row is then one plain LIKE (lower() and translate() on every candidate cost 7 times more).
None of it is in the models: db/models/leads.py names them for the schema comparison to skip. A later
migration that rebuilds leads on SQLite (batch mode copies the table) drops the triggers: it must
create them again (`_sqlite_triggers`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
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


def _postgresql_text() -> str:
    """The four columns in one lower-case text, ё as е, parted by chr(31) (a query never holds it)."""
    joined = " || chr(31) || ".join(f"coalesce({column}, '')" for column in COLUMNS)
    return f"lower(translate({joined}, 'Ёё', 'Ее'))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        f"ALTER TABLE leads ADD COLUMN search_text text GENERATED ALWAYS AS ({_postgresql_text()}) STORED"
    )
    op.execute("CREATE INDEX ix_leads_search ON leads USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("lead_search_insert", "lead_search_delete", "lead_search_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE lead_search")
        return
    op.execute("DROP INDEX ix_leads_search")
    op.execute("ALTER TABLE leads DROP COLUMN search_text")
