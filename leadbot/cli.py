"""The `leadbot` command line (contract: DESIGN.md §5)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pydantic import ValidationError

from db.enums import Role
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.errors import DomainError
from leadbot.intake.tables import TableError, read_table, table_bytes, write_table
from leadbot.reporting import chart_png, table_rows, text_table
from leadbot.services.exports import HEADERS, ExportService
from leadbot.services.forms import FormService
from leadbot.services.imports import DuplicatePolicy, ImportService
from leadbot.services.leads import LeadService
from leadbot.services.reports import ReportName, ReportService
from leadbot.services.users import UserService


class CliError(Exception):
    """A problem to report on one line of stderr, with a non-zero exit code."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadbot", description="Telegram front end of a sales lead pipeline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="run the bot, intake server, scheduler and delivery worker")

    db_parser = commands.add_parser("db", help="database maintenance")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations and seed default directories")

    importing = commands.add_parser(
        "import", help="import leads from CSV or XLSX (our columns or Bitrix24's)"
    )
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument(
        "--source", default="IMPORT", help="source code for rows without one (default IMPORT)"
    )
    importing.add_argument(
        "--duplicates",
        choices=[p.value for p in DuplicatePolicy],
        default="skip",
        help="a row with a known phone/e-mail: skip it, merge into the known lead, or allow a repeat lead",
    )
    importing.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read a column with another header as FIELD (name, phone, email, company_title, ...)",
    )
    importing.add_argument("--dry-run", action="store_true", help="report what would happen, change nothing")

    exporting = commands.add_parser("export", help="export leads to CSV or XLSX (by the file's extension)")
    exporting.add_argument("file", type=Path, metavar="FILE")
    exporting.add_argument("--status", help="only this status code")
    exporting.add_argument("--source", help="only this source code")
    exporting.add_argument("--from", dest="since", type=_date, help="created on or after DATE (YYYY-MM-DD)")
    exporting.add_argument("--to", dest="until", type=_date, help="created before DATE (YYYY-MM-DD)")

    report = commands.add_parser("report", help="a lead report for a period")
    report.add_argument(
        "name",
        choices=[r.value for r in ReportName],
        metavar="NAME",
        help=", ".join(r.value for r in ReportName),
    )
    report.add_argument("--from", dest="since", type=_date, required=True, help="first day (YYYY-MM-DD)")
    report.add_argument(
        "--to", dest="until", type=_date, required=True, help="last day, included (YYYY-MM-DD)"
    )
    report.add_argument("--format", choices=["table", "csv", "xlsx", "png"], default="table")
    report.add_argument("--output", type=Path, help="file for csv, xlsx or png (default: report.FORMAT)")

    forms = commands.add_parser("forms", help="web-to-lead forms served at /forms/KEY")
    forms_commands = forms.add_subparsers(dest="forms_command", required=True, metavar="ACTION")
    forms_add = forms_commands.add_parser("add", help="define a form")
    forms_add.add_argument("key", metavar="KEY", help="lower-case slug used in the URL")
    forms_add.add_argument("--source", default="WEBFORM", help="source code of its leads (default WEBFORM)")
    forms_add.add_argument("--redirect", help="URL to send the visitor to after a submission")
    forms_add.add_argument("--assignee", type=int, metavar="TELEGRAM_ID", help="default responsible manager")
    forms_add.add_argument("--title", help="heading shown on the form")
    forms_commands.add_parser("list", help="list the forms")

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_commands.add_parser("add", help="register a user (or change an existing user's role)")
    add.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="", help="display name")
    return parser


async def _db_upgrade(settings: Settings) -> str:
    async with open_database(settings):
        pass
    return "database is up to date"


async def _users_add(settings: Settings, telegram_id: int, role: str, name: str) -> str:
    async with open_database(settings) as ctx:
        actor = await UserService(ctx).add(telegram_id, Role(role), name)
    return f"user #{actor.id} ({actor.telegram_id}) is {actor.role.value}"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-22") from None


def _progress(done: int) -> None:
    if sys.stderr.isatty():
        print(f"\r  rows processed: {done}", end="", file=sys.stderr, flush=True)


