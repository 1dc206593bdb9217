"""Booking pages: the booking form (with recurrence), my bookings, the manager's approval queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.shared.guards import manager_only, signed_in
from park.accounts.tables import User
from park.bookings import moving, quotas, search, series, service, status_changes
from park.bookings.catalogue_pages import ROUTES as CATALOGUE_ROUTES
from park.bookings.calendar import ICS, booking_event_file, host_of
from park.priority.service import current_policy
from park.bookings.model import CONFIRMED, PENDING, REQUESTED
from park.bookings.recurrence import RecurrenceError, rrule_for
from park.bookings.terms import Skipped, booked_outcome
from park.bookings.terms_view import charges_and_draw, say, terms_context
from park.bookings.rules import approval_order, approval_urgency, check_in_window
from park.bookings import queries
from park.facilities import queries as facility_queries
from park.facilities.model import FACILITY_KINDS
from park.shared.actor import Actor
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, Forbidden, NotFound, ValidationFailed
from park.shared.timespan import Span
from park.shared.labels import label
from park.priority.model import DEFAULT_CHARGES
from park.shared.i18n import format_datetime, format_percent, format_span, format_when, local, said
from park.shared.web import (
    ConfirmSection, confirm_page, confirmed, error_message, flash, form_errors, gettext_for, page, page_lang, redirect,
    safe_next, set_nav_counts, settings_of,
)

Form = URLEncodedBody[dict[str, str]]


def _local(value: str, zone) -> datetime:
    """A datetime-local form value read on the park's wall clock."""
    return datetime.fromisoformat(value).replace(tzinfo=zone)


def _form_time(value: datetime, zone) -> str:
    """An instant as a datetime-local form value on the park's wall clock."""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


async def _choices(alternatives: list[dict[str, Any]] | None, zone) -> list[dict[str, Any]]:
    """A refusal's alternatives, with their facilities, ready for one-click buttons."""
    choices = []
    for alternative in alternatives or []:
        facility = await facility_queries.get_facility(alternative["facility_id"])
        if facility is None:
            continue
        starts_at = datetime.fromisoformat(alternative["starts_at"])
        ends_at = datetime.fromisoformat(alternative["ends_at"])
        choices.append({"facility": facility, "starts_at": starts_at, "ends_at": ends_at,
                        "start": _form_time(starts_at, zone), "end": _form_time(ends_at, zone)})
    return choices


async def _bookers(actor) -> list[dict[str, Any]]:
    """Whom a manager (any firm's members) or a firm's administrator (the firm's) may book for; empty for others."""
    if actor.is_manager:
        return await queries.members_to_book_for(None)
    if actor.is_tenant_admin and actor.tenant_id is not None:
        return await queries.members_to_book_for(actor.tenant_id)
    return []


def _is_clash(error: DomainError) -> bool:
    return error.extra.get("rule") in search.CLASH_RULE_NAMES


def _booked_message(request: Request, facility: dict[str, Any], row: dict[str, Any]) -> tuple[str, list[str]]:
    """What was booked, where, when, its status, and what happens next (a series: the dates skipped and why)."""
    lang = page_lang(request)
    _ = gettext_for(lang)
    settings = settings_of(request)
    zone = settings.zone
    created = row.get("created") or [row]
    spans = [Span(r["starts_at"], r["ends_at"]) for r in created]
    skipped = [Skipped(check.span, check.violations[0].template, check.violations[0].params)
               for check in row.get("skipped_checks") or [] if check.violations]
    draw = {k: v for k, v in charges_and_draw(settings).items() if k != "charges"}
    outcome = booked_outcome(facility_queries.to_spec(facility), row["status"], spans, skipped, zone, **draw)
    name = local(facility, lang)
    building = local(facility, lang, "building_name")
    status = _(label("booking_status", outcome.status))
    when = format_when(outcome.span.starts_at, outcome.span.ends_at, lang, zone)
    if outcome.spans:
        message = _("Booked %(count)s dates at %(facility)s, %(building)s, from %(when)s. Status: %(status)s.",
                    count=len(spans), facility=name, building=building, when=when, status=status)
    else:
        message = _("Booked %(facility)s, %(building)s, %(when)s. Status: %(status)s.",
                    facility=name, building=building, when=when, status=status)
    details = [say(step, _, lang, zone) for step in outcome.next_steps]
    for skip in outcome.skipped:
        reason = _(skip.template, **dict(skip.params))
        details.append(_("Not booked: %(when)s (%(reason)s).", when=format_when(skip.span.starts_at, skip.span.ends_at, lang, zone), reason=reason))
    return message, details


