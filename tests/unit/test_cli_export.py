"""`leadbot export` and `leadbot report`: one meaning of a period (both days included), days as reports
print them or in ISO, statuses and sources by code or by name, and the file's name and folder checked."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.intake.tables import read_table
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from tests.conftest import START, at
from tests.unit.test_cli import in_folder, leadbot

MOSCOW = ZoneInfo("Europe/Moscow")
CREATE_IT = "create it or choose another one"
CREATED = {  # name → when; the last one is past midnight in Moscow: a day later there than in UTC
    "Anna": at(0, 10),
    "Boris": at(1, 20),
    "Vera": at(2, 21, 30),
}


def day(moment: datetime, pattern: str = "%d.%m.%Y") -> str:
    return f"{moment.astimezone(MOSCOW):{pattern}}"


async def seed(settings: Settings) -> None:
    clock = FrozenClock(START)
    async with open_database(settings, clock) as ctx:
        services = Services.build(ctx)
        for name, moment in CREATED.items():
            clock.set(moment)
            status = "IN_PROCESS" if name == "Boris" else None
            await services.leads.create(LeadDraft(name=name, source_code="CALL", status_code=status))


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings, database_url: str) -> Path:
    asyncio.run(seed(settings))
    in_folder(monkeypatch, tmp_path, database_url)
    return tmp_path


def exported(path: Path) -> list[str]:
    return [cells[2] for _line, cells in read_table(path).rows]


@pytest.mark.parametrize("pattern", ["%d.%m.%Y", "%Y-%m-%d"], ids=["as-reports-print", "iso"])
def test_a_period_includes_its_last_day(
    capsys: pytest.CaptureFixture[str], folder: Path, pattern: str
) -> None:
    boris = day(CREATED["Boris"], pattern)
    said = leadbot(capsys, "export", "day.csv", "--from", boris, "--to", boris)
    assert (said.code, said.out) == (0, "Exported 1 lead to day.csv\n")
    assert exported(folder / "day.csv") == ["Boris"]
    leadbot(capsys, "export", "days.csv", "--from", day(CREATED["Anna"], pattern), "--to", boris)
    assert exported(folder / "days.csv") == ["Anna", "Boris"]
    leadbot(capsys, "export", "since.csv", "--from", day(CREATED["Vera"], pattern))
    assert exported(folder / "since.csv") == ["Vera"]


def test_a_report_reads_days_the_same_way(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    boris = day(CREATED["Boris"])
    said = leadbot(capsys, "report", "sources", "--from", boris, "--to", day(CREATED["Boris"], "%Y-%m-%d"))
    assert said.code == 0, said.err
    assert said.out.splitlines()[0] == f"sources: {boris}–{boris}"
    call = next(line for line in said.out.splitlines() if line.startswith("Call"))
    assert call.split()[1] == "1"


def test_a_period_that_ends_before_it_starts_is_refused(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    said = leadbot(capsys, "export", "x.csv", "--from", "02.01.2026", "--to", "2026-01-01")
    assert (said.code, said.error) == (
        1,
        "leadbot: --from 02.01.2026 is after --to 01.01.2026: the period runs from its first day to its last",
    )
    said = leadbot(capsys, "report", "funnel", "--from", "31.02.2026", "--to", "01.03.2026")
    assert (said.code, said.error) == (
        2,
        "leadbot report: argument --from: “31.02.2026” is not a date: write 22.11.2026 or 2026-11-22 "
        "(see leadbot report --help)",
    )
    assert not (folder / "x.csv").exists()


@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("--status", "Новый", ["Anna", "Vera"]),
        ("--status", "in progress", ["Boris"]),
        ("--status", "IN_PROCESS", ["Boris"]),
        ("--status", "junk", []),
        ("--source", "Звонок", ["Anna", "Boris", "Vera"]),
        ("--source", "web", []),
    ],
)
def test_a_status_or_source_is_a_code_or_a_name_in_either_language(
    capsys: pytest.CaptureFixture[str], folder: Path, option: str, value: str, names: list[str]
) -> None:
    assert leadbot(capsys, "export", "some.csv", option, value).code == 0
    assert exported(folder / "some.csv") == names


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (
            "--status",
            "Unknown status: Bogus. Use a code or a name: NEW, IN_PROCESS, PROCESSED, CONVERTED, JUNK.",
        ),
        (
            "--source",
            "Unknown source: Bogus. Use a code or a name: CALL, EMAIL, WEB, WEBFORM, CALLBACK, ADVERTISING, "
            "PARTNER, RECOMMENDATION, TRADE_SHOW, IMPORT, TELEGRAM, OTHER.",
        ),
    ],
)
def test_an_unknown_status_or_source_is_refused(
    capsys: pytest.CaptureFixture[str], folder: Path, option: str, says: str
) -> None:
    said = leadbot(capsys, "export", "none.csv", option, "Bogus")
    assert (said.code, said.error) == (1, f"leadbot: {says}")
    assert not (folder / "none.csv").exists()


def test_the_file_name_and_folder_are_checked_first(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    said = leadbot(capsys, "export", "leads.json")
    assert (said.code, said.error) == (
        1,
        "leadbot: “leads.json” is not a .csv or .xlsx file: use one of those two formats",
    )
    said = leadbot(capsys, "export", "out/leads.xlsx")
    assert (said.code, said.error) == (
        1,
        f"leadbot: cannot write out/leads.xlsx: there is no folder {folder / 'out'}; {CREATE_IT}",
    )
    said = leadbot(
        capsys,
        "report",
        "funnel",
        "--from",
        "01.01.2026",
        "--to",
        "31.01.2026",
        "--format",
        "png",
        "--output",
        "out/f.png",
    )
    assert said.error == (
        f"leadbot: cannot write out/f.png: there is no folder {folder / 'out'}; {CREATE_IT}"
    )
    assert not (folder / "leads.json").exists() and not (folder / "out").exists()
