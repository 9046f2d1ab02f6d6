"""`leadbot users`: the team, from the machine's terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import in_folder, leadbot

ONLY_ADMIN = (
    "leadbot: Alla is the only active admin: make another user an admin first, "
    "or nobody will be able to manage the team."
)


@pytest.fixture
def folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Path:
    in_folder(monkeypatch, tmp_path, database_url)
    assert leadbot(capsys, "db", "upgrade").code == 0
    assert leadbot(capsys, "users", "add", "42", "--role", "admin", "--name", "Alla").code == 0
    return tmp_path


@pytest.mark.parametrize("telegram_id", ["0", "-5"])
def test_a_telegram_id_is_positive(
    capsys: pytest.CaptureFixture[str], folder: Path, telegram_id: str
) -> None:
    said = leadbot(capsys, "users", "add", telegram_id, "--role", "manager")
    assert (said.code, said.error) == (
        1,
        f"leadbot: {telegram_id} is not a Telegram user id: those are positive numbers, such as 123456789.",
    )
    assert (
        "Alla" in leadbot(capsys, "users", "list").out
        and telegram_id not in leadbot(capsys, "users", "list").out
    )


def test_the_only_admin_is_not_demoted_or_deactivated(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    for command in (["users", "add", "42", "--role", "manager"], ["users", "deactivate", "42"]):
        said = leadbot(capsys, *command)
        assert (said.code, said.error) == (1, ONLY_ADMIN)
    assert leadbot(capsys, "users", "add", "43", "--role", "admin", "--name", "Boris").code == 0
    assert leadbot(capsys, "users", "add", "42", "--role", "manager").out == "Alla (42) is manager\n"


def test_users_are_listed_deactivated_and_activated(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    assert leadbot(capsys, "users", "add", "7001", "--role", "manager", "--name", "Boris Petrov").code == 0
    said = leadbot(capsys, "users", "deactivate", "7001")
    assert (said.code, said.out) == (0, "Boris Petrov (7001) can no longer use the bot\n")
    assert leadbot(capsys, "users", "list").out.splitlines() == [
        "Telegram id  Name          Role           Active  Language      Time zone",
        "42           Alla          administrator  yes     en (default)  Europe/Moscow (default)",
        "7001         Boris Petrov  manager        no      en (default)  Europe/Moscow (default)",
    ]
    said = leadbot(capsys, "users", "activate", "7001")
    assert (said.code, said.out) == (0, "Boris Petrov (7001) can use the bot again\n")
    assert "7001         Boris Petrov  manager        yes" in leadbot(capsys, "users", "list").out
    unknown = leadbot(capsys, "users", "deactivate", "999")
    assert (unknown.code, unknown.error) == (
        1,
        "leadbot: there is no user with Telegram id 999; leadbot users list shows them",
    )
