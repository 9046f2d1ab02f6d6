import sqlite3
import subprocess
import sys
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
    result = run_cli(tmp_path, "users", "add", "42", "--role", "supervisor", "--name", "Sveta")
    assert result.returncode == 0, result.stderr
    assert "supervisor" in result.stdout


def test_run_without_token_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"BOT_TOKEN": ""})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "leadbot: BOT_TOKEN is not set: put it in .env or the environment (see .env.example)"
    ]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [("TIMEZONE", "Mars/Olympus", "Mars/Olympus"), ("TRUSTED_PROXIES", "127.0.0.1, nginx", "'nginx'")],
)
def test_bad_setting_is_a_one_line_error(tmp_path: Path, name: str, value: str, says: str) -> None:
    result = run_cli(tmp_path, "db", "upgrade", env={name: value})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert name in result.stderr and says in result.stderr


def test_trusted_proxies_are_addresses_and_networks() -> None:
    settings = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8;fd00::/8")  # type: ignore[arg-type]
    networks = [str(network) for network in settings.trusted_proxies]
    assert networks == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"]


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert all(word in out for word in ("run", "db", "users"))