SEARCH_DURATIONS = (30, 60, 90, 120, 180, 240, 480)


async def _act(request: Request, booking_id: int, data: dict[str, str], action: str) -> Redirect:
    _ = gettext_for(page_lang(request))
    zone = settings_of(request).zone
    actor = caller(request)
    try:
        if action == "cancel":
            await status_changes.cancel_booking(actor, booking_id, utc_now(), zone)
            flash(request, _("The booking was cancelled."), "success")
        elif action == "check_in":
            await status_changes.check_in(actor, booking_id, utc_now())
            flash(request, _("You are checked in."), "success")
        elif action == "approve":
            await status_changes.approve_booking(actor, booking_id, utc_now(), zone)
            flash(request, _("The booking was approved."), "success")
        elif action == "reject":
            await status_changes.reject_booking(actor, booking_id, utc_now(), zone, data.get("reason", "").strip())
            flash(request, _("The booking was rejected."), "success")
    except (NotFound, Forbidden):
        raise  # another firm's booking answers 404, exactly like one that does not exist
    except DomainError as error:
        flash(request, error_message(error, _), "error")
    return redirect(safe_next(data.get("next"), "/bookings"))


async def _quota(request: Request, facility: dict[str, Any]) -> dict[str, Any] | None:
    """The reader's firm's hours this month on the facility's kind (none for park staff)."""
    actor = caller(request)
    if actor.tenant_id is None:
        return None
    settings = settings_of(request)
    rows = await quotas.quota_balance(actor.tenant_id, current_policy(settings), utc_now(), settings.zone,
                                      kinds=(facility["kind"],))
    return rows[0] if rows else None


