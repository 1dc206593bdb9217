"""Any table as a CSV or Excel file. Pure (bytes in memory, no disk)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter

CSV_MEDIA_TYPE = "text/csv"
"""Litestar adds "; charset=utf-8" to every text/ type: naming it here sent it twice."""
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a CSV as the local code page unless it starts with a BOM;
# without it Chinese names come out as mojibake.
UTF8_BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """Text that a spreadsheet shows as typed rather than evaluates."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def sheet_name(name: str) -> str:
    # Excel limits sheet names to 31 characters and forbids []:*?/\
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in name).strip("'")
    return (cleaned or "Sheet")[:31]


def rows_csv(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """Any table as UTF-8 CSV with a BOM (space occupancy, leases ending soon…)."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow(
            [cell_text(value) if isinstance(value, str) else ("" if value is None else value)
             for value in row]
        )
    return buffer.getvalue().encode("utf-8")


def rows_xlsx(headings: Sequence[str], rows: Sequence[Sequence[object]], sheet: str = "Sheet") -> bytes:
    """Any table as a one-sheet workbook; text stays text, numbers stay numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = workbook.add_worksheet(sheet_name(sheet))
    bold = workbook.add_format({"bold": True})
    for column, heading in enumerate(headings):
        worksheet.write_string(0, column, heading, bold)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                worksheet.write_blank(line, column, None)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                worksheet.write_number(line, column, value)
            else:
                # write_string, never write(): text starting with "=" must stay text.
                worksheet.write_string(line, column, str(value))
    workbook.close()
    return buffer.getvalue()
