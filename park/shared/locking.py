"""One way to serialise writers on a record: `await lock("facility", facility_id)`.

Every use case that must not interleave with another on the same record (two bookings of
one facility, two quota checks of one firm, two decisions on one round, two leases of one
unit) takes the record's row lock first, inside its transaction, and holds it to commit.

- PostgreSQL: `SELECT … FOR UPDATE` on the rows, keys sorted so that two writers locking
  the same set never deadlock; the connection's `lock_timeout` (set when the pool opens,
  see `park.shared.db.make_engine`) bounds the wait, and a writer that waited too long gets
  a clear "busy, try again" answer instead of hanging.
- SQLite: nothing to do. Park's write transactions are IMMEDIATE, so the transaction
  already holds the database's single write lock.

Locks across tables are taken in one order everywhere: facility before tenant before
anything else (see the booking use case).

`for_update` locks as part of a read, saving `lock`'s round trip; a new booking's transaction
begins holding its locks (`park.shared.db.transaction(locks=…)`), sent with its BEGIN.
"""

from __future__ import annotations

import re

from park.shared.db import current_engine, fetch, is_sqlite

_TABLE = re.compile(r"^[a-z_]+$")


class NotInTransaction(RuntimeError):
    """A row lock outside a transaction would be released at once: a programming error."""


def for_update(alias: str) -> str:
    """The clause that locks the rows of `alias` a SELECT reads, for a use case that reads and
    locks one record in a single round trip (the booking path): `f"… WHERE f.id = $1{for_update('f')}"`.

    The same rule as `lock`: only inside a transaction; nothing on SQLite.
    """
    if not _TABLE.match(alias):
        raise ValueError(f"not a table alias: {alias!r}")
    if current_engine().current_transaction.get() is None:
        raise NotInTransaction(f"for_update({alias!r}) needs a transaction")
    return "" if is_sqlite() else f" FOR UPDATE OF {alias}"


async def lock(table: str, *ids: int) -> None:
    """Lock the rows `ids` of `table` until the current transaction ends."""
    if not _TABLE.match(table):
        raise ValueError(f"not a table name: {table!r}")
    if current_engine().current_transaction.get() is None:
        raise NotInTransaction(f"lock({table!r}, …) needs a transaction")
    clause = for_update(table)
    if not clause or not ids:
        return
    keys = sorted(set(ids))
    if len(keys) == 1:
        await fetch(f"SELECT id FROM {table} WHERE id = $1{clause}", keys[0])
    else:
        await fetch(f"SELECT id FROM {table} WHERE id = ANY($1::bigint[]) ORDER BY id{clause}", keys)
