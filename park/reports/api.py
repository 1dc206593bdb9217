"""Reports JSON API: occupancy over a window, its files, space on a date, snapshots."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from typing_extensions import Annotated

from park.shared.guards import manager_only
from park.reports import export, queries, service
from park.reports import snapshots
from park.reports import snapshot_queries
from park.reports.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from park.reports.occupancy import GROUPINGS, OccupancyReport, OccupancyRow
from park.settings import Settings
from park.facilities.model import FACILITY_KINDS
from park.reports.periods import PERIOD_KINDS
from park.shared import i18n
from park.shared.api import one_of, paging, reader_lang
from park.shared.errors import NotFound, ValidationFailed


class OccupancyRowOut(msgspec.Struct):
    key: str
    label: str
    label_en: str
    open_hours: float
    """Open seat-hours: capacity × hours open, closed hours and blackouts excluded."""
    booked_hours: float
    """Booked seat-hours: seats × hours booked, clipped to the window."""
    utilization: float | None
    """booked_hours / open_hours; null when nothing was open, and for rows by tenant or sector (a firm has no open hours of its own)."""
    share_of_booked: float | None | msgspec.UnsetType = msgspec.UNSET
    """Rows by tenant or sector: this group's share of all booked seat-hours."""
    booked_hours_by_kind: dict[str, float] | msgspec.UnsetType = msgspec.UNSET
    """Rows by tenant or sector: booked seat-hours per facility kind."""


class OccupancyOut(msgspec.Struct):
    from_: datetime = msgspec.field(name="from")
    to: datetime = msgspec.field(name="to")
    group_by: str = "facility"
    rows: list[OccupancyRowOut] = []
    totals: OccupancyRowOut | None = None


class SpaceRowOut(msgspec.Struct):
    key: str
    label: str
    leasable_m2: float
    leased_m2: float
    vacant_m2: float
    occupancy: float | None
    label_en: str = ""
    """A building's English name (empty when it has none, and for rows by kind)."""


class SpaceOut(msgspec.Struct):
    on: date
    by_building: list[SpaceRowOut]
    by_kind: list[SpaceRowOut]
    totals: SpaceRowOut


class SnapshotSummary(msgspec.Struct):
    id: int
    kind: str
    period: str
    generated_at: datetime
    starts_at: datetime
    ends_at: datetime
    totals: dict[str, Any]


class SnapshotPage(msgspec.Struct):
    items: list[SnapshotSummary]
    total: int


class SnapshotOut(msgspec.Struct):
    id: int
    kind: str
    period: str
    generated_at: datetime
    starts_at: datetime
    ends_at: datetime
    data: dict[str, Any]


GroupBy = Annotated[str, QueryParameter(description=f"One of {', '.join(GROUPINGS)}.")]
WindowFrom = Annotated[
    str | None,
    QueryParameter(name="from", description="RFC 3339 time with offset, or a date (park-local midnight)."),
]
WindowTo = Annotated[
    str | None,
    QueryParameter(description="Exclusive end: RFC 3339 time with offset, or a date."),
]


def _filters(kind: str | None, building_id: int | None) -> queries.Filters:
    return queries.Filters(kind=one_of(kind, FACILITY_KINDS, "kind") or "", building_id=building_id)


def _row_out(row: dict[str, Any]) -> OccupancyRowOut:
    return OccupancyRowOut(**row)


async def occupancy(
    settings: Settings,
    from_text: str | None,
    to_text: str | None,
    group_by: str,
    kind: str | None,
    building_id: int | None,
):
    window = service.window_from_query(from_text, to_text, settings.zone)
    return await service.build_occupancy_report(
        window, service.check_group_by(group_by), settings.zone, _filters(kind, building_id)
    )


async def _snapshot_or_404(snapshot_id: int) -> snapshot_queries.SnapshotRecord:
    found = await snapshot_queries.get_snapshot(snapshot_id)
    if found is None:
        raise NotFound("No snapshot has this id.")
    return found


