"""Hostile and broken import files (issue 11): XLSX bombs are refused before openpyxl unpacks them, CSV
files out of bounds or not text are refused with a clear message, and `leadbot import` says so on one
line of stderr instead of a traceback."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from leadbot.cli import main
from leadbot.errors import DomainError
from leadbot.intake import table_checks
from leadbot.intake.table_checks import (
    CellTooLong,
    NotText,
    OverbuiltXlsx,
    TableTooLarge,
    TooManyColumns,
    TooManyRows,
)
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import TableError, read_table, read_table_bytes
from leadbot.services.registry import Services

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE_TYPE = "application/vnd.openxmlformats-package"
MiB = 1024 * 1024
HEADER_ROW = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>PHONE</t></is></c></row>'
ONE_LEAD = (
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>Ivan</t></is></c><c r="B2"><v>79161234567</v></c></row>'
)


def xlsx(
    rows: Iterable[bytes] = (HEADER_ROW, ONE_LEAD),
    strings: Iterable[bytes] = (),
    *,
    dimension: str = "",
    after_rows: bytes = b"",
) -> bytes:
    """A workbook written by hand, streamed into the zip (so a bomb never sits unpacked in memory):
    one sheet of `rows`, and shared strings "NAME" followed by `strings`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{PACKAGE_TYPE}.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPES}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="leads" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData>" + after_rows + b"</worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(f'<sst xmlns="{MAIN}"><si><t>NAME</t></si>'.encode())
            for item in strings:
                shared.write(item)
            shared.write(b"</sst>")
    return out.getvalue()


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    block = piece * (MiB // len(piece))
    for _ in range(total // len(block)):
        yield block


def peak_allocation(read: Callable[[], object]) -> int:
    """The most memory Python held above the start while `read` ran (it must raise a refusal)."""
    tracemalloc.start()
    try:
        with pytest.raises(DomainError):
            read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_hand_written_workbook_reads_as_a_table() -> None:
    table = read_table_bytes(xlsx(), "leads.xlsx")
    assert (table.headers, list(table.rows)) == (["NAME", "PHONE"], [(2, ["Ivan", "79161234567"])])


def shared_strings_bomb() -> bytes:
    """About 300 KiB that unpack to one shared string of 300 MiB."""
    return xlsx(strings=[b"<si><t>", *repeated(b"A", 300 * MiB), b"</t></si>"])


def test_shared_strings_that_unpack_to_300_mb_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(shared_strings_bomb())
    assert path.stat().st_size < 400 * 1024
    assert peak_allocation(lambda: read_table(path)) < 4 * MiB
    with pytest.raises(TableTooLarge, match="64 MB"):
        read_table(path)


def test_a_member_packed_a_thousand_to_one_is_refused() -> None:
    bomb = xlsx(strings=repeated(b"<si><t>" + b"A" * 100 + b"</t></si>", 16 * MiB))  # within the size cap
    assert peak_allocation(lambda: read_table_bytes(bomb, "bomb.xlsx")) < 4 * MiB
    with pytest.raises(OverbuiltXlsx):
        read_table_bytes(bomb, "bomb.xlsx")


def test_a_row_of_300_000_cells_is_refused_before_openpyxl_builds_it() -> None:
    cells = b"".join(b"<c><v>%d</v></c>" % number for number in range(300_000))
    fat = xlsx([HEADER_ROW, b"<row>" + cells + b"</row>"])
    assert peak_allocation(lambda: read_table_bytes(fat, "fat.xlsx")) < 4 * MiB
    with pytest.raises(TooManyColumns):
        read_table_bytes(fat, "fat.xlsx")


def test_many_shared_strings_each_short_and_different_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_checks, "MAX_SHARED_STRINGS", 1000)
    texts = random.Random(8)
    strings = [b"<si><t>%d</t></si>" % texts.getrandbits(40) for _ in range(1001)]
    with pytest.raises(OverbuiltXlsx):
        read_table_bytes(xlsx(strings=strings), "strings.xlsx")
    read_table_bytes(xlsx(strings=strings[:999]), "strings.xlsx")


RICH_TEXT = b'<row r="2"><c r="A2" t="inlineStr"><is>' + b"<r><t>x</t></r>" * 3000 + b"</is></c></row>"


@pytest.mark.parametrize(
    ("rows", "after_rows", "refusal"),
    [
        ([HEADER_ROW, b'<row r="1002"><c r="A1002"><v>1</v></c></row>'], b"", TooManyRows),
        ([HEADER_ROW, b'<row r="1e9"/>'], b"", TooManyRows),
        ([HEADER_ROW] + [b'<row r="2"><c r="A2"><v>1</v></c></row>'] * 1001, b"", TooManyRows),
        ([b'<row r="1"><c r="IW1"><v>1</v></c></row>'], b"", TooManyColumns),
        ([HEADER_ROW, RICH_TEXT], b"", OverbuiltXlsx),
        (
            [HEADER_ROW],
            b"<mergeCells>" + b'<mergeCell ref="A1:B2"/>' * 1001 + b"</mergeCells>",
            OverbuiltXlsx,
        ),
    ],
    ids=[
        "row-number",
        "row-number-as-float",
        "the-same-row-again-and-again",
        "column",
        "rich-text",
        "merges",
    ],
)
def test_sheets_out_of_bounds_are_refused(
    monkeypatch: pytest.MonkeyPatch, rows: list[bytes], after_rows: bytes, refusal: type[DomainError]
) -> None:
    monkeypatch.setattr(table_checks, "MAX_ROWS", 1000)  # files too small to be refused for their packing
    monkeypatch.setattr(table_checks, "MAX_OTHER_ELEMENTS", 1000)
    with pytest.raises(refusal):
        read_table_bytes(xlsx(rows, after_rows=after_rows), "leads.xlsx")


def test_a_sheet_at_the_bounds_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_checks, "MAX_ROWS", 1000)
    monkeypatch.setattr(table_checks, "MAX_OTHER_ELEMENTS", 1000)
    wide = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="IV1"><v>1</v></c></row>'  # column 256
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(2, 1002)]
    merges = b"<mergeCells>" + b'<mergeCell ref="A1:B2"/>' * 900 + b"</mergeCells>"
    table = read_table_bytes(xlsx([wide, *rows], after_rows=merges), "leads.xlsx")
    assert len(table.headers) == 256 and len(list(table.rows)) == 1000


