"""Waitlist pages: join from a refused booking, see my entries, leave them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from park.bookings import waitlist
from park.facilities import queries as facility_queries
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, NotFound
from park.shared.guards import signed_in
from park.shared.web import flash, gettext_for, page, page_lang, redirect, settings_of


class WaitlistPages(Controller):
    """My waitlist: join from a refused booking, see the entries, leave them."""

    path = "/waitlist"
    include_in_schema = False
    guards = [signed_in]

    @get("")
    async def mine(self, request: Request) -> Template:
        actor = caller(request)
        entries: list[dict[str, Any]] = []
        if actor.is_manager or actor.tenant_id is not None:
            rows, _total = await waitlist.list_waitlist(actor, limit=200, offset=0)
            entries = [row for row in rows if row["user"] == actor.id]
        facilities = {}
        for entry in entries:
            if entry["facility"] not in facilities:
                facilities[entry["facility"]] = await facility_queries.get_facility(entry["facility"])
            entry["facility_row"] = facilities[entry["facility"]]
        return page(request, "bookings/waitlist.html", entries=entries)

    @post("")
    async def join(self, request: Request, data: URLEncodedBody[dict[str, str]]) -> Redirect:
        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        try:
            starts_at = datetime.fromisoformat(data.get("starts_at", "")).replace(tzinfo=zone)
            ends_at = datetime.fromisoformat(data.get("ends_at", "")).replace(tzinfo=zone)
            facility_id = int(data.get("facility_id", ""))
            seats = int(data.get("seats") or 1)
        except ValueError:
            flash(request, _("Give the start and the end as date and time."), "error")
            return redirect("/waitlist")
        try:
            await waitlist.join_waitlist(
                caller(request), waitlist.WaitInput(facility_id, starts_at, ends_at, seats, data.get("purpose", "")[:500]), utc_now()
            )
            flash(request, _("You are on the waitlist. If the time frees up, it is booked for you and you get a mail."), "success")
        except DomainError as error:
            flash(request, "; ".join(_(e.message, **e.params) for e in getattr(error, "errors", [])) or _(error.template, **error.params), "error")
        return redirect("/waitlist")

    @post("/{entry_id:int}/leave")
    async def leave(self, request: Request, entry_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        try:
            await waitlist.leave_waitlist(caller(request), entry_id, utc_now())
            flash(request, _("You left the waitlist for that time."), "success")
        except NotFound:
            raise
        except DomainError as error:
            flash(request, _(error.template, **error.params), "error")
        return redirect("/waitlist")


ROUTES: list[Any] = [WaitlistPages]
