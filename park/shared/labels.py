"""Display names of the contract's words (kinds, sectors, statuses...). English ids, translated on pages."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks a text for translation where it is defined; it is translated where it is shown."""
    return text


class Term(str):
    """A message parameter that is itself a catalogue text (a status's display name, say):
    translated with the message, so a Chinese message never carries an English word."""

    __slots__ = ()


LABELS: dict[str, dict[str, str]] = {
    "facility_kind": {
        "lab": N_("Lab"),
        "equipment": N_("Equipment"),
        "studio": N_("Studio"),
        "meeting_room": N_("Meeting room"),
        "event_hall": N_("Event hall"),
        "workstation": N_("Workstation"),
    },
    "unit_kind": {
        "office": N_("Office"),
        "lab": N_("Lab"),
        "studio": N_("Studio"),
        "showroom": N_("Showroom"),
        "warehouse": N_("Warehouse"),
    },
    "sector": {
        "creative_design": N_("Creative design"),
        "animation_games": N_("Animation and games"),
        "digital_publishing": N_("Digital publishing"),
        "news_media": N_("News media and cultural information services"),
        "new_media": N_("New media"),
        "film_tv_performing_arts": N_("Film, TV and performing arts"),
        "cultural_tourism": N_("Cultural tourism"),
        "intangible_heritage": N_("Intangible cultural heritage"),
        "high_end_printing": N_("High-end printing"),
        "arts_crafts": N_("High-end arts and crafts"),
        "cultural_software": N_("Cultural software"),
    },
    "qualification": {
        "leading_firm": N_("Leading firm"),
        "backbone_firm": N_("Backbone firm"),
        "major_project": N_("Major culture-tech project"),
        "high_tech_enterprise": N_("National high-tech enterprise"),
        "alliance_member": N_("Technology-innovation alliance member"),
        "original_brand": N_("Original brand"),
    },
    "booking_status": {
        "requested": N_("Requested"),
        "pending": N_("Pending approval"),
        "confirmed": N_("Confirmed"),
        "checked_in": N_("Checked in"),
        "completed": N_("Completed"),
        "cancelled": N_("Cancelled"),
        "rejected": N_("Rejected"),
        "expired": N_("Expired"),
        "no_show": N_("No-show"),
        "declined": N_("Declined"),
    },
    "waitlist_status": {
        "waiting": N_("Waiting"),
        "booked": N_("Booked for you"),
        "cancelled": N_("Left"),
        "expired": N_("Expired"),
    },
    "role": {
        "member": N_("Member"),
        "tenant_admin": N_("Firm administrator"),
        "manager": N_("Park manager"),
        "admin": N_("Administrator"),
    },
    "record_type": {
        "api_token": N_("API token"),
        "authorization": N_("Authorisation"),
        "blackout": N_("Blackout"),
        "booking": N_("Booking"),
        "booking_series": N_("Booking series"),
        "building": N_("Building"),
        "facility": N_("Facility"),
        "invitation": N_("Invitation"),
        "lease": N_("Lease"),
        "space_application": N_("Space application"),
        "tenant": N_("Firm"),
        "unit": N_("Unit"),
        "user": N_("User"),
        "waitlist": N_("Waitlist entry"),
    },
    "booking_mode": {
        "instant": N_("First come, first served"),
        "window": N_("Request window, then priority draw"),
    },
    "weekday": {
        "mon": N_("Monday"),
        "tue": N_("Tuesday"),
        "wed": N_("Wednesday"),
        "thu": N_("Thursday"),
        "fri": N_("Friday"),
        "sat": N_("Saturday"),
        "sun": N_("Sunday"),
    },
}


def term(group: str, value: str) -> Term:
    """`value`'s display name in `group` as a message parameter translated with its message."""
    return Term(label(group, value))


def label(group: str, value: str) -> str:
    """The English display name of `value` in `group`; the value itself if it has none."""
    return LABELS.get(group, {}).get(value, value)