@pytest.mark.parametrize(
    ("dimension", "refusal"), [("A1:B1048576", TooManyRows), ("A1:XFD2", TooManyColumns)]
)
def test_a_declared_dimension_out_of_bounds_is_refused(dimension: str, refusal: type[DomainError]) -> None:
    with pytest.raises(refusal):
        read_table_bytes(xlsx(dimension=dimension), "leads.xlsx")


def lying_about_size(data: bytes, member: str, declared: int) -> bytes:
    """The zip with `member`'s uncompressed size in the central directory replaced by `declared`."""
    name = member.encode()
    start = 0
    while True:
        start = data.index(b"PK\x01\x02", start)
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == name:
            return data[: start + 24] + struct.pack("<I", declared) + data[start + 28 :]
        start += 4


def test_a_member_larger_than_its_zip_entry_says_is_refused() -> None:
    honest = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx())) as source, zipfile.ZipFile(honest, "w") as copy:
        for info in source.infolist():  # written again without zip64 extras: sizes in the fixed fields
            copy.writestr(info.filename, source.read(info.filename), zipfile.ZIP_DEFLATED)
    lying = lying_about_size(honest.getvalue(), "xl/sharedStrings.xml", 10)
    with pytest.raises(TableError, match="not a readable XLSX"):
        read_table_bytes(lying, "leads.xlsx")


# --- CSV ---------------------------------------------------------------------------------------------


def csv_with_a_long_cell() -> bytes:
    return ("NAME;COMMENTS\nIvan;short\nPetr;" + "x" * (128 * 1024 + 1) + "\n").encode()


RANDOM_BYTES = random.Random(11).randbytes(4096)


def test_a_cell_over_128_kib_is_refused_with_its_row() -> None:
    with pytest.raises(CellTooLong, match="Row 3"):
        read_table_bytes(csv_with_a_long_cell(), "leads.csv")


@pytest.mark.parametrize(
    "data",
    [RANDOM_BYTES, "NAME;PHONE\nIvan;+79161234567\n".encode("utf-16")],
    ids=["random-bytes", "utf-16"],
)
def test_bytes_that_are_not_a_text_table_are_refused(data: bytes) -> None:
    with pytest.raises(NotText):
        read_table_bytes(data, "leads.csv")


def test_csv_out_of_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_checks, "MAX_ROWS", 10)
    monkeypatch.setattr(table_checks, "MAX_CSV_BYTES", 4096)
    path = tmp_path / "leads.csv"
    path.write_text("NAME\n" + "".join(f"Client {n}\n\n" for n in range(10)), "utf-8")
    assert len(list(read_table(path).rows)) == 10  # blank lines do not count
    path.write_text("NAME\n" + "".join(f"Client {n}\n" for n in range(11)), "utf-8")
    with pytest.raises(TooManyRows):
        read_table(path)
    path.write_text("NAME;" + ";".join(f"C{n}" for n in range(300)) + "\n", "utf-8")
    with pytest.raises(TooManyColumns):
        read_table(path)
    path.write_text("NAME;;;;;;\nIvan;;;;;;\n", "utf-8")  # empty trailing cells are not columns
    assert read_table(path).headers == ["NAME"]
    path.write_bytes(b"NAME\n" + b"Ivan\n" * 1000)
    with pytest.raises(TableTooLarge):
        read_table(path)


async def test_the_import_service_never_sees_a_refused_file(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(csv_with_a_long_cell())
    with pytest.raises(CellTooLong):
        await TableImport(services.imports).run(read_table(path), dry_run=True)


# --- the command line ----------------------------------------------------------------------------------


def broken_further_down() -> bytes:
    """Good rows, then XML that is not: past openpyxl's first read, so the import is under way by then."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, 79160000000 + n) for n in range(2, 2002)]
    return xlsx([HEADER_ROW, *rows, b'<row r="2002"><c'], dimension="A1:B2002")


def one_fat_row() -> bytes:
    return xlsx([HEADER_ROW, b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"])


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("long.csv", csv_with_a_long_cell, "Row 3: a cell is longer than 131 072 characters"),
        ("random.csv", lambda: RANDOM_BYTES, "not a text table"),
        ("bomb.xlsx", shared_strings_bomb, "too large"),
        ("fat.xlsx", one_fat_row, "256 columns"),
        ("broken.xlsx", broken_further_down, "not a readable XLSX file"),
    ],
    ids=["long-cell", "random-bytes", "xlsx-bomb", "fat-row", "broken-xlsx"],
)
def test_cli_import_refuses_on_one_line(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    make: Callable[[], bytes],
    says: str,
    dry_run: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOCALE", "en")
    assert main(["db", "upgrade"]) == 0  # `leadbot import` refuses a database that does not exist
    path = tmp_path / name
    path.write_bytes(make())
    capsys.readouterr()
    code = main(["import", str(path), *(["--dry-run"] if dry_run else [])])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"leadbot: cannot read {path}: ") and says in err