class BookingPages(Controller):
    path = ""
    include_in_schema = False
    guards = [signed_in]

    @get("/facilities/{facility_id:int}/book")
    async def booking_form(
        self, request: Request, facility_id: FromPath[int], start: FromQuery[str | None] = None, end: FromQuery[str | None] = None,
        seats: FromQuery[str | None] = None,
    ) -> Template:
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        wanted_seats = seats if seats and seats.isdigit() and 1 <= int(seats) <= facility["capacity"] else "1"
        form = {"starts_at": (start or "")[:16], "ends_at": (end or "")[:16], "seats": wanted_seats, "purpose": "", "recurrence": "",
                "repeat": "", "repeat_count": "4"}
        return page(request, "bookings/form.html", facility=facility, form=form, errors={}, preview=None, alternatives=[], waitlist=None,
                    bookers=await _bookers(caller(request)), quota=await _quota(request, facility),
                    **await terms_context(request, facility, form["starts_at"], form["ends_at"], wanted_seats))

    @get("/facilities/{facility_id:int}/book/terms")
    async def terms_panel(
        self, request: Request, facility_id: FromPath[int], starts_at: FromQuery[str | None] = None,
        ends_at: FromQuery[str | None] = None, seats: FromQuery[str | None] = None, start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Template:
        """The "what applies" panel alone, for the asked times: the form refreshes it (htmx) when they change."""
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        return page(request, "bookings/_terms.html", facility=facility,
                    **await terms_context(request, facility, starts_at or start, ends_at or end, seats))

    @post("/facilities/{facility_id:int}/book")
    async def book(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        settings = settings_of(request)
        zone = settings.zone
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        errors: dict[str, str] = {}
        preview = None
        alternatives: list[dict[str, Any]] = []
        waitlist: dict[str, Any] | None = None
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
        if data.get("action") == "check":
            pass  # the panel below, for these times, without JavaScript; nothing is booked
        elif not errors:
            booking_input = service.BookingInput(
                facility_id=facility_id, starts_at=starts_at, ends_at=ends_at, seats=seats,
                purpose=data.get("purpose", "").strip()[:500], recurrence=recurrence,
                skip_clashes=data.get("skip_clashes") == "on",
                user_id=int(data["user_id"]) if data.get("user_id", "").isdigit() and len(data["user_id"]) < 12 else None,
            )
            try:
                if recurrence and data.get("action") == "preview":
                    preview = await series.preview_series(caller(request), booking_input, utc_now(), zone)
                else:
                    row = await service.book_facility(caller(request), booking_input, utc_now(), zone, current_policy(settings))
                    message, details = _booked_message(request, facility, row)
                    flash(request, message, "success", details)
                    return redirect("/bookings")
            except DomainError as error:
                errors = form_errors(error, _)
                if _is_clash(error) and not recurrence:
                    alternatives = await _choices(error.extra.get("alternatives"), zone)
                    if facility["booking_mode"] == "instant":
                        waitlist = {"facility_id": facility_id, "starts_at": _form_time(starts_at, zone),
                                    "ends_at": _form_time(ends_at, zone), "seats": seats, "purpose": data.get("purpose", "")}
                if error.extra.get("rule") == "series_clashes" and error.extra.get("occurrences"):
                    errors["form"] = _(
                        "Some dates of the series cannot be booked (see the list below). Tick "
                        "“Book the series without the dates that clash” to book the others, or change the series."
                    )
                if error.extra.get("occurrences"):
                    preview = await series.preview_series(caller(request), booking_input, utc_now(), zone)
        return page(request, "bookings/form.html", status_code=(409 if alternatives or waitlist else 422) if errors else 200,
                    facility=facility, form=data, errors=errors, preview=preview, alternatives=alternatives, waitlist=waitlist,
                    bookers=await _bookers(caller(request)), quota=await _quota(request, facility),
                    **await terms_context(request, facility, data.get("starts_at"), data.get("ends_at"), data.get("seats")))

    @get("/find")
    async def find(
        self, request: Request, starts: FromQuery[str | None] = None, ends: FromQuery[str | None] = None,
        duration: FromQuery[str | None] = None, seats: FromQuery[str | None] = None, kind: FromQuery[str | None] = None,
        building: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
    ) -> Template:
        """Time-first search: when, how long, how many, what kind, where; facilities with fitting free time."""
        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        now = utc_now()
        tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
        form = {
            "starts": (starts or f"{tomorrow.isoformat()}T09:00")[:16], "ends": (ends or f"{tomorrow.isoformat()}T18:00")[:16],
            "duration": duration or "60", "seats": seats or "1", "kind": kind or "", "building": building or "", "q": (q or "")[:100],
        }
        errors: dict[str, str] = {}
        hits = None
        if starts is not None:
            window = None
            try:
                window = Span(_local(form["starts"], zone), _local(form["ends"], zone))
            except ValueError:
                errors["starts"] = _("Give the start and the end as date and time, the end after the start.")
            try:
                duration_minutes = int(form["duration"])
                seat_count = int(form["seats"])
                building_id = int(form["building"]) if form["building"] else None
                if not (1 <= duration_minutes <= 7 * 24 * 60 and seat_count >= 1):
                    raise ValueError
            except ValueError:
                errors["duration"] = _("Give the duration and the seats as whole numbers.")
            if form["kind"] and form["kind"] not in FACILITY_KINDS:
                errors["kind"] = _("Choose a kind from the list.")
            if not errors and window is not None:
                try:
                    hits = await search.search_availability(
                        caller(request), window, now, zone, duration_minutes=duration_minutes, seats=seat_count,
                        kind=form["kind"] or None, building_id=building_id, q=form["q"] or None,
                    )
                except ValidationFailed as error:
                    errors["starts"] = "; ".join(form_errors(error, _).values())
        results = []
        for hit in hits or []:
            minimum = timedelta(minutes=hit.facility["min_duration_minutes"])
            length = max(timedelta(minutes=int(form["duration"])), minimum)
            results.append({
                "facility": hit.facility, "bookable": hit.bookable,
                "reason": _(hit.reason_template, **dict(hit.reason_params)) if hit.reason_template else "",
                "free": [{"span": span, "start": _form_time(span.starts_at, zone),
                          "end": _form_time(span.starts_at + length, zone)} for span in hit.free[:6]],
                "more": max(len(hit.free) - 6, 0),
            })
        buildings = await facility_queries.list_buildings()
        return page(request, "bookings/find.html", status_code=422 if errors else 200, form=form, errors=errors,
                    results=results if hits is not None else None, buildings=buildings, kinds=FACILITY_KINDS,
                    durations=SEARCH_DURATIONS)

    @get("/bookings/{booking_id:int}")
    async def booking_page(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await _booking_page(request, booking_id)

    @post("/bookings/{booking_id:int}/move")
    async def move(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        """Edit a booking's times (or take an offered alternative): the same rules as booking anew."""
        _ = gettext_for(page_lang(request))
        settings = settings_of(request)
        zone = settings.zone
        actor = caller(request)
        current = await service.get_booking(actor, booking_id)  # another firm's booking: 404
        errors: dict[str, str] = {}
        try:
            starts_at = _local(data.get("starts_at", ""), zone)
            ends_at = _local(data.get("ends_at", ""), zone)
        except ValueError:
            errors["starts_at"] = _("Give the start and the end as date and time.")
        facility_id = None
        if data.get("facility_id", "").isdigit():
            facility_id = int(data["facility_id"])
        alternatives: list[dict[str, Any]] = []
        waitlist = None
        if not errors:
            try:
                result = await moving.move_booking(
                    actor, booking_id, moving.BookingChanges(starts_at=starts_at, ends_at=ends_at, facility_id=facility_id),
                    utc_now(), zone, current_policy(settings),
                )
                if result.back_to_pending:
                    flash(request, _("The booking was moved. This facility needs approval, so it waits for a park manager's decision again."), "success")
                else:
                    flash(request, _("The booking was moved."), "success")
                return redirect(f"/bookings/{booking_id}")
            except (NotFound, Forbidden):
                raise
            except DomainError as error:
                errors = form_errors(error, _)
                if _is_clash(error):
                    alternatives = await _choices(error.extra.get("alternatives"), zone)
                    target = facility_id or current["facility"]
                    waitlist = {"facility_id": target, "starts_at": _form_time(starts_at, zone), "ends_at": _form_time(ends_at, zone),
                                "seats": current["seats"], "purpose": current["purpose"]}
        return await _booking_page(request, booking_id, errors=errors, form=data, alternatives=alternatives, waitlist=waitlist,
                                   status_code=409 if alternatives or waitlist else 422)

    @get("/bookings/{booking_id:int}/calendar.ics")
    async def booking_ics(self, request: Request, booking_id: FromPath[int]) -> Response[bytes]:
        """One booking as a file to add to any calendar."""
        row = await service.get_booking(caller(request), booking_id)
        facility = await facility_queries.get_facility(row["facility"])
        row = {**row, "facility_name": facility["name"] if facility else "", "facility_name_en": facility["name_en"] if facility else ""}
        body = booking_event_file(row, host_of(settings_of(request)), utc_now(), page_lang(request))
        return Response(body, media_type=ICS, headers={"Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'})

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
            row["status_reason"] = said(row, "status_reason", page_lang(request))
        webcal_url = "webcal://" + calendar_url.split("://", 1)[1] if "://" in calendar_url else ""
        return page(request, "bookings/mine.html", bookings=rows, total=total, show=show or "upcoming",
                    calendar_url=calendar_url, webcal_url=webcal_url)

    @post("/bookings/{booking_id:int}/cancel")
    async def cancel(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        """Without `confirmed=1` this only shows the booking and what cancelling it now costs."""
        if not confirmed(data):
            preview = await status_changes.preview_cancellation(caller(request), booking_id, utc_now())
            if not preview["refused"]:  # a refusal needs no confirming: the act below reports it
                return _cancel_confirmation(request, preview, data)
        return await _act(request, booking_id, data, "cancel")

    @post("/bookings/{booking_id:int}/check-in")
    async def check_in(self, request: Request, booking_id: FromPath[int], data: Form) -> Redirect:
        return await _act(request, booking_id, data, "check_in")

    @post("/bookings/series/{series_id:int}/cancel")
    async def cancel_series(self, request: Request, series_id: FromPath[int], data: Form) -> Template | Redirect:
        """Without `confirmed=1` this only says how many occurrences would be cancelled, from which date."""
        lang = page_lang(request)
        _ = gettext_for(lang)
        try:
            if not confirmed(data):
                preview = await status_changes.preview_series_cancellation(caller(request), series_id, None, utc_now())
                return _series_confirmation(request, preview, data, lang)
            rows = await status_changes.cancel_series(caller(request), series_id, None, utc_now(), settings_of(request).zone)
            flash(request, _("%(count)s bookings of the series were cancelled.", count=len(rows)), "success")
        except (NotFound, Forbidden):
            raise
        except DomainError as error:
            flash(request, error_message(error, _), "error")
        return redirect(safe_next(data.get("next"), "/bookings"))


def _cancel_confirmation(request: Request, preview: dict[str, Any], data: dict[str, str]) -> Template:
    lang = page_lang(request)
    _ = gettext_for(lang)
    zone = settings_of(request).zone
    booking, facility = preview["booking"], preview["facility"]
    name = local(facility, lang)
    notes = [_("%(facility)s, %(period)s.", facility=name,
               period=format_span(booking["starts_at"], booking["ends_at"], lang, zone))]
    if preview["late"]:
        share = current_policy(settings_of(request)).billing
        percent = (share.charges if share else DEFAULT_CHARGES).late_cancel_percent
        notes.append(
            _("It is after the facility's cut-off (%(minutes)s minutes before the start): %(share)s of the price is charged.",
              minutes=facility["cancel_cutoff_minutes"], share=format_percent(percent / 100, lang))
            if percent and facility["hourly_rate_fen"] else
            _("It is after the facility's cut-off (%(minutes)s minutes before the start), but it costs nothing.",
              minutes=facility["cancel_cutoff_minutes"])
        )
    else:
        notes.append(_("It is before the facility's cut-off: cancelling costs nothing."))
    if booking["user"] != caller(request).id:
        notes.append(_("The person who booked is notified."))
    return confirm_page(request, title=_("Cancel this booking?"), notes=notes, action=f"/bookings/{booking['id']}/cancel",
                        data=data, yes=_("Yes, cancel the booking"), back=safe_next(data.get("next"), "/bookings"))


def _series_confirmation(request: Request, preview: dict[str, Any], data: dict[str, str], lang: str) -> Template:
    _ = gettext_for(lang)
    zone = settings_of(request).zone
    facility, occurrences = preview["facility"], preview["occurrences"]
    name = local(facility, lang)
    if occurrences:
        notes = [_("%(count)s occurrences at %(facility)s will be cancelled, from %(date)s on.", count=len(occurrences),
                   facility=name, date=format_datetime(occurrences[0]["starts_at"], lang, zone, "short"))]
    else:
        notes = [_("No occurrence of this series can still be cancelled.")]
    items = tuple(format_span(row["starts_at"], row["ends_at"], lang, zone) for row in occurrences)
    return confirm_page(
        request, title=_("Cancel the rest of the series?"), notes=notes,
        sections=[ConfirmSection(_("Occurrences to cancel"), items, _("None."))],
        action=f"/bookings/series/{preview['series']['id']}/cancel", data=data,
        yes=_("Yes, cancel %(count)s occurrences", count=len(occurrences)), back=safe_next(data.get("next"), "/bookings"),
    )


async def _booking_page(
    request: Request, booking_id: int, *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
    alternatives: list[dict[str, Any]] | None = None, waitlist: dict[str, Any] | None = None, status_code: int = 200,
) -> Template:
    actor = caller(request)
    zone = settings_of(request).zone
    now = utc_now()
    booking = await service.get_booking(actor, booking_id)
    booking = {**booking, "status_reason": said(booking, "status_reason", page_lang(request))}
    facility = await facility_queries.get_facility(booking["facility"])
    may_change = actor.is_manager or booking["user"] == actor.id or actor.is_tenant_admin
    can_move = (may_change and booking["status"] in moving.MOVABLE and booking["starts_at"] > now
                and facility is not None and facility["booking_mode"] == "instant")
    form = form or {"starts_at": _form_time(booking["starts_at"], zone), "ends_at": _form_time(booking["ends_at"], zone)}
    return page(request, "bookings/booking.html", status_code=status_code if errors else 200, booking=booking,
                facility=facility, can_move=can_move, form=form, errors=errors or {}, alternatives=alternatives or [],
                waitlist=waitlist)


async def waiting_counts(actor: Any, now: datetime) -> dict[str, int]:
    """What waits for the reader, by header path: for park managers, the approval queue."""
    if not isinstance(actor, Actor) or not actor.is_manager:
        return {}
    return {"/approvals": await queries.pending_count(now)}


async def count_what_waits(request: Request) -> None:
    """Before a page renders: the header's counts for its reader (not for the API or static files)."""
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/live/", "/calendar/", "/healthz", "/schema", "/facility-photos/")):
        return None
    actor = request.scope.get("user")
    if isinstance(actor, Actor) and actor.is_manager:
        set_nav_counts(request, await waiting_counts(actor, utc_now()))
    return None


def named(row: dict[str, Any] | None, lang: str, zone) -> dict[str, str]:
    """A booking as a reader knows it: the facility, the firm and the time on the park's clock."""
    if row is None:
        return {}
    return {
        "facility": local(row, lang, "facility_name"),
        "firm": local(row, lang, "tenant_name"),
        "when": format_span(row["starts_at"], row["ends_at"], lang, zone),
    }


def decision_message(_: Any, verdict: str, names: dict[str, str], error: Exception | None = None) -> str:
    """One line saying what became of a decision, naming the booking by facility, firm and time."""
    if error is not None:
        why = error_message(error, _) if isinstance(error, DomainError) else str(error)
        if not names:
            return why
        return _("Not decided: %(facility)s for %(firm)s, %(when)s. %(why)s", why=why, **names)
    if verdict == "approve":
        return _("Approved: %(facility)s for %(firm)s, %(when)s.", **names)
    return _("Rejected: %(facility)s for %(firm)s, %(when)s. The firm is told why.", **names)


MAX_DECISIONS = 200


def _decisions(form: Any, fixed: tuple[int, str] | None = None) -> list[tuple[int, str, str]]:
    """The decisions a submitted approval form asks for: one row's button, or the ticked rows and a verdict."""
    shared_reason = (form.get("reason") or "").strip()[:500]

    def reason_for(booking_id: int) -> str:
        return (form.get(f"reason_{booking_id}") or "").strip()[:500] or shared_reason

    one = fixed
    if one is None and form.get("one"):
        verdict, _sep, raw_id = str(form.get("one")).partition(":")
        if verdict in ("approve", "reject") and raw_id.isdigit() and len(raw_id) < 12:
            one = (int(raw_id), verdict)
    if one is not None:
        return [(one[0], one[1], reason_for(one[0]))]
    verdict = form.get("action")
    if verdict not in ("approve", "reject"):
        return []
    ids: list[int] = []
    for raw in form.getall("booking", []):
        if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 and int(raw) not in ids:
            ids.append(int(raw))
    return [(booking_id, verdict, reason_for(booking_id)) for booking_id in ids[:MAX_DECISIONS]]


async def _queue(actor: Actor, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The approval queue: pending bookings not yet over, overdue and soon-starting ones first and flagged."""
    rows, total = await service.list_bookings(actor, statuses=[PENDING], starts_from=now, limit=MAX_DECISIONS)
    by_id = {row["id"]: row for row in rows}
    ordered = approval_order([queries.to_value(row) for row in rows], now)
    return [by_id[value.id] | {"urgency": approval_urgency(value, now)} for value in ordered], total


async def _decide(request: Request, fixed: tuple[int, str] | None = None) -> Template | Redirect:
    """Decide what the approval form asks, each booking in its own transaction; say what became of each.

    htmx gets the queue again with the outcomes and the header's counts (out of band);
    a plain form post gets the outcomes as messages on the queue page.
    """
    lang = page_lang(request)
    _ = gettext_for(lang)
    zone = settings_of(request).zone
    actor = caller(request)
    form = await request.form()
    decisions = _decisions(form, fixed)
    outcomes: list[dict[str, str]] = []
    if not decisions:
        outcomes.append({"level": "error", "message": _("Tick the bookings to decide, then press Approve or Reject.")})
    else:
        names = await queries.named_bookings(booking_id for booking_id, _v, _r in decisions)
        verdicts = {booking_id: verdict for booking_id, verdict, _r in decisions}
        for booking_id, _row, error in await status_changes.decide_bookings(actor, decisions, utc_now(), zone):
            outcomes.append({
                "level": "error" if error else "success",
                "message": decision_message(_, verdicts[booking_id], named(names.get(booking_id), lang, zone), error),
            })
    if request.headers.get("hx-request") == "true":
        now = utc_now()
        set_nav_counts(request, await waiting_counts(actor, now))
        rows, total = await _queue(actor, now)
        return page(request, "bookings/_approvals_queue.html", bookings=rows, total=total, outcomes=outcomes, oob=True)
    for outcome in outcomes:
        flash(request, outcome["message"], outcome["level"])
    return redirect("/approvals")


class ApprovalPages(Controller):
    path = "/approvals"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def queue(self, request: Request) -> Template:
        rows, total = await _queue(caller(request), utc_now())
        return page(request, "bookings/approvals.html", bookings=rows, total=total, outcomes=[], oob=False)

    @get("/counts")
    async def counts(self, request: Request) -> Template:
        """The header's counts as out-of-band fragments: every page re-reads them (templates/base.html)."""
        response = page(request, "_nav_counts_live.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @post("/decide")
    async def decide(self, request: Request) -> Template | Redirect:
        return await _decide(request)

    @post("/{booking_id:int}/approve")
    async def approve(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await _decide(request, (booking_id, "approve"))

    @post("/{booking_id:int}/reject")
    async def reject(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await _decide(request, (booking_id, "reject"))


ROUTES: list[Any] = [BookingPages, ApprovalPages, *CATALOGUE_ROUTES]