def _file_name(report, extension: str, zone: ZoneInfo) -> str:
    # Park-local days: a window from local midnight starts the day before in UTC.
    day_from = report.starts_at.astimezone(zone).strftime("%Y%m%d")
    day_to = report.ends_at.astimezone(zone).strftime("%Y%m%d")
    return f"occupancy-{report.group_by}-{day_from}-{day_to}.{extension}"


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [manager_only]

    @get("/occupancy", summary="Facility utilization over a window, grouped")
    async def occupancy(
        self,
        settings: NamedDependency[Settings],
        from_: WindowFrom = None,
        to: WindowTo = None,
        group_by: GroupBy = "facility",
        kind: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
    ) -> OccupancyOut:
        report = await occupancy(settings, from_, to, group_by, kind, building_id)
        body = service.report_json(report)
        return OccupancyOut(
            from_=body["from"],
            to=body["to"],
            group_by=body["group_by"],
            rows=[_row_out(row) for row in body["rows"]],
            totals=_row_out(body["totals"]),
        )

    @get("/occupancy.csv", summary="The occupancy rows as CSV (UTF-8 with BOM)")
    async def occupancy_csv(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        from_: WindowFrom = None,
        to: WindowTo = None,
        group_by: GroupBy = "facility",
        kind: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        report = _in_language(await occupancy(settings, from_, to, group_by, kind, building_id), request)
        return Response(
            export.occupancy_csv(report, _headings(request)),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "csv", settings.zone)}"'},
        )

    @get("/occupancy.xlsx", summary="The occupancy rows as an Excel workbook with a chart")
    async def occupancy_xlsx(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        from_: WindowFrom = None,
        to: WindowTo = None,
        group_by: GroupBy = "facility",
        kind: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        report = _in_language(await occupancy(settings, from_, to, group_by, kind, building_id), request)
        subtitle = f"{report.starts_at.astimezone(settings.zone):%Y-%m-%d %H:%M} – " \
            f"{report.ends_at.astimezone(settings.zone):%Y-%m-%d %H:%M} ({settings.timezone})"
        return Response(
            export.occupancy_xlsx(report, headings=_headings(request), subtitle=subtitle),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "xlsx", settings.zone)}"'},
        )

    @get("/space-occupancy", summary="Leased m² over leasable m² on a date, by building and kind")
    async def space_occupancy(self, on: FromQuery[str | None] = None) -> SpaceOut:
        day = parse_day(on, "on")
        body = service.space_json(day, await service.build_space_report(day))
        return SpaceOut(
            on=day,
            by_building=[SpaceRowOut(**row) for row in body["by_building"]],
            by_kind=[SpaceRowOut(**row) for row in body["by_kind"]],
            totals=SpaceRowOut(**body["totals"]),
        )

    @get("/snapshots", summary="Scheduled report snapshots, newest first")
    async def snapshots(
        self,
        kind: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> SnapshotPage:
        limit, offset = paging(limit, offset)
        items, total = await snapshots.snapshot_list(one_of(kind, PERIOD_KINDS, "kind") or "", limit, offset)
        return SnapshotPage(items=[SnapshotSummary(**item.summary()) for item in items], total=total)

    @get("/snapshots/{snapshot_id:int}/occupancy.csv", summary="A snapshot's rows as CSV")
    async def snapshot_csv(
        self,
        request: Request, settings: NamedDependency[Settings], snapshot_id: FromPath[int], group_by: GroupBy = "kind"
    ) -> Response[bytes]:
        report = _in_language(stored_report(await _snapshot_or_404(snapshot_id), group_by), request)
        return Response(
            export.occupancy_csv(report, _headings(request)),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "csv", settings.zone)}"'},
        )

    @get("/snapshots/{snapshot_id:int}/occupancy.xlsx", summary="A snapshot's rows as an Excel workbook")
    async def snapshot_xlsx(
        self,
        request: Request, settings: NamedDependency[Settings], snapshot_id: FromPath[int], group_by: GroupBy = "kind"
    ) -> Response[bytes]:
        found = await _snapshot_or_404(snapshot_id)
        report = _in_language(stored_report(found, group_by), request)
        return Response(
            export.occupancy_xlsx(report, headings=_headings(request), subtitle=f"{found.kind} {found.period}"),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "xlsx", settings.zone)}"'},
        )

    @get("/snapshots/{snapshot_id:int}", summary="One snapshot with all its figures")
    async def snapshot(self, snapshot_id: FromPath[int]) -> SnapshotOut:
        found = await _snapshot_or_404(snapshot_id)
        return SnapshotOut(
            id=found.id,
            kind=found.kind,
            period=found.period,
            generated_at=found.generated_at,
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            data=found.data,
        )


def stored_report(found: snapshot_queries.SnapshotRecord, group_by: str) -> OccupancyReport:
    """A snapshot's stored rows as a report, for its files: the figures as produced."""
    service.check_group_by(group_by)

    def row(values: dict[str, Any]) -> OccupancyRow:
        return OccupancyRow(values["key"], values["label"], values["open_hours"],
                            values["booked_hours"], values.get("label_en", ""))

    rows = tuple(row(values) for values in found.data.get(f"by_{group_by}", []))
    return OccupancyReport(group_by, found.starts_at, found.ends_at, rows, row(found.data["totals"]))


def parse_day(text: str | None, field: str) -> date:
    if not text:
        raise ValidationFailed.on(field, "This parameter is required: a date like 2026-11-24.")
    try:
        return date.fromisoformat(text.strip()[:10]) if len(text.strip()) == 10 else _bad(field, text)
    except ValueError:
        return _bad(field, text)


def _bad(field: str, text: str) -> date:
    raise ValidationFailed.on(field, "%(text)s is not a date; write it like 2026-11-24.", text=repr(text))


ROUTES = [ReportController]


def _in_language(report: OccupancyReport, request: Request) -> OccupancyReport:
    """The report's row names in the reader's language, for a file."""
    lang = reader_lang(request)
    return export.labelled(report, lambda row: service.row_label(row.as_dict(), report.group_by, lang))


def _headings(request: Request) -> export.Headings:
    """File headings and sheet names in the reader's language (the contract's names in English)."""
    return export.headings_in(partial(i18n.translate, reader_lang(request)))
