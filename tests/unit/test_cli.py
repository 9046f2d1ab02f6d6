"""The command line as people use it: as a process (`python -m leadbot`), or through `main()` in this
process where a process is not the point. Its helpers serve the other tests/unit/test_cli_*.py too."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadbot.cli import main
from leadbot.config import Settings


def run_cli(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "LOCALE": "en",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "leadbot", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass(frozen=True)
class Said:
    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one line of stderr (and a failure if there are more)."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        return lines[0]


def in_folder(
    monkeypatch: pytest.MonkeyPatch, folder: Path, database_url: str, *, locale: str = "en"
) -> None:
    """Run the command line from `folder` (no .env there) with these settings."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOCALE", locale)


def leadbot(capsys: pytest.CaptureFixture[str], *args: str) -> Said:
    """`leadbot ARGS` in this process: its exit code, stdout and stderr."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as done:  # the parser's refusals and --help
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return Said(code, captured.out, captured.err)


def test_db_upgrade_creates_the_schema_and_seeds(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "cli.db") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
        statuses = [row[0] for row in db.execute("select code from lead_statuses order by sort")]
        mode = db.execute("pragma journal_mode").fetchone()[0]
    assert {"leads", "communications", "contacts", "companies", "deals", "history", "outbox"} <= tables
    assert statuses == ["NEW", "IN_PROCESS", "PROCESSED", "CONVERTED", "JUNK"]
    assert mode == "wal"
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0  # idempotent


def test_users_add(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "users", "add", "42", "--role", "supervisor", "--name", "Sveta")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Sveta (42) is supervisor\n"


def test_run_without_token_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"BOT_TOKEN": ""})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "leadbot: BOT_TOKEN is not set: put it in .env or the environment (see .env.example)."
    ]


def test_a_token_that_is_not_one_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"BOT_TOKEN": "my-bot-token"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "leadbot: BOT_TOKEN is not a bot token (those look like 123456789:AAE…): copy it from @BotFather."
    ]
    assert not (tmp_path / "cli.db").exists()  # refused before the database was touched


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (
            "TIMEZONE",
            "Mars/Olympus",
            "unknown time zone “Mars/Olympus”; use an IANA name such as Europe/Moscow",
        ),
        ("TRUSTED_PROXIES", "127.0.0.1, nginx", "“nginx” is not an IP address or network"),
        ("ADMIN_IDS", "1000, Alla", "“Alla” is not a Telegram user id; write numbers separated by commas"),
        ("HTTP_PORT", "http", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_bad_setting_is_a_one_line_error(tmp_path: Path, name: str, value: str, says: str) -> None:
    result = run_cli(tmp_path, "db", "upgrade", env={name: value})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"leadbot: configuration error: {name}: {says}"]


def test_trusted_proxies_are_addresses_and_networks() -> None:
    settings = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8;fd00::/8")  # type: ignore[arg-type]
    networks = [str(network) for network in settings.trusted_proxies]
    assert networks == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"]


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    said = leadbot(capsys, "--lang", "en", "--help")
    assert said.code == 0
    assert all(word in said.out for word in ("run", "db", "import", "export", "report", "forms", "users"))


def test_a_wrong_argument_is_one_line_that_names_the_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    in_folder(monkeypatch, tmp_path, database_url)
    said = leadbot(capsys, "users", "add", "42", "--role", "boss")
    assert said.code == 2
    assert said.error == (
        "leadbot users add: argument --role: invalid choice: 'boss' "
        "(choose from 'admin', 'supervisor', 'manager') (see leadbot users add --help)"
    )
    said = leadbot(capsys, "users", "add", "Anna", "--role", "manager")
    assert said.error == (
        "leadbot users add: argument TELEGRAM_ID: “Anna” is not a Telegram user id: those are numbers, "
        "such as 123456789 (see leadbot users add --help)"
    )


def test_the_language_is_lang_else_locale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    in_folder(monkeypatch, tmp_path, database_url, locale="ru")
    assert leadbot(capsys, "db", "upgrade").code == 0
    assert "администратор" in leadbot(capsys, "users", "add", "42", "--role", "admin", "--name", "Alla").out
    assert "администратор" in leadbot(capsys, "users", "list").out
    assert "administrator" in leadbot(capsys, "--lang", "en", "users", "list").out
    monkeypatch.setenv("LOCALE", "en")
    assert "administrator" in leadbot(capsys, "users", "list").out
    assert "администратор" in leadbot(capsys, "--lang", "ru", "users", "list").out
    assert leadbot(capsys, "--help").out.startswith("usage: leadbot")
    refused = leadbot(capsys, "--lang", "de", "users", "list")
    assert (refused.code, refused.error) == (
        2,
        "leadbot: argument --lang: invalid choice: 'de' (choose from 'ru', 'en') (see leadbot --help)",
    )
