"""What makes an imported file unacceptable, found before the file is parsed for the import, so a hostile
or broken file gets a clear refusal instead of a traceback or the bot's memory.

CSV: its size, its encoding, and one pass of the CSV reader over it (cells, columns, rows) before the
import reads it for real. XLSX: the zip's directory first (sizes and packing ratio; zipfile never inflates
a member past its declared size: it fails the CRC instead), then a streaming expat pass over every member
that bounds what openpyxl would build in memory: cells per row (it materialises a whole row before we
see it), rows, shared strings and any other elements. The limits are far above a real lead table.
"""

from __future__ import annotations

import csv
import io
import zlib
from pathlib import Path
from typing import IO
from xml.parsers import expat
from zipfile import BadZipFile, ZipFile, ZipInfo

from leadbot.errors import DomainError
from leadbot.i18n_marker import N_

MiB = 1024 * 1024
MAX_ROWS = 100_000  # data rows, the header not counted
MAX_COLUMNS = 256
MAX_CSV_BYTES = 32 * MiB
MAX_XLSX_UNPACKED = 64 * MiB  # all members of the zip together, as their directory declares them
MAX_PACKING_RATIO = 100  # unpacked : packed, for a member of more than RATIO_FLOOR unpacked
RATIO_FLOOR = MiB
MAX_SHARED_STRINGS = 500_000
MAX_ITEM_ELEMENTS = 16 * MAX_COLUMNS  # XML elements inside one row or one shared string
MAX_OTHER_ELEMENTS = 300_000  # elements of one member outside its rows and shared strings


class TableError(DomainError):
    """The file cannot be read as a table at all (not a bad row: those are rejected one by one). Its
    messages follow "cannot read FILE: " in the bot's and the command line's answers."""

    code = "unreadable_table"


class UnreadableXlsx(TableError):
    code = "unreadable_xlsx"
    template = N_("not a readable XLSX file: {detail}")


class EmptyTable(TableError):
    code = "empty_table"
    template = N_("the file is empty")


class UnsupportedTableFile(TableError):
    code = "unsupported_table_file"
    template = N_("“{name}” is not a .csv or .xlsx file: use one of those two formats")


class TooManyRows(DomainError):
    code = "too_many_rows"
    template = N_("The table has more than {limit} rows: split it into several files.")


class TooManyColumns(DomainError):
    code = "too_many_columns"
    template = N_("The table has more than {limit} columns.")


class TableTooLarge(DomainError):
    code = "table_too_large"
    template = N_("The file is too large: at most {limit} MB of table data. Split it into several files.")


class OverbuiltXlsx(DomainError):
    code = "overbuilt_xlsx"
    template = N_(
        "This XLSX file unpacks into far more than a table of leads needs, so it is not read. "
        "Save the table again, or as CSV, and send it."
    )


class NotText(DomainError):
    code = "not_text"
    template = N_("The file is not a text table in UTF-8 or Windows-1251: save it as CSV (UTF-8) or XLSX.")


