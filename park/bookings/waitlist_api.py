"""Waitlist JSON API: wait for a taken slot, list the entries, stop waiting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from park.bookings import waitlist
from park.shared.api import AwareDatetime, Page, caller, paging, reader_lang
from park.shared.i18n import said
from park.shared.reasons import stored_params as _params
from park.shared.clock import utc_now
from park.shared.guards import signed_in


class WaitIn(msgspec.Struct):
    facility_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    seats: int = 1
    purpose: str = ""


class WaitOut(msgspec.Struct):
    id: int
    facility_id: int
    tenant_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int
    purpose: str
    status: str
    booking_id: int | None
    status_reason: str
    created_at: datetime
    status_reason_code: str = ""
    status_reason_params: dict[str, Any] = msgspec.field(default_factory=dict)


def wait_out(row: dict[str, Any], lang: str = "en") -> WaitOut:
    return WaitOut(
        id=row["id"],
        facility_id=row["facility"],
        tenant_id=row["tenant"],
        user_id=row["user"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        seats=row["seats"],
        purpose=row["purpose"],
        status=row["status"],
        booking_id=row["booking_id"],
        status_reason=said(row, "status_reason", lang),
        created_at=row["created_at"],
        status_reason_code=row.get("status_reason_code") or "",
        status_reason_params=_params(row.get("status_reason_params")),
    )


class WaitlistController(Controller):
    path = "/api/v1/waitlist"
    tags = ["bookings"]
    guards = [signed_in]

    @post("", summary="Wait for a taken slot; when it frees, the best-ranked waiting firm is booked and told")
    async def join(self, request: Request, data: JSONBody[WaitIn]) -> WaitOut:
        row = await waitlist.join_waitlist(
            caller(request),
            waitlist.WaitInput(data.facility_id, data.starts_at, data.ends_at, data.seats, data.purpose),
            utc_now(),
        )
        return wait_out(row, reader_lang(request))

    @get("", summary="Waitlist entries (a firm sees its own)")
    async def list_entries(
        self,
        request: Request,
        status: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[WaitOut]:
        limit, offset = paging(limit, offset)
        rows, total = await waitlist.list_waitlist(caller(request), limit=limit, offset=offset, status=status)
        return Page(items=[wait_out(row, reader_lang(request)) for row in rows], total=total)

    @post("/{entry_id:int}/cancel", status_code=200, summary="Stop waiting")
    async def cancel(self, request: Request, entry_id: FromPath[int]) -> WaitOut:
        return wait_out(await waitlist.leave_waitlist(caller(request), entry_id, utc_now()), reader_lang(request))


ROUTES = [WaitlistController]
