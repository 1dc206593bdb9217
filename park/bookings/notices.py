"""Booking notices: the mail each change of a booking queues in the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.accounts.tables import User
from park.notifications.service import enqueue
from park.shared.actor import Actor
from park.shared.i18n import say_reason, translate
from park.shared.labels import N_

# Mail goes out in both of the park's languages: English first, then Chinese.
MAIL_LANGUAGES = ("en", "zh_Hans")

NOTICES = {
    "booking.confirmed": ("预订已确认 / Booking confirmed", "Your booking is confirmed. 您的预订已确认。"),
    "booking.pending": ("预订待审批 / Booking awaits approval", "Your booking awaits a park manager's approval; its seats are held meanwhile. 您的预订正在等待园区审批，席位已为您保留。"),
    "booking.requested": ("预订申请已收到 / Booking request received", "Your request joins the draw for this period. 您的申请将参加本期分配。"),
    "booking.approved": ("预订已批准 / Booking approved", "A park manager approved your booking. 园区管理员已批准您的预订。"),
    "booking.rejected": ("预订未获批准 / Booking rejected", "A park manager rejected your booking. 园区管理员未批准您的预订。"),
    "booking.cancelled": ("预订已取消 / Booking cancelled", "Your booking has been cancelled. 您的预订已取消。"),
    "booking.expired": ("预订已过期 / Booking expired", "Your booking was not decided before it started and has expired. 您的预订在开始前未获审批，已过期。"),
    "booking.reminder": ("预订提醒 / Booking reminder", "A reminder of your booking. 预订提醒。"),
    "booking.no_show": ("未签到 / No-show recorded", "Nobody checked in, so the rest of the slot was released. 未按时签到，剩余时段已释放。"),
}


def in_both(text: str, **params: object) -> str:
    """A text of the catalogue, with its parameters, in both mail languages ("Moved / 已改期")."""
    return " / ".join(translate(lang, text, **params) for lang in MAIL_LANGUAGES)


def reason_in_both(code: str, params: dict[str, Any]) -> str:
    """A stored reason (park/shared/reasons.py) in both mail languages."""
    return " / ".join(say_reason(code, params, lang) for lang in MAIL_LANGUAGES)


def moved_reason() -> str:
    return in_both(N_("Moved"))


def occurrences_reason(count: int, rule: str | None = None) -> str:
    """The reason line of a notice about several dates of a series at once."""
    if rule:
        return in_both(N_("%(count)s occurrences (%(rule)s)"), count=count, rule=rule)
    return in_both(N_("%(count)s occurrences"), count=count)


async def notify(
    kind: str, booking: dict[str, Any], facility_name: str, zone: ZoneInfo, now: datetime, reason: str = "",
    booker: Actor | None = None,
) -> None:
    """Queue a notice in the outbox; call inside the transaction of the change.

    `booker`: the actor, when it is the booking's user (saves looking the user up).
    """
    if booker is not None and booker.id == booking["user"]:
        user = {"email": booker.email, "name": booker.name}
    else:
        user = await User.select(User.email, User.name).where(User.id == booking["user"]).first()
    if user is None or not user["email"]:
        return
    subject, lead = NOTICES[kind]
    local_start = booking["starts_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
    local_end = booking["ends_at"].astimezone(zone).strftime("%H:%M")
    lines = [
        f"{user['name']}:",
        "",
        lead,
        "",
        f"{facility_name}",
        f"{local_start}–{local_end} ({zone.key})",
        f"{in_both(N_('Booking number'))}: {booking['id']}",
    ]
    if reason:
        lines += ["", f"{in_both(N_('Reason given'))}: {reason}"]
    await enqueue(kind, user["email"], f"{subject}: {facility_name} {local_start}", "\n".join(lines), now)
