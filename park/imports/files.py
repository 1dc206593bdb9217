"""Reading an uploaded CSV or XLSX into rows of cells, and writing the blank templates.

Bytes in, cells out: no disk. An XLSX is read with openpyxl in read-only mode (streamed, first
sheet, values not formulas); a CSV as UTF-8 (with or without the BOM Excel writes) or, failing
that, GB18030 (what Chinese Excel saves as "CSV").
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import xlsxwriter

from park.imports.columns import COLUMNS, MAX_ROWS
from park.shared import i18n
from park.shared.labels import N_

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileError(ValueError):
    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def _csv_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(N_("The file is neither UTF-8 nor GB18030 text; save it again as CSV UTF-8."))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileError(N_("The file is not an Excel workbook (.xlsx) Park can read.")) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def read_table(filename: str, content: bytes) -> tuple[list[Any], list[list[Any]]]:
    """(headers, data rows) of the file; FileError when it cannot be read or is too long."""
    if not content:
        raise FileError(N_("The file is empty."))
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(content)
    else:
        rows = [list(row) for row in csv.reader(io.StringIO(_csv_text(content)))]
    while rows and all(cell is None or str(cell).strip() == "" for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileError(N_("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise FileError(N_("A file may hold at most %(limit)s rows; split it."), limit=MAX_ROWS)
    return rows[0], rows[1:]


def template(kind: str, file_format: str, lang: str) -> bytes:
    """A blank file for `kind`: the column keys as headings (CSV), plus a sheet explaining each
    column in the reader's language (XLSX)."""
    columns = COLUMNS[kind]
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow([column.key for column in columns])
        return ("\ufeff" + buffer.getvalue()).encode()
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(kind)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.key, bold)
        sheet.set_column(index, index, max(14, len(column.key) + 4))
    help_sheet = book.add_worksheet(i18n.translate(lang, N_("Columns")))
    for index, heading in enumerate((N_("Heading"), N_("Meaning"), N_("Required"), N_("How to fill it in"))):
        help_sheet.write_string(0, index, i18n.translate(lang, heading), bold)
    for row, column in enumerate(columns, start=1):
        help_sheet.write_string(row, 0, column.key)
        help_sheet.write_string(row, 1, i18n.translate(lang, column.label))
        help_sheet.write_string(row, 2, i18n.translate(lang, N_("yes") if column.required else N_("no")))
        help_sheet.write_string(row, 3, i18n.translate(lang, column.hint) if column.hint else "")
    help_sheet.set_column(0, 0, 24)
    help_sheet.set_column(1, 1, 28)
    help_sheet.set_column(3, 3, 80)
    book.close()
    return output.getvalue()
