"""Bookings JSON API: book (one or a series), preview a series, list, read, cancel, decide, check in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.di import NamedDependency

from park.shared.guards import manager_only, signed_in
from park.bookings import moving, search, series, service, status_changes
from park.bookings.catalogue_api import ROUTES as CATALOGUE_ROUTES
from park.bookings.model import STATUSES
from park.priority.service import current_policy
from park.settings import Settings
from park.shared.api import AwareDatetime, Page, caller, paging, parse_instant, reader_lang
from park.shared.i18n import said
from park.shared.reasons import stored_params as _params
from park.shared.clock import utc_now
from park.facilities.model import FACILITY_KINDS, MAX_BOOKING_MINUTES
from park.shared.errors import ValidationFailed
from park.shared.timespan import Span


class BookingIn(msgspec.Struct):
    facility_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    seats: int = 1
    purpose: Annotated[str, msgspec.Meta(max_length=500)] = ""
    recurrence: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    skip_clashes: bool = False
    """For a series: book the occurrences that can be booked and skip the others."""
    tenant_id: int | None = None
    """Managers only: the firm the booking is for."""
    user_id: int | None = None
    """Managers and firm administrators: the member the booking is for (who is then its booker)."""


class BookingOut(msgspec.Struct):
    id: int
    facility_id: int
    tenant_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int
    purpose: str
    status: str
    status_reason: str
    series_id: int | None
    created_at: datetime
    checked_in_at: datetime | None
    facility_name: str | None = None
    created: list["BookingOut"] | None = None
    skipped: list[dict[str, Any]] | None = None
    status_reason_code: str = ""
    """The reason's code (park/shared/reasons.py) where Park gave it; `status_reason` says it in the reader's language."""
    status_reason_params: dict[str, Any] = msgspec.field(default_factory=dict)


class OccurrenceOut(msgspec.Struct):
    index: int
    starts_at: datetime
    ends_at: datetime
    ok: bool
    problems: list[dict[str, str]]


class PreviewOut(msgspec.Struct):
    facility_id: int
    occurrences: list[OccurrenceOut]
    bookable: int
    clashing: int


class BookingPatch(msgspec.Struct):
    """Fields to change; a field left out keeps its value."""

    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    facility_id: int | None = None
    seats: int | None = None
    purpose: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class MovedBookingOut(BookingOut):
    back_to_pending: bool = False
    """True when a confirmed booking was moved on an approval facility and waits for a manager again."""


class FreeIntervalOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime


class FacilityFreeOut(msgspec.Struct):
    facility_id: int
    name: str
    name_en: str
    kind: str
    building_id: int
    bookable: bool
    reason: str
    free: list[FreeIntervalOut]


class SeriesCancelIn(msgspec.Struct):
    from_: AwareDatetime | None = msgspec.field(default=None, name="from")


class SeriesCancelOut(msgspec.Struct):
    series_id: int
    cancelled: list[BookingOut]


def booking_out(row: dict[str, Any], lang: str = "en") -> BookingOut:
    """`lang`: the reader's, for the status reason."""
    return BookingOut(
        id=row["id"], facility_id=row["facility"], tenant_id=row["tenant"], user_id=row["user"],
        starts_at=row["starts_at"], ends_at=row["ends_at"], seats=row["seats"], purpose=row["purpose"],
        status=row["status"], status_reason=said(row, "status_reason", lang), series_id=row["series"],
        created_at=row["created_at"], checked_in_at=row["checked_in_at"], facility_name=row.get("facility_name"),
        created=[booking_out(r, lang) for r in row["created"]] if row.get("created") else None,
        skipped=row.get("skipped"),
        status_reason_code=row.get("status_reason_code") or "",
        status_reason_params=_params(row.get("status_reason_params")),
    )


def _input(data: BookingIn) -> service.BookingInput:
    return service.BookingInput(
        facility_id=data.facility_id, starts_at=data.starts_at, ends_at=data.ends_at, seats=data.seats,
        purpose=data.purpose.strip(), recurrence=(data.recurrence or None), skip_clashes=data.skip_clashes,
        tenant_id=data.tenant_id, user_id=data.user_id,
    )


