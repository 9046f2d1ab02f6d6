"""`leadbot import FILE`: the import and its summary, in file order and in the reader's language.

Duplicates (left out on purpose) are listed apart from rejected rows (which need fixing); the rejected
rows go to FILE.rejected.csv with the reason of each, except in a dry run, which writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path

from db.enums import OwnerType
from leadbot.cli_text import CliError, _, ngettext
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.errors import DomainError
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import Table, TableError, read_table, write_table
from leadbot.services.imports import DuplicatePolicy, ImportReport, ImportService, Rejected, Skipped

LISTED_ROWS = 50  # rows of each kind printed; the rest are counted (all rejected ones are in the file)


def import_command(settings: Settings, args: argparse.Namespace) -> str:
    mapping = _mapping(args.mapping)
    try:
        table = read_table(args.file)
    except FileNotFoundError:
        raise CliError(_cannot_read(args.file, _("there is no such file"))) from None
    except OSError as error:
        raise CliError(_cannot_read(args.file, error.strerror or str(error))) from None
    except DomainError as error:  # not a table, or out of bounds
        raise CliError(_cannot_read(args.file, error.render(_))) from None
    report = asyncio.run(_run(settings, args, table, mapping))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    lines = _summary(report, args.file, dry_run=args.dry_run)
    if report.rejected and not args.dry_run:
        lines.append(_rejected_file(args.file, table, report.rejected))
    return "\n".join(lines)


async def _run(
    settings: Settings, args: argparse.Namespace, table: Table, mapping: dict[str, str]
) -> ImportReport:
    async with open_database(settings, must_exist=True) as ctx:
        try:
            return await TableImport(ImportService(ctx)).run(
                table,
                source=args.source,
                duplicates=DuplicatePolicy(args.duplicates),
                dry_run=args.dry_run,
                mapping=mapping,
                progress=_progress,
            )
        except TableError as error:  # an XLSX sheet broken further down than its first rows
            raise CliError(_cannot_read(args.file, error.render(_))) from None


def _cannot_read(file: Path, reason: str) -> str:
    return _("cannot read {file}: {reason}").format(file=file, reason=reason)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        header, sep, field = item.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise CliError(
                _("--mapping wants HEADER=FIELD, such as “Client phone=phone”, not “{item}”").format(
                    item=item
                )
            )
        mapping[header.strip()] = field.strip()
    return mapping


def _progress(done: int) -> None:
    if sys.stderr.isatty():
        print("\r  " + _("rows processed: {count}").format(count=done), end="", file=sys.stderr, flush=True)


def _summary(report: ImportReport, file: Path, *, dry_run: bool) -> list[str]:
    """What happened to each row, counted, then the duplicates and the rejected rows, each in file order."""
    lines = [
        ngettext("{count} row in {file}", "{count} rows in {file}", report.total).format(
            count=report.total, file=file
        )
    ]
    if dry_run:
        lines.append(_("Dry run: nothing was changed."))
    lines += [
        _("Created: {count} (returning clients: {repeat})").format(
            count=report.created, repeat=report.repeat
        ),
        _("Merged into existing leads: {count}").format(count=report.merged),
        _("Excluded: {count}").format(count=report.excluded),
        _("Imported before: {count}").format(count=report.already),
        _("Duplicates skipped: {count}").format(count=len(report.skipped)),
        *_listed(_duplicate(row) for row in sorted(report.skipped, key=lambda row: row.line)),
        _("Rejected: {count}").format(count=len(report.rejected)),
        *_listed(
            _("Row {line}: {reason}").format(line=row.line, reason=row.reason.render(_))
            for row in sorted(report.rejected, key=lambda row: row.line)
        ),
    ]
    if report.unused_columns:
        lines.append(_("Columns not used: {columns}").format(columns=", ".join(report.unused_columns)))
    return lines


def _duplicate(row: Skipped) -> str:
    if row.duplicate_of is None:
        return _("Row {line}: a duplicate of an earlier row").format(line=row.line)
    kind, owner = row.duplicate_of
    if kind is OwnerType.CONTACT:
        return _("Row {line}: a duplicate of contact #{id}").format(line=row.line, id=owner)
    return _("Row {line}: a duplicate of lead #{id}").format(line=row.line, id=owner)


def _listed(lines: Iterable[str]) -> list[str]:
    """Indented, the first LISTED_ROWS of them, and how many more there are."""
    listed = ["  " + line for line in lines]
    if len(listed) <= LISTED_ROWS:
        return listed
    return [*listed[:LISTED_ROWS], "  " + _("…and {count} more").format(count=len(listed) - LISTED_ROWS)]


def _rejected_file(file: Path, table: Table, rejected: list[Rejected]) -> str:
    """Write the rejected rows, with a column of reasons, next to the file; say where (or why not)."""
    path = file.with_name(file.stem + ".rejected.csv")
    rows = [[*row.cells, row.reason.render(_)] for row in rejected]
    try:
        write_table(path, [*table.headers, _("error")], rows)
    except OSError as error:  # the import itself is done: say so, and what could not be kept
        return _("The rejected rows could not be written to {file}: {reason}").format(
            file=path, reason=error.strerror
        )
    return _("The rejected rows, with the reason of each: {file} (fix them and import that file)").format(
        file=path
    )
