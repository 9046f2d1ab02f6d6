"""`leadbot forms`: web forms from the machine's terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import in_folder, leadbot


@pytest.fixture
def folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Path:
    in_folder(monkeypatch, tmp_path, database_url)
    assert leadbot(capsys, "db", "upgrade").code == 0
    return tmp_path


def test_a_form_key_is_added_once(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    said = leadbot(capsys, "forms", "add", "site", "--source", "Веб-сайт")
    assert (said.code, said.out) == (0, "Form site is ready: http://127.0.0.1:8080/forms/site\n")
    again = leadbot(capsys, "forms", "add", "site")
    assert (again.code, again.error) == (
        1,
        "leadbot: A form with the key “site” already exists: choose another key.",
    )
    odd = leadbot(capsys, "forms", "add", "Our site!")
    assert odd.error == (
        "leadbot: “our site!” cannot be a form key: it takes 2 to 64 lower-case Latin letters, digits, “-” "
        "or “_”, the first a letter or a digit, such as contact-us."
    )
    assert leadbot(capsys, "forms", "list").out == "site\tWEB\t-\n"
