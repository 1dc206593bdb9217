"""Scheduled space work: reminders of leases coming to an end."""

from __future__ import annotations

from datetime import datetime

from park.allocation import queries
from park.notifications.service import enqueue_many
from park.settings import Settings
from park.shared.db import transaction

# (days before the end, the lease column that records the reminder went out)
REMINDER_STEPS = ((30, "reminded_30_at"), (90, "reminded_90_at"))


async def remind_expiring_leases(now: datetime, settings: Settings) -> int:
    """Tell each firm 90 and 30 days before a lease ends; each reminder goes once.

    A lease found inside 30 days gets only the 30-day reminder (the 90-day one
    would say the same thing later). Several schedulers may run this at once:
    each reminder is claimed by a conditional update in the transaction that
    queues its mail, so exactly one of them sends it. Returns how many went.
    """
    today = now.astimezone(settings.zone).date()
    sent = 0
    for days, column in REMINDER_STEPS:
        for lease in await queries.leases_to_remind(today, days, column):
            async with transaction():
                if not await queries.claim_reminder(lease["id"], column, now):
                    continue
                if days == 90:
                    # Already inside the 30-day step: the 90-day reminder is moot.
                    if (lease["ends_on"] - today).days <= 30:
                        continue
                unit = await queries.get_unit(lease["unit"])
                code = unit["code"] if unit else f"#{lease['unit']}"
                left = (lease["ends_on"] - today).days
                recipients = await queries.tenant_admin_emails(lease["tenant"])
                tenant = (await queries.tenant_names([lease["tenant"]])).get(lease["tenant"])
                if tenant and tenant.get("contact_email"):
                    recipients.append(tenant["contact_email"])
                await enqueue_many(
                    "space.lease_expiring",
                    recipients,
                    f"租约即将到期 / Lease ends in {left} days",
                    f"Your lease of unit {code} ends on {lease['ends_on']} ({left} days from today). "
                    "To stay, apply for space before then.\n"
                    f"您租用的单元 {code} 将于 {lease['ends_on']} 到期（还有 {left} 天）。如需续租，请在此之前提交空间申请。",
                    now,
                )
                sent += 1
    return sent
