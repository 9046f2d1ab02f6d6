"""Reading and writing lead tables: CSV (UTF-8 with or without BOM, or Windows-1251; ";" or ",") and XLSX.
A file is checked against the bounds of `table_checks` before it is parsed for the import. Every file we
write has its formula-like cells neutralised, and every file we read has them restored
(`leadbot.spreadsheet_safety`), so exports are inert in a spreadsheet and import back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leadbot.intake.table_checks import (
    EmptyTable,
    UnreadableXlsx,
    UnsupportedTableFile,
    check_csv_records,
    check_csv_size,
    check_dimension,
    check_xlsx,
    csv_text,
)
from leadbot.intake.table_checks import TableError as TableError  # what readers of a table catch
from leadbot.spreadsheet_safety import neutralise, restore

SEPARATORS = (";", ",", "\t")
WRITTEN_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells)


def guess_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_csv(data: bytes) -> Table:
    check_csv_size(len(data))
    text = csv_text(data)
    separator = guess_separator(text.split("\n", 1)[0])
    check_csv_records(text, separator)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        headers = next(reader)
    except StopIteration:
        raise EmptyTable() from None
    while headers and not headers[-1].strip():  # Bitrix24 ends every line with a separator
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, [restore(cell) for cell in cells]

    return Table([restore(h.strip()) for h in headers], rows())


def read_xlsx(path: Path | io.BytesIO) -> Table:
    check_xlsx(path)
    from openpyxl import load_workbook  # here, not at the top: ~18 MB the bot needs only for a spreadsheet

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableXlsx(detail=error) from error
    check_dimension(sheet.max_row, sheet.max_column)
    lines = sheet.iter_rows(values_only=True)
    try:
        headers = [restore(str(cell or "").strip()) for cell in next(lines)]
    except StopIteration:
        raise EmptyTable() from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(lines, start=2):
                values = ["" if cell is None else restore(_cell_text(cell)) for cell in cells]
                if any(value.strip() for value in values):
                    yield number, values
        except Exception as error:  # a sheet broken further down: openpyxl raises many kinds here too
            raise UnreadableXlsx(detail=error) from error
        finally:
            book.close()

    return Table(headers, rows())


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def read_table(path: Path) -> Table:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    check_csv_size(path.stat().st_size)
    return read_csv(path.read_bytes())


def read_table_bytes(data: bytes, filename: str) -> Table:
    """A table sent as a file (a document in the bot)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(io.BytesIO(data))
    if filename.lower().endswith((".csv", ".txt")):
        return read_csv(data)
    raise UnsupportedTableFile(name=filename[:64])


def check_written_name(path: Path) -> None:
    """Refuse a file name that is neither .csv nor .xlsx (rather than write CSV into "leads.json")."""
    if path.suffix.lower() not in WRITTEN_SUFFIXES:
        raise UnsupportedTableFile(name=path.name[:64])


def write_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """CSV (UTF-8 with BOM, ";", as Excel in Russia opens it) or XLSX, by the file's extension."""
    check_written_name(path)
    path.write_bytes(table_bytes(path.suffix.lower() == ".xlsx", headers, rows))


def table_bytes(xlsx: bool, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The file's bytes; no cell of it starts a formula, whatever text it holds."""
    cells = [[neutralise(value) for value in headers]]
    cells.extend([neutralise("" if value is None else value) for value in row] for row in rows)
    buffer = io.BytesIO()
    if xlsx:
        from openpyxl import Workbook  # see read_xlsx

        book = Workbook(write_only=True)
        sheet = book.create_sheet("leads")
        for line in cells:
            sheet.append(line)
        book.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=";").writerows(cells)
    return text.getvalue().encode("utf-8-sig")
