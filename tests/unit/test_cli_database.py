"""DATABASE_URL as people get it wrong: one line each, and no empty database made where none was meant."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.unit.test_cli import in_folder, leadbot

TAIL = (
    "Write sqlite+aiosqlite:///leadbot.db, or postgresql+asyncpg://USER:PASSWORD@HOST/NAME after "
    "pip install 'leadbot[postgres]'."
)


def test_a_command_run_from_another_folder_refuses_instead_of_making_an_empty_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    in_folder(monkeypatch, elsewhere, "sqlite+aiosqlite:///leadbot.db")
    for command in (["export", "leads.csv"], ["users", "list"], ["forms", "list"]):
        said = leadbot(capsys, *command)
        assert said.code == 1
        assert said.error == (
            f"leadbot: There is no database at {elsewhere / 'leadbot.db'}: run `leadbot db upgrade` to "
            "create it, or set DATABASE_URL to the existing one (a relative path is read from the current "
            "folder)."
        )
    assert sorted(elsewhere.iterdir()) == []
    assert leadbot(capsys, "db", "upgrade").code == 0
    assert leadbot(capsys, "export", "leads.csv").out == "Exported 0 leads to leads.csv\n"


@pytest.mark.parametrize(
    ("url", "shown", "reason"),
    [
        ("mysql://leadbot:secret@db/leads", "mysql://leadbot:***@db/leads", "No module named 'MySQLdb'"),
        (
            "postgresql://leadbot:secret@db/leads",
            "postgresql://leadbot:***@db/leads",
            "No module named 'psycopg2'",
        ),
        (
            "sqlite:///leads.db",
            "sqlite:///leads.db",
            "The asyncio extension requires an async driver to be used. The loaded 'pysqlite' is not async.",
        ),
    ],
    ids=["mysql", "postgresql-without-asyncpg", "sqlite-without-aiosqlite"],
)
def test_a_driver_that_is_not_installed_or_not_async_is_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    shown: str,
    reason: str,
) -> None:
    in_folder(monkeypatch, tmp_path, url)
    said = leadbot(capsys, "db", "upgrade")
    assert said.code == 1
    assert said.error == f"leadbot: DATABASE_URL {shown} cannot be used ({reason}). {TAIL}"
    assert sorted(tmp_path.iterdir()) == []


def test_an_unreachable_postgresql_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("asyncpg")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    in_folder(monkeypatch, tmp_path, f"postgresql+asyncpg://leadbot:secret@127.0.0.1:{port}/leads")
    said = leadbot(capsys, "users", "list")
    assert said.code == 1
    assert said.error == (
        f"leadbot: Cannot connect to the database postgresql+asyncpg://leadbot:***@127.0.0.1:{port}/leads "
        f"([Errno 111] Connect call failed ('127.0.0.1', {port})). Check DATABASE_URL and that the database "
        "server is running."
    )


def test_an_sqlite_file_in_a_folder_that_does_not_exist_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_folder(monkeypatch, tmp_path, "sqlite+aiosqlite:///data/leadbot.db")
    said = leadbot(capsys, "db", "upgrade")
    assert said.code == 1
    assert said.error == (
        f"leadbot: The folder {tmp_path / 'data'} of the SQLite database in DATABASE_URL does not exist: "
        "create it, or change DATABASE_URL."
    )
    (tmp_path / "data").mkdir()
    assert leadbot(capsys, "db", "upgrade").code == 0
    assert (tmp_path / "data" / "leadbot.db").is_file()
