"""The `leadbot` command line (contract: DESIGN.md §5): the language, the settings, one command, and every
refusal as one line of stderr with a non-zero exit code (2 for the arguments and the settings, 1 else)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from leadbot.cli_export import export_command
from leadbot.cli_forms import forms_command
from leadbot.cli_import import import_command
from leadbot.cli_parser import build_parser
from leadbot.cli_report import report_command
from leadbot.cli_text import CliError, _, language_option, use_language
from leadbot.cli_users import users_command
from leadbot.config import Settings, configured_language
from leadbot.database import open_database
from leadbot.errors import DomainError

Command = Callable[[Settings, argparse.Namespace], str]


def run_command(settings: Settings, _args: argparse.Namespace) -> str:
    from leadbot.app import run_application  # the bot's layer, only for `leadbot run`

    asyncio.run(run_application(settings, _))
    return _("stopped")


def db_command(settings: Settings, _args: argparse.Namespace) -> str:
    asyncio.run(_upgrade(settings))
    return _("The database is up to date.")


async def _upgrade(settings: Settings) -> None:
    async with open_database(settings):
        pass


COMMANDS: dict[str, Command] = {
    "run": run_command,
    "db": db_command,
    "import": import_command,
    "export": export_command,
    "report": report_command,
    "forms": forms_command,
    "users": users_command,
}


def setting_problem(problem: ErrorDetails) -> str:
    """SETTING: what is wrong; our validators' words in the reader's language, pydantic's as they are."""
    name = ".".join(map(str, problem["loc"])).upper()
    cause = problem.get("ctx", {}).get("error")
    return f"{name}: {cause.render(_) if isinstance(cause, DomainError) else problem['msg']}"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    use_language(language_option(arguments) or configured_language())
    args = build_parser().parse_args(arguments)
    try:
        message = COMMANDS[args.command](Settings(), args)
    except ValidationError as error:
        problems = "; ".join(setting_problem(problem) for problem in error.errors())
        print("leadbot: " + _("configuration error: {problems}").format(problems=problems), file=sys.stderr)
        return 2
    except CliError as error:
        print(f"leadbot: {error}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"leadbot: {error.render(_)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(message)
    return 0
