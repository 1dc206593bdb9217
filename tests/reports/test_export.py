"""CSV and XLSX downloads of an occupancy report."""

import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone

from park.reports.export import Headings, occupancy_csv, occupancy_xlsx, rows_csv
from park.reports.occupancy import BookedGroup, FacilityOpen, occupancy_report

START = datetime(2026, 11, 23, 16, tzinfo=timezone.utc)


def make_report(label: str = "创意设计实验室"):
    facility = FacilityOpen(1, label, "lab", 10, "一号楼", capacity=2, open_hours=10)
    return occupancy_report(
        "facility", START, START + timedelta(days=1), [facility], [BookedGroup("1", label, 5)]
    )


def test_csv_starts_with_a_bom_so_excel_reads_chinese_names():
    data = occupancy_csv(make_report())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["key", "label", "open_hours", "booked_hours", "utilization"]
    assert lines[1] == ["1", "创意设计实验室", "20.00", "5.00", "0.2500"]
    assert lines[2] == ["total", "Total", "20.00", "5.00", "0.2500"]


def test_csv_headings_follow_the_readers_language():
    data = occupancy_csv(make_report(), Headings(label="名称", total="合计"))
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][1] == "名称"
    assert lines[-1][1] == "合计"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv():
    data = occupancy_csv(make_report("=HYPERLINK(\"http://x\")"))
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[1][1].startswith("'=")


def test_xlsx_is_a_workbook_with_the_rows_and_a_chart_sheet():
    data = occupancy_xlsx(make_report(), subtitle="2026-11-24")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        workbook = book.read("xl/workbook.xml").decode("utf-8")
    assert any(name.startswith("xl/chartsheets/") for name in names)
    assert any(name.startswith("xl/charts/chart") for name in names)
    assert "创意设计实验室" in strings
    assert 'name="Occupancy"' in workbook and 'name="Chart"' in workbook


def test_xlsx_keeps_a_formula_looking_name_as_text():
    data = occupancy_xlsx(make_report("=1+1"))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet


def test_any_table_exports_as_csv_with_blank_for_missing_values():
    data = rows_csv(["building", "occupancy"], [["一号楼", 0.5], ["二号楼", None]])
    assert data.decode("utf-8-sig").splitlines() == ["building,occupancy", "一号楼,0.5", "二号楼,"]
