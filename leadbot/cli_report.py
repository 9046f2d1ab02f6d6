"""`leadbot report NAME --from DATE --to DATE`: a table on the terminal, or a CSV, XLSX or PNG file."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path

from leadbot.cli_export import cannot_write, check_folder
from leadbot.cli_parser import period
from leadbot.cli_text import CliError, _, current_language
from leadbot.config import Settings
from leadbot.intake.tables import table_bytes
from leadbot.reporting import chart_png, table_rows, text_table
from leadbot.services.registry import open_services
from leadbot.services.reports import Report, ReportName


def report_command(settings: Settings, args: argparse.Namespace) -> str:
    output: Path = args.output or Path(f"report.{args.format}")
    if args.format != "table":
        check_folder(output)
    since, until = period(args.since, args.until, settings.zone)
    assert since is not None and until is not None  # the parser requires both
    report = asyncio.run(_build(settings, ReportName(args.name), since, until))
    title = f"{args.name}: {args.since:%d.%m.%Y}–{args.until:%d.%m.%Y}"
    if args.format == "table":
        return f"{title}\n{text_table(report, _)}"
    if args.format == "png":
        data = chart_png(report, _, title, current_language())
    else:
        headers, rows = table_rows(report, _)
        data = table_bytes(args.format == "xlsx", headers, rows)
    try:
        output.write_bytes(data)
    except OSError as error:
        raise CliError(cannot_write(output, error)) from None
    return _("{title} is written to {file}").format(title=title, file=output)


async def _build(settings: Settings, name: ReportName, since: datetime, until: datetime) -> Report:
    async with open_services(settings, must_exist=True) as services:
        return await services.reports.build(name, since, until, locale=current_language())
