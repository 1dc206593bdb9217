"""The manager's dashboard page, and approving or rejecting a booking from it (htmx or plain forms)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from park.shared.guards import manager_only
from park.bookings import queries as booking_queries
from park.bookings import status_changes as bookings
from park.bookings.pages import decision_message, named, waiting_counts
from park.dashboard import model, queries
from park.reports import charts
from park.reports import snapshot_queries
from park.reports import service as reports
from park.reports.periods import Window
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.labels import label
from park.shared.web import flash, gettext_for, page, page_lang, redirect, set_nav_counts, settings_of

Form = URLEncodedBody[dict[str, str]]


def _kind_bars(rows: list[dict[str, Any]], lang: str) -> list[charts.Bar]:
    _ = gettext_for(lang)
    return [
        charts.Bar(_(label("facility_kind", row["key"])), row["utilization"],
                   f"{row['booked_hours']:g}/{row['open_hours']:g} h")
        for row in rows
    ]


async def _today(request: Request, now: datetime, lang: str) -> dict[str, Any]:
    """Today's occupancy in the park's time zone: counts, utilization by facility kind and its chart."""
    _ = gettext_for(lang)
    zone = settings_of(request).zone
    today, starts_at, ends_at = model.local_day(now, zone)
    window = Window(starts_at.astimezone(timezone.utc), ends_at.astimezone(timezone.utc))
    report = await reports.build_occupancy_report(window, "kind", zone)
    rows = [row.as_dict() for row in report.rows]
    return {
        "day": today,
        "in_use": await queries.in_use_count(now),
        "booked": await queries.booked_count(window.starts_at, window.ends_at),
        "totals": report.totals.as_dict(),
        "rows": rows,
        "chart": charts.responsive(
            charts.bar_chart,
            "today-kind",
            _("Today's utilization by facility kind"),
            _("Booked seat-hours today as a share of open seat-hours, per facility kind."),
            _kind_bars(rows, lang),
            empty_message=_("Nothing is open today."),
        ),
    }


async def _space(request: Request, now: datetime) -> dict[str, Any]:
    today = now.astimezone(settings_of(request).zone).date()
    units, leased = await queries.units_and_leases(today)
    found = model.vacancies(units, leased)
    return {
        "vacancies": found,
        "vacant_units": sum(item.units for item in found),
        "vacant_m2": round(sum(item.area_m2 for item in found), 2),
        "unit_count": len(units),
        "open_applications": await queries.open_application_count(),
    }


async def _latest_snapshot(lang: str) -> dict[str, Any] | None:
    _ = gettext_for(lang)
    items, _total = await snapshot_queries.list_snapshots(limit=1)
    if not items:
        return None
    snapshot = items[0]
    rows = snapshot.data.get("by_kind", [])
    return {
        "record": snapshot,
        "totals": snapshot.data.get("totals", {}),
        "chart": charts.responsive(
            charts.bar_chart,
            f"snapshot-{snapshot.id}-kind",
            _("Utilization by facility kind, %(period)s", period=snapshot.period),
            _("Booked seat-hours as a share of open seat-hours in the report's period, per facility kind."),
            _kind_bars(rows, lang),
            empty_message=_("Nothing was open in this period."),
        ),
    }


@get("/dashboard", guards=[manager_only], include_in_schema=False)
async def dashboard(request: Request) -> Template:
    now = utc_now()
    lang = page_lang(request)
    approvals, pending_total = await queries.pending_approvals(now)
    return page(
        request,
        "dashboard/index.html",
        now=now,
        today=await _today(request, now, lang),
        approvals=approvals,
        pending_total=pending_total,
        space=await _space(request, now),
        snapshot=await _latest_snapshot(lang),
        waiting_hours=lambda created_at: model.waiting_hours(created_at, now),
    )


async def _answer(request: Request, booking: dict[str, Any], verdict: str) -> Template | Redirect:
    """htmx swaps the decided row in place and the counts of what waits out of band; a plain form post goes
    back to the dashboard. Either way the message names the facility, the firm and the time."""
    lang = page_lang(request)
    zone = settings_of(request).zone
    names = await booking_queries.named_bookings([booking["id"]])
    message = decision_message(gettext_for(lang), verdict, named(names.get(booking["id"]), lang, zone))
    if request.headers.get("hx-request") == "true":
        now = utc_now()
        set_nav_counts(request, await waiting_counts(caller(request), now))
        return page(request, "dashboard/_decided.html", booking=booking, message=message,
                    pending_total=await queries.pending_total(now))
    flash(request, message, "success")
    return redirect("/dashboard#approvals")


@post("/dashboard/approvals/{booking_id:int}/approve", guards=[manager_only], include_in_schema=False)
async def approve(request: Request, booking_id: FromPath[int]) -> Template | Redirect:
    booking = await bookings.approve_booking(caller(request), booking_id, utc_now(), settings_of(request).zone)
    return await _answer(request, booking, "approve")


@post("/dashboard/approvals/{booking_id:int}/reject", guards=[manager_only], include_in_schema=False)
async def reject(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    reason = (data.get("reason") or "").strip()[:500]
    booking = await bookings.reject_booking(caller(request), booking_id, utc_now(), settings_of(request).zone, reason)
    return await _answer(request, booking, "reject")


ROUTES: list[Any] = [dashboard, approve, reject]
