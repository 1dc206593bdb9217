"""The outbox sender: SMTP when configured, else a log file."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from park.notifications.rules import next_attempt_after
from park.notifications.tables import OutboxMessage
from park.settings import Settings

log = logging.getLogger("park.mail")
BATCH_SIZE = 100
# A claimed message is left to its sender this long; after that (the sender died
# mid-send) another run may claim it again.
CLAIM_LEASE = timedelta(minutes=10)


def _message(settings: Settings, row: dict) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["to_email"]
    message["Subject"] = row["subject"]
    message.set_content(row["body"])
    return message


async def _deliver(settings: Settings, message: EmailMessage) -> None:
    if not settings.smtp_host:
        path = settings.resolve_path(settings.mail_log_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with Path(path).open("a", encoding="utf-8") as log_file:
            log_file.write(message.as_string() + "\n" + "=" * 72 + "\n")
        return
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=30,
    )


def _due(now: datetime):
    """Pending and due, or claimed by a sender whose lease ran out."""
    return OutboxMessage.status.is_in(["pending", "sending"]) & (OutboxMessage.next_attempt_at <= now)


async def send_outbox(now: datetime, settings: Settings) -> int:
    """Send due messages; a failure is retried with back-off, then marked failed. Returns how many were sent.

    Each message is claimed (a conditional UPDATE to `sending`) before it is sent, so
    two runs at once, in one process or several, never send one message twice.
    """
    due = (
        await OutboxMessage.select()
        .where(_due(now))
        .order_by(OutboxMessage.id)
        .limit(BATCH_SIZE)
    )
    sent = 0
    for row in due:
        claimed = await OutboxMessage.update(
            {OutboxMessage.status: "sending", OutboxMessage.next_attempt_at: now + CLAIM_LEASE}
        ).where((OutboxMessage.id == row["id"]) & _due(now)).returning(OutboxMessage.id)
        if not claimed:  # another run has it
            continue
        attempts = row["attempts"] + 1
        try:
            await _deliver(settings, _message(settings, row))
        except Exception as error:  # SMTP and file errors alike: retry later
            retry_at = next_attempt_after(now, attempts)
            log.warning("mail %s to %s failed (attempt %s): %s", row["id"], row["to_email"], attempts, error)
            await OutboxMessage.update(
                {
                    OutboxMessage.attempts: attempts,
                    OutboxMessage.last_error: str(error)[:500],
                    OutboxMessage.status: "pending" if retry_at else "failed",
                    OutboxMessage.next_attempt_at: retry_at or now,
                }
            ).where(OutboxMessage.id == row["id"])
            continue
        await OutboxMessage.update(
            {OutboxMessage.attempts: attempts, OutboxMessage.status: "sent", OutboxMessage.sent_at: now}
        ).where(OutboxMessage.id == row["id"])
        sent += 1
    return sent
