"""Write tabular exports that open as they should in Belgian Excel.

CSV: UTF-8 with a byte-order mark (without it Excel reads the file as Windows-1252), `;` as
separator (`,` is the decimal separator in fr-BE and nl-BE), dates dd/mm/yyyy, decimal comma.
XLSX: openpyxl in write-only mode, so that memory stays flat whatever the number of rows.

Every function takes an iterable of rows and consumes it lazily: the caller streams rows from
the database (`values_list(...).iterator()`), nothing here ever holds the whole export.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

BOM = "\ufeff"
DELIMITER = ";"
DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel runs a cell starting with one of these as a formula (CSV injection): neutralise it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk yielded by the streaming writer: one write per row would be slow over HTTP.
_ROWS_PER_CHUNK = 500


def csv_cell(value: Any) -> str:
    """Return `value` as Belgian Excel expects it in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.strftime(f"{DATE_FORMAT} %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what the csv module writes to it (one line at a time)."""

    def write(self, value: str) -> str:
        return value


def iter_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield the CSV text in chunks: the BOM and header first, then blocks of rows."""
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    yield BOM + writer.writerow([str(h) for h in header])
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([csv_cell(v) for v in row]))
        if len(chunk) >= _ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 bytes, ready for a StreamingHttpResponse."""
    for text in iter_csv(header, rows):
        yield text.encode("utf-8")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], file: IO[str]) -> int:
    """Write the CSV to a text file opened with newline=""; return the number of data rows written."""
    count = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for text in iter_csv(header, counted()):
        file.write(text)
    return count


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], file: IO[bytes] | str, *, sheet_title: str = "Export"
) -> int:
    """Write an XLSX workbook (write-only mode, real date cells shown dd/mm/yyyy); return the data rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([str(h) for h in header])
    # One styled cell per date column, reused: write-only mode serialises each row as it is appended.
    date_cells: dict[int, Any] = {}
    count = 0
    for row in rows:
        cells: list[Any] = list(row)
        for i, value in enumerate(cells):
            if isinstance(value, datetime.date):
                cell = date_cells.get(i)
                if cell is None:
                    cell = date_cells[i] = WriteOnlyCell(sheet)
                    cell.number_format = XLSX_DATE_FORMAT
                cell.value = value
                cells[i] = cell
            elif isinstance(value, str) and value.startswith(_FORMULA_START):
                cells[i] = "'" + value
        sheet.append(cells)
        count += 1
    workbook.save(file)
    return count
