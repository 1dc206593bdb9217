"""Booking pages: the booking form (with recurrence), my bookings, the manager's approval queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.accounts.guards import manager_only, signed_in
from park.accounts.tables import User
from park.bookings import service
from park.bookings.api import current_policy
from park.bookings.model import CONFIRMED, PENDING, REQUESTED
from park.bookings.recurrence import RecurrenceError, rrule_for
from park.bookings.rules import check_in_window
from park.bookings import queries
from park.facilities import queries as facility_queries
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, Forbidden, NotFound
from park.shared.labels import label
from park.shared.web import flash, gettext_for, page, page_lang, redirect, safe_next, settings_of

Form = URLEncodedBody[dict[str, str]]


def _local(value: str, zone) -> datetime:
    """A datetime-local form value read on the park's wall clock."""
    return datetime.fromisoformat(value).replace(tzinfo=zone)


def _say(error: DomainError, _) -> str:
    """The error in the reader's language: rule violations carry their templates."""
    violations = getattr(error, "violations", None)
    if violations:
        return "; ".join(_(v.template, **dict(v.params)) for v in violations)
    return _(error.detail)


def _errors_of(error: DomainError, _) -> dict[str, str]:
    violations = getattr(error, "violations", None)
    if violations:
        errors: dict[str, str] = {}
        for v in violations:
            errors.setdefault(v.field if v.code == "validation" else "form", _(v.template, **dict(v.params)))
        return errors
    errors = {item.field: _(item.message) for item in getattr(error, "errors", []) or []}
    if not errors:
        errors["form"] = _(error.detail)
    return errors


async def _act(request: Request, booking_id: int, data: dict[str, str], action: str) -> Redirect:
    _ = gettext_for(page_lang(request))
    zone = settings_of(request).zone
    actor = caller(request)
    try:
        if action == "cancel":
            await service.cancel_booking(actor, booking_id, utc_now(), zone)
            flash(request, _("The booking was cancelled."), "success")
        elif action == "check_in":
            await service.check_in(actor, booking_id, utc_now())
            flash(request, _("You are checked in."), "success")
        elif action == "approve":
            await service.approve_booking(actor, booking_id, utc_now(), zone)
            flash(request, _("The booking was approved."), "success")
        elif action == "reject":
            await service.reject_booking(actor, booking_id, utc_now(), zone, data.get("reason", "").strip())
            flash(request, _("The booking was rejected."), "success")
    except (NotFound, Forbidden):
        raise  # another firm's booking answers 404, exactly like one that does not exist
    except DomainError as error:
        flash(request, _say(error, _), "error")
    return redirect(safe_next(data.get("next"), "/bookings"))


