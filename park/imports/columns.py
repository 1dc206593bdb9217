"""What an import file may hold, kind by kind, and how a cell's text becomes a value. Pure.

Each kind has columns with a key (the header a template carries), an English label (translated
for the reader; a header may be the key or the label in either language) and a parser that
turns the cell into a value or raises `CellError`. The domain rules (a valid USCC, a known
sector, an existing building) are the services' own checks, applied when the row is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from park.shared.labels import N_

KINDS = ("tenants", "units", "facilities", "leases")
MAX_ROWS = 5000
MAX_CELL = 2000


class CellError(ValueError):
    """A cell that cannot be read: a message (translatable, with %(name)s parameters)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    parse: Callable[[Any], Any]
    required: bool = False
    hint: str = ""


def _text(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))  # a spreadsheet's 12.0 for a typed 12
        if len(text) > limit:
            raise CellError(N_("Use at most %(limit)s characters."), limit=limit)
        if "\x00" in text:
            raise CellError(N_("Remove the control characters."))
        return text

    return parse


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(N_("Enter a whole number."))
        if isinstance(value, (int, float)) and float(value).is_integer():
            number = int(value)
        else:
            try:
                number = int(str(value).strip().replace(",", ""))
            except ValueError:
                raise CellError(N_("Enter a whole number.")) from None
        if not low <= number <= high:
            raise CellError(N_("Enter a number from %(low)s to %(high)s."), low=low, high=high)
        return number

    return parse


def _area(value: Any) -> float:
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise CellError(N_("Enter an area in square metres, e.g. 120.5.")) from None
    if not 0 < number <= 100_000:
        raise CellError(N_("Enter a number from %(low)s to %(high)s."), low=1, high=100_000)
    return number


_TRUE = {"yes", "y", "true", "1", "是", "需要", "✓"}
_FALSE = {"no", "n", "false", "0", "否", "不需要", ""}


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(N_("Write yes or no."))


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise CellError(N_("Write the date as YYYY-MM-DD, e.g. 2027-01-01.")) from None
    if not 2000 <= day.year <= 2999:
        raise CellError(N_("Choose a date between the years 2000 and 2999."))
    return day


def _words(value: Any) -> list[str]:
    text = _text(MAX_CELL)(value)
    for separator in ("，", "、", ";", "；", "|"):
        text = text.replace(separator, ",")
    return [word.strip() for word in text.split(",") if word.strip()]


COLUMNS: dict[str, tuple[Column, ...]] = {
    "tenants": (
        Column("uscc", N_("USCC"), _text(18), True, N_("The 18-character unified social credit code; a firm already in Park is updated.")),
        Column("name", N_("Registered name"), _text(200), True),
        Column("name_en", N_("English name"), _text(200)),
        Column("sector", N_("Sector"), _text(40), True, N_("A sector key, e.g. animation_games.")),
        Column("qualifications", N_("Qualifications"), _words, hint=N_("Qualification keys separated by commas, e.g. leading_firm, original_brand.")),
        Column("staff_count", N_("Staff"), _whole(0, 1_000_000)),
        Column("rd_staff_count", N_("R&D staff"), _whole(0, 1_000_000)),
        Column("ip_count", N_("Patents and copyrights"), _whole(0, 1_000_000)),
        Column("contact_email", N_("Contact e-mail"), _text(200)),
    ),
    "units": (
        Column("code", N_("Unit code"), _text(40), True, N_("For example A-1203; a unit already in Park is updated.")),
        Column("building", N_("Building code"), _text(20), True),
        Column("floor", N_("Floor"), _whole(-10, 300), True),
        Column("kind", N_("Unit kind"), _text(20), True, N_("office, lab, studio, showroom or warehouse.")),
        Column("area_m2", N_("Area (m²)"), _area, True),
        Column("monthly_rent_fen", N_("Monthly rent (fen)"), _whole(0, 10**10)),
    ),
    "facilities": (
        Column("code", N_("Facility code"), _text(40), True, N_("For example D-LAB-3D; a facility already in Park is updated.")),
        Column("building", N_("Building code"), _text(20), True),
        Column("name", N_("Name"), _text(200), True),
        Column("name_en", N_("English name"), _text(200)),
        Column("kind", N_("Facility kind"), _text(20), True, N_("lab, equipment, studio, meeting_room, event_hall or workstation.")),
        Column("capacity", N_("Seats"), _whole(1, 10_000)),
        Column("platform", N_("Platform"), _text(200)),
        Column("platform_en", N_("Platform's English name"), _text(200)),
        Column("booking_mode", N_("Booking mode"), _text(10), hint=N_("instant or window.")),
        Column("requires_approval", N_("Needs approval"), _yes_no),
        Column("requires_authorization", N_("Needs training"), _yes_no),
        Column("hourly_rate_fen", N_("Hourly rate (fen)"), _whole(0, 10**9)),
        Column("description", N_("Description"), _text(MAX_CELL)),
    ),
    "leases": (
        Column("unit", N_("Unit code"), _text(40), True),
        Column("tenant", N_("USCC"), _text(18), True, N_("The firm's unified social credit code.")),
        Column("starts_on", N_("Starts on"), _day, True),
        Column("ends_on", N_("Ends on (exclusive)"), _day, True, N_("The first day no longer leased.")),
    ),
}


@dataclass(frozen=True)
class RowError:
    row: int
    """The row's number in the file (the header is row 1)."""
    field: str
    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class ParsedRow:
    row: int
    values: dict[str, Any]
    """Only the columns the file has and the row fills; required ones always."""


def header_map(kind: str, headers: list[Any], labels: dict[str, set[str]]) -> tuple[dict[int, Column], list[RowError]]:
    """Which column each header names. `labels` maps a key to the names a reader may use for it
    (its translated labels); keys and labels match case-insensitively."""
    by_name: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in {column.key, *labels.get(column.key, set())}:
            by_name[name.strip().lower()] = column
    found: dict[int, Column] = {}
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        name = "" if header is None else str(header).strip().lower()
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            errors.append(RowError(1, str(header)[:60], N_("Unknown column; use the template's headings."), {}))
        elif column in found.values():
            errors.append(RowError(1, column.key, N_("This column appears twice."), {}))
        else:
            found[index] = column
    for column in COLUMNS[kind]:
        if column.required and column not in found.values():
            errors.append(RowError(1, column.key, N_("The file lacks this column."), {}))
    return found, errors


def parse_rows(kind: str, columns: dict[int, Column], rows: list[list[Any]]) -> tuple[list[ParsedRow], list[RowError]]:
    """Every data row's values, or its errors; blank rows are skipped."""
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    for offset, cells in enumerate(rows):
        number = offset + 2
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        values: dict[str, Any] = {}
        for index, column in columns.items():
            cell = cells[index] if index < len(cells) else None
            if cell is None or str(cell).strip() == "":
                if column.required:
                    errors.append(RowError(number, column.key, N_("Fill in this cell."), {}))
                continue
            try:
                values[column.key] = column.parse(cell)
            except CellError as error:
                errors.append(RowError(number, column.key, error.message, error.params))
        parsed.append(ParsedRow(number, values))
    return parsed, errors
