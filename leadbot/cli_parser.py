"""The command line's grammar (contract: DESIGN.md §5, §11), with its help in the reader's language.

A mistake in the arguments is one line of stderr that names the command's --help, exit code 2."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from db.enums import Role
from leadbot.cli_text import LANGUAGE_OPTION, CliError, _
from leadbot.services.imports import DuplicatePolicy
from leadbot.services.reports import ReportName
from leadbot.translations import LANGUAGES

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")  # as reports print a day, and ISO


class CliParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        line = _("{command}: {problem} (see {command} --help)").format(command=self.prog, problem=message)
        self.exit(2, " ".join(line.split()) + "\n")


def day(text: str) -> date:
    """A day written as 22.11.2026 or 2026-11-22."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        _("“{value}” is not a date: write 22.11.2026 or 2026-11-22").format(value=text)
    )


def period(since: date | None, until: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """--from and --to as moments: from the first day's midnight to the midnight after the last day."""
    if since and until and since > until:
        raise CliError(
            _("--from {first} is after --to {last}: the period runs from its first day to its last").format(
                first=f"{since:%d.%m.%Y}", last=f"{until:%d.%m.%Y}"
            )
        )
    start = datetime.combine(since, time(0), tzinfo=zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone) if until else None
    return start, end


def telegram_id(text: str) -> int:
    """A whole number; the users service decides which numbers are Telegram ids."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{value}” is not a Telegram user id: those are numbers, such as 123456789").format(value=text)
        ) from None


def build_parser() -> CliParser:
    parser = CliParser(prog="leadbot", description=_("Telegram front end of a sales lead pipeline."))
    parser.add_argument(
        LANGUAGE_OPTION,
        choices=LANGUAGES,
        help=_("language of the messages (default: LOCALE, else ru)"),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help=_("run the bot, intake server, scheduler and delivery worker"))
    db = commands.add_parser("db", help=_("database maintenance"))
    db_actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_actions.add_parser("upgrade", help=_("create the database or apply new migrations; seed directories"))
    _add_import(commands)
    _add_export(commands)
    _add_report(commands)
    _add_forms(commands)
    _add_users(commands)
    return parser


def _add_import(commands: argparse._SubParsersAction[CliParser]) -> None:
    importing = commands.add_parser(
        "import", help=_("import leads from CSV or XLSX (our columns or Bitrix24's)")
    )
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument(
        "--source", default="IMPORT", help=_("source of rows without one, a code or a name (default IMPORT)")
    )
    importing.add_argument(
        "--duplicates",
        choices=[p.value for p in DuplicatePolicy],
        default=DuplicatePolicy.SKIP.value,
        help=_("a row with a known phone/e-mail: skip it, merge into the known lead, or allow a repeat lead"),
    )
    importing.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help=_("read the column HEADER as FIELD (name, phone, email, company_title, ...)"),
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help=_("say what would happen and which rows would be rejected; change nothing, write no file"),
    )


def _add_export(commands: argparse._SubParsersAction[CliParser]) -> None:
    exporting = commands.add_parser("export", help=_("export leads to a .csv or .xlsx file"))
    exporting.add_argument("file", type=Path, metavar="FILE", help=_("a name ending in .csv or .xlsx"))
    exporting.add_argument("--status", help=_("only this status, a code or a name"))
    exporting.add_argument("--source", help=_("only this source, a code or a name"))
    _add_period(exporting, required=False)


def _add_report(commands: argparse._SubParsersAction[CliParser]) -> None:
    report = commands.add_parser("report", help=_("a lead report for a period"))
    report.add_argument(
        "name",
        choices=[r.value for r in ReportName],
        metavar="NAME",
        help=", ".join(r.value for r in ReportName),
    )
    _add_period(report, required=True)
    report.add_argument("--format", choices=["table", "csv", "xlsx", "png"], default="table")
    report.add_argument("--output", type=Path, help=_("file for csv, xlsx or png (default: report.FORMAT)"))


def _add_period(command: argparse.ArgumentParser, *, required: bool) -> None:
    """--from and --to: days, both included, written as 22.11.2026 or 2026-11-22."""
    command.add_argument(
        "--from",
        dest="since",
        type=day,
        required=required,
        metavar="DATE",
        help=_("first day, included (22.11.2026 or 2026-11-22)"),
    )
    command.add_argument(
        "--to",
        dest="until",
        type=day,
        required=required,
        metavar="DATE",
        help=_("last day, included (22.11.2026 or 2026-11-22)"),
    )


def _add_forms(commands: argparse._SubParsersAction[CliParser]) -> None:
    forms = commands.add_parser("forms", help=_("web-to-lead forms served at /forms/KEY"))
    actions = forms.add_subparsers(dest="forms_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help=_("define a form"))
    add.add_argument("key", metavar="KEY", help=_("lower-case slug used in the URL"))
    add.add_argument("--source", default="WEBFORM", help=_("source of its leads (default WEBFORM)"))
    add.add_argument("--redirect", help=_("URL to send the visitor to after a submission"))
    add.add_argument(
        "--assignee", type=telegram_id, metavar="TELEGRAM_ID", help=_("default responsible manager")
    )
    add.add_argument("--title", help=_("heading shown on the form"))
    actions.add_parser("list", help=_("list the forms"))


def _add_users(commands: argparse._SubParsersAction[CliParser]) -> None:
    users = commands.add_parser("users", help=_("manage users"))
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help=_("register a user (or change an existing user's role)"))
    add.add_argument("telegram_id", type=telegram_id, metavar="TELEGRAM_ID")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="", help=_("display name"))
    actions.add_parser("list", help=_("list the users"))
    for action, help_text in (
        ("deactivate", _("turn a user's access off")),
        ("activate", _("turn a user's access back on")),
    ):
        command = actions.add_parser(action, help=help_text)
        command.add_argument("telegram_id", type=telegram_id, metavar="TELEGRAM_ID")
