"""`leadbot import`: what it says about a file, in the reader's language, and what it refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadbot.intake.tables import read_table
from tests.unit.test_cli import in_folder, leadbot

DATA = Path(__file__).parent.parent / "data"
MIXED = (
    "NAME;PHONE;EMAIL;WEB\n"
    "Anna;+79160000001;;anna.example.com\n"
    "Bad;;nope;\n"
    "Anna again;8 916 000 00 01;;\n"
    ";;;\n"
    "Old client;+7 916 111-11-11;;\n"
    ";;;only-a-site.example.com\n"
)


@pytest.fixture
def folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Path:
    """A database that knows one lead (#1, +7 916 111-11-11), and a file with every kind of row."""
    in_folder(monkeypatch, tmp_path, database_url)
    assert leadbot(capsys, "db", "upgrade").code == 0
    (tmp_path / "old.csv").write_text("NAME;PHONE\nOld;+79161111111\n", "utf-8")
    assert leadbot(capsys, "import", "old.csv").code == 0
    (tmp_path / "leads.csv").write_text(MIXED, "utf-8")
    return tmp_path


def test_duplicates_and_rejected_rows_are_apart_in_file_order(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    said = leadbot(capsys, "import", "leads.csv")
    assert (said.code, said.err) == (0, "")
    assert said.out.splitlines() == [
        "5 rows in leads.csv",
        "Created: 1 (returning clients: 0)",
        "Merged into existing leads: 0",
        "Excluded: 0",
        "Imported before: 0",
        "Duplicates skipped: 2",
        "  Row 4: a duplicate of an earlier row",
        "  Row 6: a duplicate of lead #1",
        "Rejected: 2",
        "  Row 3: “nope” is not a valid e-mail address.",
        "  Row 7: A lead needs at least a name, a company, a phone or an e-mail.",
        "Columns not used: WEB",
        "The rejected rows, with the reason of each: leads.rejected.csv (fix them and import that file)",
    ]
    rejected = read_table(folder / "leads.rejected.csv")
    assert rejected.headers == ["NAME", "PHONE", "EMAIL", "WEB", "error"]
    assert [cells[-1] for _line, cells in rejected.rows] == [
        "“nope” is not a valid e-mail address.",
        "A lead needs at least a name, a company, a phone or an e-mail.",
    ]


def test_one_row_is_one_row(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    (folder / "one.csv").write_text("NAME\nAnna\n", "utf-8")
    assert leadbot(capsys, "import", "one.csv").out.splitlines()[0] == "1 row in one.csv"


def test_a_dry_run_lists_the_rejected_rows_and_writes_no_file(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    said = leadbot(capsys, "import", "leads.csv", "--dry-run")
    assert said.out.splitlines()[:3] == [
        "5 rows in leads.csv",
        "Dry run: nothing was changed.",
        "Created: 1 (returning clients: 0)",
    ]
    assert said.out.splitlines()[-4:] == [
        "Rejected: 2",
        "  Row 3: “nope” is not a valid e-mail address.",
        "  Row 7: A lead needs at least a name, a company, a phone or an e-mail.",
        "Columns not used: WEB",
    ]
    assert not (folder / "leads.rejected.csv").exists()
    assert leadbot(capsys, "export", "all.csv").out == "Exported 1 lead to all.csv\n"  # only the old one


def test_rejection_reasons_are_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.setenv("LOCALE", "ru")
    said = leadbot(capsys, "import", "leads.csv")
    assert "Отклонено: 2" in said.out.splitlines()
    assert "  Строка 3: «nope» — неверный адрес e-mail." in said.out.splitlines()
    assert "A lead needs" not in said.out
    rejected = read_table(folder / "leads.rejected.csv")
    assert next(cells[-1] for _line, cells in rejected.rows) == "«nope» — неверный адрес e-mail."
    again = leadbot(capsys, "--lang", "en", "import", "leads.csv", "--dry-run")
    assert "  Row 3: “nope” is not a valid e-mail address." in again.out.splitlines()


def test_the_bitrix24_sample_names_the_columns_it_left_out(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    shutil.copy(DATA / "bitrix24-lead-import-sample.csv", folder / "b24.csv")
    said = leadbot(capsys, "import", "b24.csv")
    assert said.out.splitlines()[-1] == (
        "Columns not used: PHONE_FAX, PHONE_PAGER, WEB_WORK, WEB_HOME, WEB_FACEBOOK, WEB_LIVEJOURNAL, "
        "WEB_TWITTER, WEB_OTHER, IM_ICQ, IM_SKYPE, IM_JABBER, IM_MSN, IM_OTHER, STATUS_DESCRIPTION"
    )


FIELDS = (
    "title, name, last_name, second_name, full_name, company_title, post, phone_work, phone_mobile, "
    "phone_home, phone, email_work, email_home, email, comment, status, source, source_description, amount, "
    "currency, assignee, external_id, address"
)


@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        ("WEB=nme", f"“nme” is not a field: did you mean “name”? The fields: {FIELDS}."),
        ("WEB=website", f"“website” is not a field. The fields: {FIELDS}."),
        ("Site=comment", "The file has no column “Site” to map. Its columns: NAME, PHONE, EMAIL, WEB."),
        ("WEB", "--mapping wants HEADER=FIELD, such as “Client phone=phone”, not “WEB”"),
    ],
    ids=["misspelt-field", "unknown-field", "unknown-column", "no-field"],
)
def test_a_mapping_is_checked(
    capsys: pytest.CaptureFixture[str], folder: Path, mapping: str, says: str
) -> None:
    said = leadbot(capsys, "import", "leads.csv", "--mapping", mapping)
    assert (said.code, said.error, said.out) == (1, f"leadbot: {says}", "")
    assert leadbot(capsys, "import", "leads.csv", "--mapping", "web=COMMENT").code == 0  # any case


def test_a_source_is_a_code_or_a_name(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    said = leadbot(capsys, "import", "leads.csv", "--source", "Bogus")
    assert (said.code, said.error) == (
        1,
        "leadbot: Unknown source: Bogus. Use a code or a name: CALL, EMAIL, WEB, WEBFORM, CALLBACK, "
        "ADVERTISING, PARTNER, RECOMMENDATION, TRADE_SHOW, IMPORT, TELEGRAM, OTHER.",
    )
    assert leadbot(capsys, "import", "leads.csv", "--source", "Выставка").code == 0
    assert (
        leadbot(capsys, "export", "fair.csv", "--source", "TRADE_SHOW").out == "Exported 1 lead to fair.csv\n"
    )


def test_a_binary_file_is_one_line(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    (folder / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    said = leadbot(capsys, "import", "photo.csv")
    assert (said.code, said.out) == (1, "")
    assert said.error == (
        "leadbot: cannot read photo.csv: The file is not a text table in UTF-8 or Windows-1251: "
        "save it as CSV (UTF-8) or XLSX."
    )
    missing = leadbot(capsys, "import", "nowhere.csv")
    assert missing.error == "leadbot: cannot read nowhere.csv: there is no such file"
