"""CSV and XLSX files of report rows. Pure (bytes in memory, no disk)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import xlsxwriter

from park.reports.occupancy import BOOKER_GROUPINGS, OccupancyReport, OccupancyRow
from park.shared.labels import N_
from park.shared.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, UTF8_BOM, rows_csv, rows_xlsx  # noqa: F401 (files of reports)
from park.shared.spreadsheets import cell_text as _cell_text, sheet_name as _sheet_name


@dataclass(frozen=True)
class Headings:
    """Column headings and sheet names in the reader's language (English: the contract's names)."""

    key: str = N_("key")
    label: str = N_("label")
    open_hours: str = N_("open_hours")
    booked_hours: str = N_("booked_hours")
    utilization: str = N_("utilization")
    share_of_booked: str = N_("share_of_booked")
    booked_hours_of: str = N_("booked_hours_%(kind)s")  # a column per facility kind, for rows by who booked
    total: str = N_("Total")
    sheet: str = N_("Occupancy")
    chart_sheet: str = N_("Chart")
    chart_title: str = N_("Utilization")


def headings_in(translate: Callable[[str], str]) -> Headings:
    """The headings said by `translate` (a catalogue's lookup for the reader's language)."""
    english = Headings()
    return Headings(**{name: translate(getattr(english, name)) for name in english.__dataclass_fields__})


def labelled(report: OccupancyReport, label_of: Callable[[OccupancyRow], str]) -> OccupancyReport:
    """The report with each row named by `label_of` (the reader's language: a kind's display name, a name's English)."""
    return replace(report, rows=tuple(replace(row, label=label_of(row)) for row in report.rows))


def _figure(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _kinds(report: OccupancyReport) -> list[str]:
    return sorted({kind for row in report.rows for kind, _hours in row.booked_hours_by_kind})


def booker_table(report: OccupancyReport, headings: Headings = Headings()) -> tuple[list[str], list[list[object]]]:
    """Rows by who booked: booked seat-hours, share of all booked, and booked seat-hours per facility kind."""
    kinds = _kinds(report)
    titles = [headings.key, headings.label, headings.booked_hours, headings.share_of_booked,
              *(headings.booked_hours_of % {"kind": kind} for kind in kinds)]
    lines: list[list[object]] = []
    for row in report.rows:
        hours = dict(row.booked_hours_by_kind)
        lines.append([row.key, row.label, round(row.booked_hours, 2),
                      None if row.share_of_booked is None else round(row.share_of_booked, 4),
                      *(round(hours.get(kind, 0.0), 2) for kind in kinds)])
    totals = report.totals
    lines.append([totals.key, headings.total, round(totals.booked_hours, 2),
                  1.0 if totals.booked_hours else None, *([None] * len(kinds))])
    return titles, lines


def occupancy_csv(report: OccupancyReport, headings: Headings = Headings()) -> bytes:
    """The report's rows and a totals line as UTF-8 CSV with a BOM."""
    if report.group_by in BOOKER_GROUPINGS:
        titles, lines = booker_table(report, headings)
        return rows_csv(titles, lines)
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [headings.key, headings.label, headings.open_hours, headings.booked_hours,
         headings.utilization]
    )
    for row in (*report.rows, report.totals):
        label = headings.total if row is report.totals else row.label
        writer.writerow(
            [
                _cell_text(row.key),
                _cell_text(label),
                _figure(row.open_hours, 2),
                _figure(row.booked_hours, 2),
                _figure(row.utilization, 4),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def occupancy_xlsx(
    report: OccupancyReport,
    headings: Headings = Headings(),
    subtitle: str = "",
) -> bytes:
    """A workbook with the rows (utilization as a percentage) and a chart sheet."""
    if report.group_by in BOOKER_GROUPINGS:
        titles, lines = booker_table(report, headings)
        return rows_xlsx(titles, lines, headings.sheet)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    hours = workbook.add_format({"num_format": "#,##0.00"})
    share = workbook.add_format({"num_format": "0.0%"})
    bold_hours = workbook.add_format({"num_format": "#,##0.00", "bold": True})
    bold_share = workbook.add_format({"num_format": "0.0%", "bold": True})

    sheet = workbook.add_worksheet(_sheet_name(headings.sheet))
    first_row = 0
    if subtitle:
        sheet.write_string(0, 0, subtitle, bold)
        first_row = 2
    columns = (headings.key, headings.label, headings.open_hours, headings.booked_hours,
               headings.utilization)
    for column, title in enumerate(columns):
        sheet.write_string(first_row, column, title, bold)
    for offset, row in enumerate(report.rows, start=1):
        line = first_row + offset
        _write_row(sheet, line, row.key, row.label, row, hours, share)
    total_line = first_row + len(report.rows) + 1
    _write_row(sheet, total_line, report.totals.key, headings.total, report.totals,
               bold_hours, bold_share)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 4, 16)
    sheet.freeze_panes(first_row + 1, 0)

    if report.rows:  # a chart without a series cannot be written: an empty window gets the table alone
        chart = workbook.add_chart({"type": "bar"})
        name = sheet.get_name()
        chart.add_series(
            {
                "name": headings.utilization,
                "categories": [name, first_row + 1, 1, first_row + len(report.rows), 1],
                "values": [name, first_row + 1, 4, first_row + len(report.rows), 4],
                "data_labels": {"value": True, "num_format": "0%"},
                "fill": {"color": "#2563EB"},
            }
        )
        chart.set_title({"name": headings.chart_title})
        chart.set_x_axis({"num_format": "0%", "min": 0})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chartsheet = workbook.add_chartsheet(_sheet_name(headings.chart_sheet))
        chartsheet.set_chart(chart)
    workbook.close()
    return buffer.getvalue()


def _write_row(sheet, line: int, key: str, label: str, row, hours_format, share_format) -> None:
    # write_string, never write(): a label starting with "=" must stay text.
    sheet.write_string(line, 0, key)
    sheet.write_string(line, 1, label)
    sheet.write_number(line, 2, round(row.open_hours, 2), hours_format)
    sheet.write_number(line, 3, round(row.booked_hours, 2), hours_format)
    if row.utilization is None:
        sheet.write_blank(line, 4, None, share_format)
    else:
        sheet.write_number(line, 4, round(row.utilization, 4), share_format)