async def _import(settings: Settings, args: argparse.Namespace) -> str:
    mapping = {}
    for item in args.mapping:
        header, sep, field = item.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise CliError(f"--mapping wants HEADER=FIELD, not {item!r}")
        mapping[header.strip()] = field.strip()
    try:
        table = read_table(args.file)
    except (OSError, TableError, DomainError) as error:  # DomainError: a file out of bounds
        raise CliError(f"cannot read {args.file}: {error}") from error
    async with open_database(settings) as ctx:
        try:
            report = await ImportService(ctx).run(
                table,
                source=args.source,
                duplicates=DuplicatePolicy(args.duplicates),
                dry_run=args.dry_run,
                mapping=mapping,
                progress=_progress,
            )
        except TableError as error:  # an XLSX sheet broken further down than its first rows
            raise CliError(f"cannot read {args.file}: {error}") from error
    if sys.stderr.isatty():
        print(file=sys.stderr)
    lines = [
        ("dry run: nothing was changed. " if args.dry_run else "") + f"{report.total} rows",
        f"created: {report.created} (repeat leads of known clients: {report.repeat})",
        f"merged into existing leads: {report.merged}",
        f"duplicates skipped: {len(report.skipped)}",
        f"excluded phones/e-mails: {report.excluded}",
        f"imported before: {report.already}",
        f"rejected: {len(report.rejected)}",
    ]
    lines += [f"  row {line}: duplicate of {why}" for line, why in report.skipped[:20]]
    lines += [f"  row {line}: {reason}" for line, reason, _cells in report.rejected[:50]]
    if report.rejected:
        rejected = args.file.with_name(args.file.stem + ".rejected.csv")
        try:
            write_table(
                rejected,
                [*table.headers, "error"],
                [[*cells, reason] for _line, reason, cells in report.rejected],
            )
        except OSError as error:  # the import itself is done: say so, and what could not be kept
            lines.append(f"the rejected rows could not be written to {rejected}: {error}")
        else:
            lines.append(f"rejected rows with the reason of each: {rejected} (fix them and import that file)")
    return "\n".join(lines)


async def _export(settings: Settings, args: argparse.Namespace) -> str:
    zone = settings.zone
    since = datetime.combine(args.since, time(0), tzinfo=zone) if args.since else None
    until = datetime.combine(args.until, time(0), tzinfo=zone) if args.until else None
    async with open_database(settings) as ctx:
        rows = await ExportService(ctx).rows(status=args.status, source=args.source, since=since, until=until)
    try:
        write_table(args.file, HEADERS, rows)
    except OSError as error:
        raise CliError(f"cannot write {args.file}: {error}") from error
    return f"exported {len(rows)} leads to {args.file}"


async def _report(settings: Settings, args: argparse.Namespace) -> str:
    since = datetime.combine(args.since, time(0), tzinfo=settings.zone)
    until = datetime.combine(args.until + timedelta(days=1), time(0), tzinfo=settings.zone)
    async with open_database(settings) as ctx:
        report = await ReportService(ctx).build(ReportName(args.name), since, until)
    title = f"{args.name}: {args.since:%d.%m.%Y}–{args.until:%d.%m.%Y}"
    if args.format == "table":
        return f"{title}\n{text_table(report, str)}"
    output = args.output or Path(f"report.{args.format}")
    if args.format == "png":
        output.write_bytes(chart_png(report, str, title))
    else:
        headers, rows = table_rows(report, str)
        output.write_bytes(table_bytes(args.format == "xlsx", headers, rows))
    return f"{title} written to {output}"


async def _forms(settings: Settings, args: argparse.Namespace) -> str:
    async with open_database(settings) as ctx:
        service = FormService(ctx, LeadService(ctx))
        if args.forms_command == "add":
            form = await service.add(
                args.key,
                source=args.source,
                redirect=args.redirect,
                assignee_telegram_id=args.assignee,
                title=args.title,
            )
            return f"form {form.key} is served at http://{settings.http_host}:{settings.http_port}/forms/{form.key}"
        lines = [f"{f.key}\t{f.source_code}\t{f.redirect_url or '-'}" for f in await service.all()]
        return "\n".join(lines) or "no forms yet"


async def _run(settings: Settings) -> str:
    if not settings.bot_token:
        raise CliError("BOT_TOKEN is not set: put it in .env or the environment (see .env.example)")
    from leadbot.app import run_application

    await run_application(settings)
    return "stopped"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        if args.command == "run":
            message = asyncio.run(_run(settings))
        elif args.command == "db":
            message = asyncio.run(_db_upgrade(settings))
        elif args.command == "import":
            message = asyncio.run(_import(settings, args))
        elif args.command == "export":
            message = asyncio.run(_export(settings, args))
        elif args.command == "report":
            message = asyncio.run(_report(settings, args))
        elif args.command == "forms":
            message = asyncio.run(_forms(settings, args))
        else:
            message = asyncio.run(_users_add(settings, args.telegram_id, args.role, args.name))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        print(f"leadbot: configuration error: {problems}", file=sys.stderr)
        return 2
    except (CliError, DomainError) as error:
        print(f"leadbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(message)
    return 0
