"""The mail that tells managers a snapshot is ready: headline figures and a link. Pure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from park.reports.periods import Period
from park.shared.i18n import translate
from park.shared.labels import label

KIND_TITLES = {
    "daily": "Daily occupancy report",
    "weekly": "Weekly occupancy report",
    "monthly": "Monthly occupancy report",
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _percent(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def _number(value: Any) -> str:
    return f"{float(value or 0):,.1f}"


def snapshot_mail(period: Period, data: dict[str, Any], link: str, lang: str) -> tuple[str, str]:
    """(subject, body) in the reader's language."""

    def _(text: str, **params: object) -> str:
        return translate(lang, text, **params)

    totals = data.get("totals", {})
    title = _(KIND_TITLES[period.kind])
    subject = _(
        "[Park] %(title)s %(period)s: %(utilization)s utilization",
        title=title,
        period=period.label,
        utilization=_percent(totals.get("utilization")),
    )
    last_day = period.end_day - timedelta(days=1)
    days = period.first_day.isoformat() + (
        "" if last_day == period.first_day else f" – {last_day.isoformat()}"
    )
    lines = [
        f"{title} · {period.label} ({days})",
        "",
        _(
            "Facility utilization: %(utilization)s (%(booked)s of %(open)s open seat-hours booked)",
            utilization=_percent(totals.get("utilization")),
            booked=_number(totals.get("booked_hours")),
            open=_number(totals.get("open_hours")),
        ),
    ]
    kinds = [row for row in data.get("by_kind", []) if row.get("utilization") is not None]
    if kinds:
        lines.append(_("By kind:"))
        for row in sorted(kinds, key=lambda row: -row["utilization"]):
            name = _(label("facility_kind", row["key"]))
            lines.append(f"  · {name}: {_percent(row['utilization'])}")
    busiest = data.get("busiest")
    if busiest:
        lines.append(
            _(
                "Busiest hour: %(weekday)s %(hour)s:00",
                weekday=_(WEEKDAY_NAMES[busiest["weekday"]]),
                hour=f"{busiest['hour']:02d}",
            )
        )
    rates = data.get("rates", {})
    lines.append(
        _(
            "No-show rate: %(no_show)s · cancellation rate: %(cancelled)s",
            no_show=_percent(rates.get("no_show_rate")),
            cancelled=_percent(rates.get("cancellation_rate")),
        )
    )
    space = data.get("space", {}).get("totals")
    if space and space.get("leasable_m2"):
        lines.append(
            _(
                "Space occupancy: %(occupancy)s (%(leased)s of %(leasable)s m² leased)",
                occupancy=_percent(space.get("occupancy")),
                leased=_number(space.get("leased_m2")),
                leasable=_number(space.get("leasable_m2")),
            )
        )
    ending = data.get("leases_ending", [])
    if ending:
        lines.append(_("Leases ending within 90 days: %(count)s", count=len(ending)))
    unmet = data.get("unmet_demand", [])
    if unmet:
        lines.append(
            _(
                "Unhoused applications: %(count)s (%(area)s m² asked at least)",
                count=sum(item["applications"] for item in unmet),
                area=_number(sum(item["min_area_m2"] for item in unmet)),
            )
        )
    lines += ["", _("The full report, with charts and downloads:"), link]
    return subject, "\n".join(lines) + "\n"
