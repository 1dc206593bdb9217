"""The outbox sender claims each message before sending it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timezone

from park.notifications import jobs
from park.notifications.service import enqueue
from park.notifications.tables import OutboxMessage
from park.shared.db import transaction

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)


async def test_two_concurrent_runs_never_send_one_message_twice(db, settings, monkeypatch):
    async with transaction():  # as the changes that cause mail do
        for n in range(12):
            await enqueue("booking.confirmed", f"user{n}@example.com", f"Booking {n}", "body", NOW)
    delivered: Counter[str] = Counter()

    async def deliver(_settings, message):
        await asyncio.sleep(0.01)  # a slow SMTP server: the other run gets its turn meanwhile
        delivered[message["To"]] += 1

    monkeypatch.setattr(jobs, "_deliver", deliver)
    counts = await asyncio.gather(jobs.send_outbox(NOW, settings), jobs.send_outbox(NOW, settings))
    assert sum(counts) == 12
    assert sorted(delivered.values()) == [1] * 12
    rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts)
    assert {(r["status"], r["attempts"]) for r in rows} == {("sent", 1)}


async def test_a_failed_send_is_retried_later(db, settings, monkeypatch):
    async with transaction():
        await enqueue("booking.confirmed", "user@example.com", "Booking", "body", NOW)

    async def fail(_settings, message):
        raise OSError("connection refused")

    monkeypatch.setattr(jobs, "_deliver", fail)
    assert await jobs.send_outbox(NOW, settings) == 0
    row = await OutboxMessage.select().first()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["next_attempt_at"] > NOW
