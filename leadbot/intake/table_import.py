"""A table (CSV/XLSX, our columns or Bitrix24's) turned into lead drafts for the import service: its headers
mapped to fields, each row read into a draft under its line number, or the problem that row has."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator

from leadbot.actor import Actor
from leadbot.errors import DomainError, InvalidValue
from leadbot.i18n_marker import N_
from leadbot.intake.columns import currency_code, map_headers, unused_headers
from leadbot.intake.tables import Table
from leadbot.services.directory_lookup import DirectoryLookup
from leadbot.services.imports import (
    IMPORT_SOURCE,
    DraftRow,
    DuplicatePolicy,
    ImportReport,
    ImportService,
)
from leadbot.services.lead_input import LeadDraft


class TableImport:
    """`run(table)`: the import of a table, as the bot and the command line start it."""

    def __init__(self, imports: ImportService) -> None:
        self._imports = imports

    async def run(
        self,
        table: Table,
        *,
        by: Actor | None = None,
        source: str = IMPORT_SOURCE,
        duplicates: DuplicatePolicy = DuplicatePolicy.SKIP,
        dry_run: bool = False,
        mapping: dict[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """`by` is None for the command line (the operator of the machine); in the bot, only
        supervisors and admins import. `mapping`: the user's HEADER=FIELD additions."""
        self._imports.require_allowed(by)
        columns = map_headers(table.headers, mapping)
        if not columns:
            raise InvalidValue(field=N_("columns"), value=", ".join(table.headers)[:100])
        directories = await self._imports.directories()
        default_source = directories.source(source)
        return await self._imports.run(
            _draft_rows(table, columns, directories, default_source),
            by=by,
            duplicates=duplicates,
            dry_run=dry_run,
            unused_columns=unused_headers(table.headers, columns),
            progress=progress,
        )


def _draft_rows(
    table: Table, columns: dict[int, str], directories: DirectoryLookup, default_source: str
) -> Iterator[DraftRow]:
    """Each row as a draft, or with what makes it no lead (read lazily: a big file is never all in memory)."""
    for line, cells in table.rows:
        try:
            yield DraftRow(line, cells, row_draft(cells, columns, directories, default_source))
        except DomainError as error:
            yield DraftRow(line, cells, error)


def row_draft(
    cells: list[str], columns: dict[int, str], directories: DirectoryLookup, default_source: str
) -> LeadDraft:
    values: dict[str, list[str]] = defaultdict(list)
    for index, name in columns.items():
        if index < len(cells) and cells[index].strip():
            values[name].append(cells[index].strip())

    def one(name: str) -> str:
        return " ".join(values.get(name, []))

    currency = one("currency")
    return LeadDraft(
        title=one("title") or None,
        name=one("name") or one("full_name") or None,
        second_name=one("second_name") or None,
        last_name=one("last_name") or None,
        company_title=one("company_title") or None,
        post=one("post") or None,
        phones=[*values["phone_mobile"], *values["phone_work"], *values["phone_home"], *values["phone"]],
        emails=[*values["email_work"], *values["email_home"], *values["email"]],
        source_code=directories.source(one("source")) if one("source") else default_source,
        source_description=one("source_description") or None,
        comment=_comment(one("comment"), values.get("address", [])),
        amount=one("amount") or None,
        currency=currency_code(currency) if currency else None,
        external_id=one("external_id") or f"row:{_digest(cells)}",
        assignee_id=directories.user(one("assignee")),
        status_code=directories.open_status(one("status")),
    )


def _comment(comment: str, address: list[str]) -> str | None:
    """The comment, with the address (if any) on a line of its own."""
    return "\n".join(filter(None, [comment, ("📍 " + ", ".join(address)) if address else ""])) or None


def _digest(cells: list[str]) -> str:
    """A row without an external id is known by its cells: importing the file again creates nothing."""
    return hashlib.sha1("\x1f".join(cells).encode()).hexdigest()[:24]
