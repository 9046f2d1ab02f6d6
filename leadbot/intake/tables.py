"""Reading and writing lead tables: CSV (UTF-8 with or without BOM, or Windows-1251; ";" or ",") and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

SEPARATORS = (";", ",", "\t")


class TableError(Exception):
    """The file cannot be read as a table at all (not a bad row: those are rejected one by one)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells)


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1251: the two encodings Russian spreadsheets produce."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def guess_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_csv(data: bytes) -> Table:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_separator(first_line))
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError("the file is empty") from None
    while headers and not headers[-1].strip():  # Bitrix24 ends every line with a separator
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells

    return Table([h.strip() for h in headers], rows())


def read_xlsx(path: Path | io.BytesIO) -> Table:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError(f"not a readable XLSX file: {error}") from error
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    try:
        headers = [str(cell or "").strip() for cell in next(lines)]
    except StopIteration:
        raise TableError("the sheet is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(lines, start=2):
            values = ["" if cell is None else _cell_text(cell) for cell in cells]
            if any(value.strip() for value in values):
                yield number, values
        book.close()

    return Table(headers, rows())


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def read_table(path: Path) -> Table:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return read_csv(path.read_bytes())


def read_table_bytes(data: bytes, filename: str) -> Table:
    """A table sent as a file (a document in the bot)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(io.BytesIO(data))
    if filename.lower().endswith((".csv", ".txt")):
        return read_csv(data)
    raise TableError("send a .csv or .xlsx file")


def write_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """CSV (UTF-8 with BOM, ";", as Excel in Russia opens it) or XLSX, by the file's extension."""
    path.write_bytes(table_bytes(path.suffix.lower() == ".xlsx", headers, rows))


def table_bytes(xlsx: bool, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.BytesIO()
    if xlsx:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("leads")
        sheet.append(list(headers))
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
        book.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";")
    writer.writerow(headers)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return text.getvalue().encode("utf-8-sig")