class CellTooLong(DomainError):
    code = "cell_too_long"
    template = N_("Row {line}: a cell is longer than {limit} characters.")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def check_csv_size(size: int) -> None:
    if size > MAX_CSV_BYTES:
        raise TableTooLarge(limit=MAX_CSV_BYTES // MiB)


def csv_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1251: the two encodings Russian spreadsheets produce.
    Bytes that are neither, or NUL characters (binary data, UTF-16), are not a text table."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise NotText() from None
    if "\x00" in text:
        raise NotText()
    return text


def check_csv_records(text: str, separator: str) -> None:
    """Read the records once (the header included) and refuse the file if one is out of bounds.
    With newline="" and no strict mode, the reader's one error is a cell over csv.field_size_limit()."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows = 0
    try:
        for cells in reader:
            used = len(cells)
            while used and not cells[used - 1].strip():
                used -= 1
            if used > MAX_COLUMNS:
                raise TooManyColumns(limit=_number(MAX_COLUMNS))
            rows += 1 if used else 0
            if rows > MAX_ROWS + 1:
                raise TooManyRows(limit=_number(MAX_ROWS))
    except csv.Error:
        raise CellTooLong(line=reader.line_num, limit=_number(csv.field_size_limit())) from None


def check_dimension(max_row: int | None, max_column: int | None) -> None:
    """openpyxl pads every row to the sheet's declared dimension: refuse a dimension out of bounds."""
    if (max_row or 0) > MAX_ROWS + 1:
        raise TooManyRows(limit=_number(MAX_ROWS))
    if (max_column or 0) > MAX_COLUMNS:
        raise TooManyColumns(limit=_number(MAX_COLUMNS))


def check_xlsx(source: Path | IO[bytes]) -> None:
    """Refuse an XLSX file whose zip or XML is out of bounds, reading it in a stream."""
    try:
        archive = ZipFile(source)
    except (BadZipFile, OSError) as error:
        raise UnreadableXlsx(detail=error) from error
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_XLSX_UNPACKED:
            raise TableTooLarge(limit=MAX_XLSX_UNPACKED // MiB)
        for member in members:
            packed = max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and member.file_size / packed > MAX_PACKING_RATIO:
                raise OverbuiltXlsx()
        for member in members:
            _scan(archive, member)


def _scan(archive: ZipFile, member: ZipInfo) -> None:
    shape = _Shape()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(MiB):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not XML (an image), or XML broken further on: openpyxl refuses that when it gets there
    except (BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise UnreadableXlsx(detail=error) from error


class _Shape:
    """Counts what openpyxl would keep of one XML member, and refuses as soon as a count is too big."""

    def __init__(self) -> None:
        self.item = ""  # "row" or "si" inside a row or a shared string, else ""
        self.depth = 0  # of the current element below the row or shared string
        self.elements = 0  # inside the current row or shared string
        self.rows = 0
        self.row = 0  # the number openpyxl gives the current row: its r attribute, else the next one
        self.column = 0
        self.strings = 0
        self.other = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if self.item:
            self.depth += 1
            self.elements += 1
            if self.elements > MAX_ITEM_ELEMENTS:
                raise OverbuiltXlsx()
            if self.item == "row" and self.depth == 1 and local == "c":
                self._cell(attributes.get("r"))
        elif local == "row":
            self._row(attributes.get("r"))
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise OverbuiltXlsx()
            self.item, self.depth, self.elements = "si", 0, 0
        else:
            self.other += 1
            if self.other > MAX_OTHER_ELEMENTS:
                raise OverbuiltXlsx()

    def end(self, _name: str) -> None:
        if not self.item:
            return
        if self.depth:
            self.depth -= 1
        else:
            self.item = ""

    def _row(self, number: str | None) -> None:
        self.rows += 1
        self.row = self.row + 1 if number is None else _row_number(number)
        if max(self.rows, self.row) > MAX_ROWS + 1:
            raise TooManyRows(limit=_number(MAX_ROWS))
        self.item, self.depth, self.elements, self.column = "row", 0, 0, 0

    def _cell(self, reference: str | None) -> None:
        if reference is None:
            self.column += 1
        else:
            from openpyxl.utils.cell import column_index_from_string, coordinate_from_string  # see tables.py
            from openpyxl.utils.exceptions import CellCoordinatesException

            try:
                self.column = column_index_from_string(coordinate_from_string(reference)[0])
            except (CellCoordinatesException, ValueError):
                raise UnreadableXlsx(detail=f"cell {reference[:20]!r}") from None
        if self.column > MAX_COLUMNS:
            raise TooManyColumns(limit=_number(MAX_COLUMNS))


def _row_number(text: str) -> int:
    """A row's r attribute as openpyxl reads it: an integer, possibly written as a float ("5.0")."""
    try:
        value = float(text)
        if value.is_integer():
            return int(value)
    except ValueError:
        pass
    raise UnreadableXlsx(detail=f"row number {text[:20]!r}")
