"""What applies to a booking, as pages show it: `park.bookings.terms` lines in the reader's language.

The booking form's panel (bookings/_terms.html) and the facility page's rules come from here,
so both say the same thing in the same words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from babel import dates as babel_dates
from litestar import Request

from park.bookings.terms import Line, TermsInput, booking_terms
from park.facilities import queries as facility_queries
from park.facilities.hours import WEEKDAYS
from park.priority.model import DEFAULT_CHARGES
from park.priority.service import current_policy
from park.shared.actor import Actor
from park.shared.clock import utc_now
from park.shared.i18n import babel_locale, format_datetime, format_money_fen, format_number, format_time, format_when
from park.shared.web import gettext_for, page_lang, settings_of


def say(line: Line, _, lang: str, zone) -> str:
    """A terms line in the reader's language: money (`*_fen`), clock times (`*_clock`), instants and numbers formatted."""
    params: dict[str, Any] = {}
    for name, value in line.params:
        if name.endswith("_fen"):
            params[name] = format_money_fen(value, lang)
        elif isinstance(value, datetime) and name.endswith("_clock"):
            params[name] = format_time(value, lang, zone)
        elif isinstance(value, datetime):
            params[name] = format_datetime(value, lang, zone, "short")
        elif isinstance(value, float):
            params[name] = format_number(round(value, 2), lang)
        else:
            params[name] = value
    return _(line.template, **params)


def charges_and_draw(settings) -> dict[str, Any]:
    """The park's charges (billing's, or its defaults) and the window-mode draw's cut-off, for `TermsInput`."""
    policy = current_policy(settings)
    charges = policy.billing.charges if policy is not None and policy.billing is not None else DEFAULT_CHARGES
    if policy is None:
        return {"charges": charges}
    return {"charges": charges, "draw_cutoff_days_before": policy.draw_cutoff_days_before,
            "draw_cutoff_time": policy.draw_cutoff_time}


def _asked(value: str | None, zone) -> datetime | None:
    """A datetime-local form value on the park's wall clock; None when it is not one."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:16]).replace(tzinfo=zone)
    except ValueError:
        return None


async def terms_context(
    request: Request, facility: dict[str, Any], starts: str | None = None, ends: str | None = None, seats: str | None = None,
) -> dict[str, Any]:
    """The context of bookings/_terms.html for the asked times as the form gives them (any may be missing or wrong)."""
    lang = page_lang(request)
    _ = gettext_for(lang)
    settings = settings_of(request)
    zone = settings.zone
    actor = request.scope.get("user") if isinstance(request.scope.get("user"), Actor) else None
    spec = facility_queries.to_spec(facility)
    seat_count = int(seats) if seats and seats.isdigit() and len(seats) < 6 else 1
    needs_record = actor is not None and spec.requires_authorization
    asked = await facility_queries.open_training_request(actor.id, spec.id) if needs_record else None
    terms = booking_terms(TermsInput(
        facility=spec, now=utc_now(), zone=zone, starts_at=_asked(starts, zone), ends_at=_asked(ends, zone), seats=seat_count,
        reader_known=actor is not None,
        authorization=await facility_queries.authorization_for(actor.id, spec.id) if needs_record else None,
        training_asked_at=asked["notified_at"] if asked else None, **charges_and_draw(settings),
    ))
    day_names = babel_dates.get_day_names("wide", locale=babel_locale(lang))
    query = {key: value[:16] for key, value in (("start", starts), ("end", ends)) if value}
    back = f"/facilities/{spec.id}/book" + ("?" + urlencode(query) if query else "")
    lines = [{"key": line.key, "tone": line.tone, "text": say(line, _, lang, zone)} for line in terms.lines]
    if terms.span is not None:  # the chosen times in the park's words, whatever format the browser's picker shows
        lines.insert(0, {"key": "when", "tone": "info", "text": _("Chosen: %(when)s.", when=format_when(
            terms.span.starts_at, terms.span.ends_at, lang, zone))})
    return {"terms": lines,
            "opening": [(day_names[WEEKDAYS.index(day)], ranges) for day, ranges in terms.opening],
            "may_ask_training": terms.may_ask_training, "terms_back": back}
