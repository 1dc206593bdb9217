"""Queueing mail in the outbox. Call `enqueue` inside the transaction of the change it reports."""

from __future__ import annotations

from datetime import datetime

from park.notifications.tables import OutboxMessage


async def enqueue(kind: str, to_email: str, subject: str, body: str, now: datetime) -> None:
    """Written with the change; sent later by the outbox job, so a rolled-back change sends nothing."""
    await OutboxMessage.insert(
        OutboxMessage(
            created_at=now,
            kind=kind,
            to_email=to_email,
            subject=subject,
            body=body,
            status="pending",
            next_attempt_at=now,
        )
    )


async def enqueue_many(kind: str, recipients: list[str], subject: str, body: str, now: datetime) -> None:
    for to_email in dict.fromkeys(recipients):
        await enqueue(kind, to_email, subject, body, now)
