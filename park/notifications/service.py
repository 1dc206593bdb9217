"""Queueing mail in the outbox. Call `enqueue` inside the transaction of the change it reports."""

from __future__ import annotations

from datetime import datetime

from park.shared.db import fetch, write_at_commit


async def enqueue(kind: str, to_email: str, subject: str, body: str, now: datetime) -> None:
    """Written with the change; sent later by the outbox job, so a rolled-back change sends nothing."""
    await write_at_commit(
        "INSERT INTO outbox_message (created_at, kind, to_email, subject, body, status, attempts, next_attempt_at, sent_at, last_error) "
        "VALUES ($1, $2, $3, $4, $5, 'pending', 0, $1, NULL, '')",
        now, kind, to_email, subject, body,
    )


async def enqueue_many(kind: str, recipients: list[str], subject: str, body: str, now: datetime) -> None:
    for to_email in dict.fromkeys(recipients):
        await enqueue(kind, to_email, subject, body, now)


async def manager_recipients() -> list[tuple[str, str]]:
    """(email, preferred language) of every active manager and admin: whom park-wide news goes to."""
    rows = await fetch(
        "SELECT email, locale FROM park_user WHERE role IN ('manager', 'admin') "
        "AND is_active = $1 ORDER BY id",
        True,
    )
    return [(row["email"], row["locale"] or "") for row in rows]
