"""Tables of the cross-cutting HTTP layer: remembered answers to retried writes. Tables only."""

from piccolo.columns import Boolean, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdempotentRequest(Table, tablename="idempotent_request"):
    """One `Idempotency-Key` of one user: the claim of its first request, then that request's answer.

    (user_id, key) is unique (an index made in the migration): the insert that claims a key is what
    decides, across processes and machines, which request runs.
    """

    user_id = Integer()
    """The signed-in user; keys of different users never meet."""
    key = Varchar(length=255)
    fingerprint = Varchar(length=64)
    """SHA-256 (hex) of method, path, query and the SHA-256 of the body."""
    state = Varchar(length=10, default="running")
    """running (claimed, no answer yet) or done (the answer below is stored)."""
    applied = Boolean(default=False)
    """Set inside the request's first committed write transaction: the request changed something."""
    owner = Varchar(length=32, default="")
    """A random token of the attempt holding the claim; a takeover changes it, fencing the old one."""
    claimed_at = Timestamptz()
    created_at = Timestamptz(index=True)
    response_status = Integer(null=True, default=None)
    response_headers = Text(default="")
    """JSON list of [name, value] pairs, Set-Cookie and Date left out."""
    response_body = Bytea(null=True, default=None)
