"""A statement's words in the reader's language: line descriptions, rule names, file headings.

Lines store what they describe as data (facility, times, unit, month: `detail`), so a statement
issued long ago reads right in either language.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from park.shared import i18n
from park.shared.labels import N_

RULE_NAMES = {
    "used": N_("used"),
    "no_show": N_("no-show"),
    "late_cancel": N_("late cancellation"),
    "rent": N_("rent"),
    "adjustment": N_("correction"),
}

HEADINGS = (
    ("kind", N_("Line")),
    ("booking_id", N_("Booking")),
    ("lease_id", N_("Lease")),
    ("description", N_("Description")),
    ("quantity", N_("Quantity")),
    ("unit_price_fen", N_("Unit price (fen)")),
    ("amount_fen", N_("Amount (fen)")),
    ("subsidy_fen", N_("Subsidy (fen)")),
    ("due_fen", N_("Due (fen)")),
    ("subsidy_rules", N_("Subsidy rules")),
    ("policy_version", N_("Policy version")),
)

RENT_TEXT = N_("Unit %(unit)s, %(start)s – %(end)s")
CORRECTION_TEXT = N_("Correction of %(facility)s in %(month)s: was %(was)s, now %(now)s")
BOOKING_TEXT = N_("%(facility)s, %(start)s – %(end)s (%(rule)s)")

LINE_KINDS = {"booking": N_("Booking"), "rent": N_("Rent"), "adjustment": N_("Correction")}


def headings(lang: str) -> list[str]:
    return [i18n.translate(lang, text) for _, text in HEADINGS]


def _day(text: str, lang: str, *, last: bool = False) -> str:
    """A stored ISO day; `last`: the stored day is an exclusive end, shown as the last day included."""
    try:
        day = date.fromisoformat(text)
        return i18n.format_date(day - timedelta(days=1) if last else day, lang, "short")
    except (TypeError, ValueError):
        return text


def describe(row: dict, zone: ZoneInfo, lang: str) -> str:
    """A line's description from its stored words."""
    detail = row.get("detail") or {}
    facility = (detail.get("facility_en") if lang == "en" else "") or detail.get("facility", "")
    if row["kind"] == "rent":
        return i18n.translate(lang, RENT_TEXT, unit=detail.get("unit", ""),
                              start=_day(detail.get("from", ""), lang), end=_day(detail.get("until", ""), lang, last=True))
    if row["kind"] == "adjustment":
        return i18n.translate(
            lang, CORRECTION_TEXT,
            facility=facility, month=detail.get("month", ""),
            was=i18n.format_money_fen(int(detail.get("was_fen", 0)), lang),
            now=i18n.format_money_fen(int(detail.get("now_fen", 0)), lang),
        )
    starts = datetime.fromisoformat(detail["starts_at"]).astimezone(zone)
    ends = datetime.fromisoformat(detail["ends_at"]).astimezone(zone)
    return i18n.translate(
        lang, BOOKING_TEXT, facility=facility,
        start=i18n.format_datetime(starts, lang, zone, "short"), end=i18n.format_time(ends, lang, zone),
        rule=i18n.translate(lang, RULE_NAMES.get(row["rule"], row["rule"])),
    )
