"""Outgoing mail, written in the transaction that caused it. Tables only."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox_message"):
    created_at = Timestamptz(default=TimestamptzNow())
    kind = Varchar(length=60)
    """What caused it, e.g. booking.confirmed."""
    to_email = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()
    status = Varchar(length=10, default="pending", index=True)
    """pending, sending (claimed by a sender), sent or failed (after the last retry)."""
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