def search_window(from_: str | None, to: str | None, zone) -> Span:
    starts_at = parse_instant(from_, "from", zone)
    ends_at = parse_instant(to, "to", zone)
    for name, value in (("from", starts_at), ("to", ends_at)):
        if not 2000 <= value.year <= 2999:
            raise ValidationFailed.on(name, "choose a date between the years 2000 and 2999")
    if ends_at <= starts_at:
        raise ValidationFailed.on("to", "'to' must be later than 'from'.")
    return Span(starts_at, ends_at)


def check_search_filters(duration_minutes: int | None, seats: int | None, kind: str | None) -> None:
    if duration_minutes is not None and not 1 <= duration_minutes <= MAX_BOOKING_MINUTES:
        raise ValidationFailed.on("duration_minutes", "Give between 1 and %(most)s minutes.", most=MAX_BOOKING_MINUTES)
    if seats is not None and not 1 <= seats <= 10_000:
        raise ValidationFailed.on("seats", "ask for at least 1 seat")
    if kind and kind not in FACILITY_KINDS:
        raise ValidationFailed.on("kind", "Use one of: %(choices)s.", choices=', '.join(FACILITY_KINDS))


class AvailabilitySearchController(Controller):
    path = "/api/v1/availability"
    tags = ["bookings"]
    guards = [signed_in]

    @get("", summary="Time-first search: every facility with a fitting free interval, earliest first")
    async def search_availability(
        self, request: Request, settings: NamedDependency[Settings],
        from_: Annotated[str | None, QueryParameter(name="from")] = None,
        to: FromQuery[str | None] = None,
        duration_minutes: FromQuery[int | None] = None,
        seats: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[FacilityFreeOut]:
        limit_, offset_ = paging(limit, offset)
        window = search_window(from_, to, settings.zone)
        check_search_filters(duration_minutes, seats, kind)
        hits = await search.search_availability(
            caller(request), window, utc_now(), settings.zone, duration_minutes=duration_minutes, seats=seats or 1,
            kind=kind, building_id=building_id, q=q,
        )
        items = [
            FacilityFreeOut(
                facility_id=hit.facility["id"], name=hit.facility["name"], name_en=hit.facility["name_en"],
                kind=hit.facility["kind"], building_id=hit.facility["building"], bookable=hit.bookable, reason=hit.reason,
                free=[FreeIntervalOut(span.starts_at, span.ends_at) for span in hit.free],
            )
            for hit in hits[offset_: offset_ + limit_]
        ]
        return Page(items=items, total=len(hits))


class BookingController(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    guards = [signed_in]

    @post("", summary="Book a facility (one slot, or a series with an RRULE)")
    async def create_booking(self, request: Request, data: JSONBody[BookingIn], settings: NamedDependency[Settings]) -> BookingOut:
        row = await service.book_facility(caller(request), _input(data), utc_now(), settings.zone, current_policy(settings))
        return booking_out(row, reader_lang(request))

    @post("/preview", status_code=200, summary="Which occurrences of a series can be booked and which clash")
    async def preview(self, request: Request, data: JSONBody[BookingIn], settings: NamedDependency[Settings]) -> PreviewOut:
        checks = await series.preview_series(caller(request), _input(data), utc_now(), settings.zone)
        occurrences = [
            OccurrenceOut(c.index, c.span.starts_at, c.span.ends_at, c.ok,
                          [{"code": v.code, "field": v.field, "message": v.message} for v in c.violations])
            for c in checks
        ]
        bookable = sum(1 for c in checks if c.ok)
        return PreviewOut(data.facility_id, occurrences, bookable, len(checks) - bookable)

    @get("", summary="Bookings: a firm sees its own, a manager all")
    async def list_bookings(
        self, request: Request, settings: NamedDependency[Settings],
        facility_id: FromQuery[int | None] = None,
        from_: Annotated[str | None, QueryParameter(name="from")] = None,
        to: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[BookingOut]:
        limit_, offset_ = paging(limit, offset)
        statuses = [s for s in (status or "").split(",") if s]
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise ValidationFailed.on("status", "Unknown status %(value)s; use one of: %(choices)s.", value=repr(unknown[0]), choices=', '.join(STATUSES))
        rows, total = await service.list_bookings(
            caller(request), facility_id=facility_id,
            starts_from=parse_instant(from_, "from", settings.zone, required=False),
            ends_before=parse_instant(to, "to", settings.zone, required=False),
            statuses=statuses, limit=limit_, offset=offset_,
        )
        return Page(items=[booking_out(r, reader_lang(request)) for r in rows], total=total)

    @get("/{booking_id:int}", summary="One booking (another firm's is not found)")
    async def get_booking(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        return booking_out(await service.get_booking(caller(request), booking_id), reader_lang(request))

    @patch("/{booking_id:int}", summary="Move or change a booking in one step (refused: the booking is unchanged)")
    async def move_booking(
        self, request: Request, booking_id: FromPath[int], data: JSONBody[BookingPatch], settings: NamedDependency[Settings]
    ) -> MovedBookingOut:
        changes = moving.BookingChanges(
            starts_at=data.starts_at, ends_at=data.ends_at, facility_id=data.facility_id, seats=data.seats,
            purpose=data.purpose.strip() if data.purpose is not None else None,
        )
        result = await moving.move_booking(caller(request), booking_id, changes, utc_now(), settings.zone, current_policy(settings))
        out = booking_out(result.booking, reader_lang(request))
        return MovedBookingOut(**msgspec.structs.asdict(out), back_to_pending=result.back_to_pending)

    @post("/{booking_id:int}/cancel", status_code=200, summary="Cancel (until the facility's cut-off)")
    async def cancel(self, request: Request, booking_id: FromPath[int], settings: NamedDependency[Settings]) -> BookingOut:
        return booking_out(await status_changes.cancel_booking(caller(request), booking_id, utc_now(), settings.zone), reader_lang(request))

    @post("/{booking_id:int}/approve", status_code=200, guards=[manager_only], summary="Approve a pending booking")
    async def approve(self, request: Request, booking_id: FromPath[int], settings: NamedDependency[Settings]) -> BookingOut:
        return booking_out(await status_changes.approve_booking(caller(request), booking_id, utc_now(), settings.zone), reader_lang(request))

    @post("/{booking_id:int}/reject", status_code=200, guards=[manager_only], summary="Reject a pending booking")
    async def reject(self, request: Request, booking_id: FromPath[int], settings: NamedDependency[Settings]) -> BookingOut:
        return booking_out(await status_changes.reject_booking(caller(request), booking_id, utc_now(), settings.zone), reader_lang(request))

    @post("/{booking_id:int}/check-in", status_code=200, summary="Check in (from 15 minutes before to 15 minutes after the start)")
    async def check_in(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        return booking_out(await status_changes.check_in(caller(request), booking_id, utc_now()), reader_lang(request))


class SeriesController(Controller):
    path = "/api/v1/booking-series"
    tags = ["bookings"]
    guards = [signed_in]

    @post("/{series_id:int}/cancel", status_code=200, summary="Cancel a series from a time on (default: now)")
    async def cancel_series(self, request: Request, series_id: FromPath[int], settings: NamedDependency[Settings], data: JSONBody[SeriesCancelIn | None] = None) -> SeriesCancelOut:
        from_at = data.from_ if data else None
        rows = await status_changes.cancel_series(caller(request), series_id, from_at, utc_now(), settings.zone)
        return SeriesCancelOut(series_id=series_id, cancelled=[booking_out(r, reader_lang(request)) for r in rows])


ROUTES = [BookingController, SeriesController, AvailabilitySearchController, *CATALOGUE_ROUTES]
