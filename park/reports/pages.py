"""Report pages: occupancy with SVG charts and filters, space, snapshots."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from typing_extensions import Annotated

from park.shared.guards import manager_only
from park.reports import charts, queries, service
from park.reports.service import row_label
from park.reports import snapshot_queries
from park.reports import space_queries
from park.reports.occupancy import GROUPINGS
from park.reports.periods import Window, local_midnight
from park.shared.clock import utc_now
from park.shared.errors import NotFound, ValidationFailed
from park.shared.labels import label
from park.shared.web import gettext_for, page, page_lang, settings_of

FACILITY_KINDS = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")
GROUP_NAMES = {
    "facility": "Facility",
    "kind": "Kind",
    "building": "Building",
    "platform": "Platform",
    "tenant": "Tenant",
    "sector": "Sector",
}
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Text = FromQuery[str | None]


def bars(rows: list[dict[str, Any]], group_by: str, lang: str, limit: int = 20) -> list[charts.Bar]:
    """Bars for the busiest rows first, so a long list shows what matters."""
    measured = sorted(rows, key=lambda row: -(row["utilization"] or 0))[:limit]
    return [
        charts.Bar(
            row_label(row, group_by, lang),
            row["utilization"],
            f"{row['booked_hours']:g}/{row['open_hours']:g} h",
        )
        for row in measured
    ]


def chart_set(data: dict[str, Any], lang: str, prefix: str) -> dict[str, str]:
    """The SVG charts of a report (live or snapshot), as markup strings."""
    _ = gettext_for(lang)
    result: dict[str, str] = {}
    for group_by in ("kind", "building"):
        rows = data.get(f"by_{group_by}", [])
        result[group_by] = charts.responsive(
            charts.bar_chart,
            f"{prefix}-{group_by}",
            _("Utilization by %(group)s", group=_(GROUP_NAMES[group_by]).lower()),
            _("Booked seat-hours as a share of open seat-hours, per %(group)s.",
              group=_(GROUP_NAMES[group_by]).lower()),
            bars(rows, group_by, lang),
            empty_message=_("Nothing was open in this period."),
        )
    heat = data.get("heat_map")
    if heat:
        hours_open = [
            hour for hour in range(24)
            if any(heat["utilization"][day][hour] is not None for day in range(7))
        ]
        first, last = (min(hours_open), max(hours_open)) if hours_open else (8, 20)
        result["heat"] = charts.responsive(
            charts.heat_map_chart,
            f"{prefix}-heat",
            _("Busy hours"),
            _("Utilization by weekday and hour of day; grey cells were closed."),
            heat["utilization"],
            [_(name) for name in WEEKDAY_SHORT],
            closed_label=_("closed"),
            legend_label=_("Share of open seat-hours booked"),
            first_hour=first,
            last_hour=last,
        )
    daily = data.get("daily") or []
    if len(daily) > 1:
        result["daily"] = charts.responsive(
            charts.time_series_chart,
            f"{prefix}-daily",
            _("Utilization day by day"),
            _("Each bar is one day's booked share of open seat-hours."),
            [charts.Bar(item["day"][5:], item["utilization"]) for item in daily],
            empty_message=_("No data"),
        )
    return result


def _query_window(request: Request, from_text: str | None, to_text: str | None) -> Window:
    settings = settings_of(request)
    if not from_text and not to_text:
        # Default: the 30 whole park-local days before today.
        today = utc_now().astimezone(settings.zone).date()
        return Window(
            local_midnight(today - timedelta(days=30), settings.zone),
            local_midnight(today, settings.zone),
        )
    return service.window_from_query(from_text, to_text, settings.zone)


@get("/reports", guards=[manager_only], include_in_schema=False)
async def reports_page(
    request: Request,
    from_: Annotated[str | None, QueryParameter(name="from")] = None,
    to: Text = None,
    group_by: Text = None,
    kind: Text = None,
    building: Annotated[str | None, QueryParameter(name="building_id")] = None,
) -> Template:
    settings = settings_of(request)
    lang = page_lang(request)
    # The form's "all buildings" sends building_id= (empty): that is no filter, not an error.
    building_id = int(building) if building and building.isdigit() and int(building) < 2**31 else None
    zone = settings.zone
    errors: list[Any] = []
    group = group_by if group_by in GROUPINGS else "kind"
    filters = queries.Filters(kind=kind if kind in FACILITY_KINDS else "", building_id=building_id)
    try:
        window = _query_window(request, from_, to)
    except ValidationFailed as error:
        errors = error.errors
        window = _query_window(request, None, None)
    opened = await service.open_facilities(window, zone, filters)
    report = await service.build_occupancy_report(window, group, zone, filters, opened)
    data: dict[str, Any] = {"by_" + group: service.report_json(report)["rows"]}
    for other in ("kind", "building"):
        if other != group:
            extra = await service.build_occupancy_report(window, other, zone, filters, opened)
            data["by_" + other] = service.report_json(extra)["rows"]
    profile = await service.build_time_profile(window, zone, opened, filters)
    data["heat_map"] = profile.heat.as_dict()
    data["daily"] = profile.daily
    rates = await service.booking_rates(window, filters)
    local_from = window.starts_at.astimezone(zone)
    local_to = window.ends_at.astimezone(zone)
    query = {
        "from": local_from.date().isoformat()
        if local_from.time().isoformat() == "00:00:00"
        else local_from.isoformat(),
        "to": local_to.date().isoformat()
        if local_to.time().isoformat() == "00:00:00"
        else local_to.isoformat(),
        "group_by": group,
    }
    if filters.kind:
        query["kind"] = filters.kind
    if building_id is not None:
        query["building_id"] = str(building_id)
    buildings = await queries.buildings()
    snapshots, _total = await snapshot_queries.list_snapshots(limit=10)
    return page(
        request,
        "reports/index.html",
        report=report,
        rows=[dict(row.as_dict(), name=row_label(row.as_dict(), group, lang)) for row in report.rows],
        totals=report.totals.as_dict(),
        group_by=group,
        groupings=[(name, GROUP_NAMES[name]) for name in GROUPINGS],
        kinds=[(name, label("facility_kind", name)) for name in FACILITY_KINDS],
        buildings=buildings,
        filters=filters,
        from_value=query["from"],
        to_value=query["to"],
        shown_to=(local_to - timedelta(microseconds=1)).date() if local_to.time().isoformat() == "00:00:00" else local_to,
        local_from=local_from,
        local_to=local_to,
        charts=chart_set(data, lang, "live"),
        rates=rates.as_dict(),
        busiest=profile.heat.busiest(),
        weekday_names=WEEKDAY_SHORT,
        download_query=urlencode(query),
        errors=errors,
        snapshots=snapshots,
        zone_name=settings.timezone,
    )


@get("/reports/space", guards=[manager_only], include_in_schema=False)
async def space_page(request: Request, on: Text = None) -> Template:
    settings = settings_of(request)
    today = utc_now().astimezone(settings.zone).date()
    errors: list[Any] = []
    day = today
    if on:
        try:
            from park.reports.api import parse_day

            day = parse_day(on, "on")
        except ValidationFailed as error:
            errors = error.errors
    report = await service.build_space_report(day)
    lang = page_lang(request)
    _ = gettext_for(lang)
    body = service.space_json(day, report)
    chart = charts.responsive(
        charts.bar_chart,
        "space-building",
        _("Space occupancy by building"),
        _("Leased m² as a share of leasable m², per building."),
        [charts.Bar(row_label(row, "building", lang), row["occupancy"], f"{row['leased_m2']:g}/{row['leasable_m2']:g} m²")
         for row in body["by_building"]],
        empty_message=_("No units are recorded yet."),
    )
    kind_chart = charts.responsive(
        charts.bar_chart,
        "space-kind",
        _("Space occupancy by unit kind"),
        _("Leased m² as a share of leasable m², per unit kind."),
        [charts.Bar(_(label("unit_kind", row["key"])), row["occupancy"],
                    f"{row['leased_m2']:g}/{row['leasable_m2']:g} m²")
         for row in body["by_kind"]],
        empty_message=_("No units are recorded yet."),
    )
    ending = await space_queries.leases_ending(day, service.LEASES_ENDING_WITHIN_DAYS)
    unmet = await space_queries.unmet_demand()
    return page(
        request,
        "reports/space.html",
        day=day,
        space=body,
        building_chart=chart,
        kind_chart=kind_chart,
        ending=ending,
        unmet=unmet,
        errors=errors,
    )


@get("/reports/snapshots", guards=[manager_only], include_in_schema=False)
async def snapshots_page(
    request: Request,
    kind: Text = None,
    page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
) -> Template:
    per_page = 30
    chosen = kind if kind in ("daily", "weekly", "monthly") else ""
    items, total = await snapshot_queries.list_snapshots(chosen, per_page, (page_number - 1) * per_page)
    return page(
        request,
        "reports/snapshots.html",
        snapshots=items,
        total=total,
        kind=chosen,
        page_number=page_number,
        pages=max(1, -(-total // per_page)),
    )


@get("/reports/snapshots/{snapshot_id:int}", guards=[manager_only], include_in_schema=False)
async def snapshot_page(request: Request, snapshot_id: FromPath[int]) -> Template:
    found = await snapshot_queries.get_snapshot(snapshot_id)
    if found is None:
        raise NotFound("No snapshot has this id.")
    lang = page_lang(request)
    settings = settings_of(request)
    data = found.data
    return page(
        request,
        "reports/snapshot.html",
        snapshot=found,
        data=data,
        charts=chart_set(data, lang, f"snap{found.id}"),
        kind_rows=[dict(row, name=row_label(row, "kind", lang)) for row in data.get("by_kind", [])],
        building_rows=[dict(row, name=row_label(row, "building", lang)) for row in data.get("by_building", [])],
        facility_rows=[dict(row, name=row_label(row, "facility", lang)) for row in data.get("by_facility", [])],
        tenant_rows=[dict(row, name=row_label(row, "tenant", lang)) for row in data.get("by_tenant", [])][:20],
        weekday_names=WEEKDAY_SHORT,
        first_day=found.starts_at.astimezone(settings.zone).date(),
        last_day=(found.ends_at.astimezone(settings.zone) - timedelta(days=1)).date(),
    )


ROUTES: list[Any] = [reports_page, space_page, snapshots_page, snapshot_page]
