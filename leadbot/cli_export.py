"""`leadbot export FILE`: leads to a .csv or .xlsx file that `leadbot import` reads back."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path

from leadbot.cli_parser import period
from leadbot.cli_text import CliError, _, ngettext
from leadbot.config import Settings
from leadbot.intake.tables import check_written_name, write_table
from leadbot.services.exports import HEADERS
from leadbot.services.registry import open_services


def export_command(settings: Settings, args: argparse.Namespace) -> str:
    """The file's name and folder are checked before the leads are read; the export checks the status
    and the source (a code or a name in either language)."""
    check_written_name(args.file)
    check_folder(args.file)
    since, until = period(args.since, args.until, settings.zone)
    rows = asyncio.run(_rows(settings, args.status, args.source, since, until))
    try:
        write_table(args.file, HEADERS, rows)
    except OSError as error:
        raise CliError(cannot_write(args.file, error)) from None
    return ngettext("Exported {count} lead to {file}", "Exported {count} leads to {file}", len(rows)).format(
        count=len(rows), file=args.file
    )


async def _rows(
    settings: Settings, status: str | None, source: str | None, since: datetime | None, until: datetime | None
) -> list[list[object]]:
    async with open_services(settings, must_exist=True) as services:
        return await services.exports.rows(status=status, source=source, since=since, until=until)


def check_folder(path: Path) -> None:
    """Refuse a file in a folder that does not exist before any work is done for it."""
    folder = path.absolute().parent
    if not folder.is_dir():
        raise CliError(
            _("cannot write {file}: there is no folder {folder}; create it or choose another one").format(
                file=path, folder=folder
            )
        )


def cannot_write(path: Path, error: OSError) -> str:
    return _("cannot write {file}: {reason}").format(file=path, reason=error.strerror or error)