class BookingPages(Controller):
    path = ""
    include_in_schema = False
    guards = [signed_in]

    @get("/facilities/{facility_id:int}/book")
    async def booking_form(self, request: Request, facility_id: FromPath[int], start: FromQuery[str | None] = None, end: FromQuery[str | None] = None) -> Template:
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound(f"There is no facility {facility_id}.")
        form = {"starts_at": (start or "")[:16], "ends_at": (end or "")[:16], "seats": "1", "purpose": "", "recurrence": "",
                "repeat": "", "repeat_count": "4"}
        return page(request, "bookings/form.html", facility=facility, form=form, errors={}, preview=None)

    @post("/facilities/{facility_id:int}/book")
    async def book(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        settings = settings_of(request)
        zone = settings.zone
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound(f"There is no facility {facility_id}.")
        errors: dict[str, str] = {}
        preview = None
        try:
            seats = int(data.get("seats") or 1)
        except ValueError:
            seats, errors["seats"] = 0, _("Give a whole number of seats.")
        try:
            starts_at = _local(data.get("starts_at", ""), zone)
            ends_at = _local(data.get("ends_at", ""), zone)
        except ValueError:
            errors["starts_at"] = _("Give the start and the end as date and time.")
        recurrence = data.get("recurrence", "").strip() or None
        if recurrence is None and data.get("repeat"):
            try:
                recurrence = rrule_for(data["repeat"], int(data.get("repeat_count") or 0))
            except (RecurrenceError, ValueError) as error:
                errors["repeat_count"] = _(getattr(error, "message", "A series has between 2 and 52 bookings."))
        if not errors:
            booking_input = service.BookingInput(
                facility_id=facility_id, starts_at=starts_at, ends_at=ends_at, seats=seats,
                purpose=data.get("purpose", "").strip()[:500], recurrence=recurrence,
                skip_clashes=data.get("skip_clashes") == "on",
            )
            try:
                if recurrence and data.get("action") == "preview":
                    preview = await service.preview_series(caller(request), booking_input, utc_now(), zone)
                else:
                    row = await service.book_facility(caller(request), booking_input, utc_now(), zone, current_policy(settings))
                    count = len(row.get("created") or [row])
                    flash(request, _("Booked: %(count)s booking(s), status %(status)s.", count=count, status=_(label("booking_status", row["status"]))), "success")
                    return redirect("/bookings")
            except DomainError as error:
                errors = _errors_of(error, _)
                if error.extra.get("rule") == "series_clashes" and error.extra.get("occurrences"):
                    errors["form"] = _(
                        "Some dates of the series cannot be booked (see the list below). Tick "
                        "“Book the series without the dates that clash” to book the others, or change the series."
                    )
                if error.extra.get("occurrences"):
                    preview = await service.preview_series(caller(request), booking_input, utc_now(), zone)
        return page(request, "bookings/form.html", status_code=422 if errors else 200, facility=facility,
                    form=data, errors=errors, preview=preview)

    @get("/bookings")
    async def my_bookings(self, request: Request, show: FromQuery[str | None] = None) -> Template:
        actor = caller(request)
        now = utc_now()
        settings = settings_of(request)
        upcoming = show != "past"
        rows, total = await service.list_bookings(
            actor,
            user_id=None if (actor.is_tenant_admin or actor.is_manager) and show == "firm" else actor.id,
            starts_from=now if upcoming else None,
            ends_before=None if upcoming else now,
            limit=200, newest_first=not upcoming,
        )
        token_row = await User.select(User.calendar_token).where(User.id == actor.id).first()
        calendar_url = f"{settings.base_url.rstrip('/')}/calendar/{token_row['calendar_token']}.ics" if token_row else ""
        for row in rows:
            value = queries.to_value(row)
            window = check_in_window(value)
            row["can_check_in"] = row["status"] == CONFIRMED and row["user"] == actor.id and window.contains(now)
            row["can_cancel"] = row["status"] in (REQUESTED, PENDING, CONFIRMED) and row["ends_at"] > now
        return page(request, "bookings/mine.html", bookings=rows, total=total, show=show or "upcoming",
                    calendar_url=calendar_url)

    @post("/bookings/{booking_id:int}/cancel")
    async def cancel(self, request: Request, booking_id: FromPath[int], data: Form) -> Redirect:
        return await _act(request, booking_id, data, "cancel")

    @post("/bookings/{booking_id:int}/check-in")
    async def check_in(self, request: Request, booking_id: FromPath[int], data: Form) -> Redirect:
        return await _act(request, booking_id, data, "check_in")

    @post("/bookings/series/{series_id:int}/cancel")
    async def cancel_series(self, request: Request, series_id: FromPath[int], data: Form) -> Redirect:
        _ = gettext_for(page_lang(request))
        try:
            rows = await service.cancel_series(caller(request), series_id, None, utc_now(), settings_of(request).zone)
            flash(request, _("%(count)s bookings of the series were cancelled.", count=len(rows)), "success")
        except (NotFound, Forbidden):
            raise
        except DomainError as error:
            flash(request, _(error.detail), "error")
        return redirect(safe_next(data.get("next"), "/bookings"))

class ApprovalPages(Controller):
    path = "/approvals"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def queue(self, request: Request) -> Template:
        rows, total = await service.list_bookings(caller(request), statuses=[PENDING], starts_from=utc_now(), limit=200)
        return page(request, "bookings/approvals.html", bookings=rows, total=total)

    @post("/{booking_id:int}/approve")
    async def approve(self, request: Request, booking_id: FromPath[int], data: Form) -> Redirect:
        return await _act(request, booking_id, data | {"next": "/approvals"}, "approve")

    @post("/{booking_id:int}/reject")
    async def reject(self, request: Request, booking_id: FromPath[int], data: Form) -> Redirect:
        return await _act(request, booking_id, data | {"next": "/approvals"}, "reject")


ROUTES: list[Any] = [BookingPages, ApprovalPages]
