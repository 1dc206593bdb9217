"""Users, API tokens, web sessions, sign-in failures, password resets and invitations. Tables only."""

from piccolo.columns import BigInt, Boolean, Bytea, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from park.tenants.tables import Tenant


class User(Table, tablename="park_user"):
    email = Varchar(length=254, unique=True, index=True)
    """Stored lower-cased."""
    name = Varchar(length=200)
    password_hash = Varchar(length=255)
    role = Varchar(length=20)
    tenant = ForeignKey(references=Tenant, null=True, default=None, index=True)
    locale = Varchar(length=10, default="")
    """Preferred page language; empty = the browser's or the park's default."""
    is_active = Boolean(default=True)
    calendar_token = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())
    sessions_valid_from = Timestamptz(null=True, default=None)
    """Web sessions begun before this instant are refused (set on password change and deactivation)."""


class ApiToken(Table, tablename="api_token"):
    user = ForeignKey(references=User, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    """SHA-256 of the token: a stolen database does not yield usable tokens."""
    name = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    key = Varchar(length=128, unique=True, index=True)
    data = Bytea()
    expires_at = Timestamptz(index=True)


class SignInCounter(Table, tablename="sign_in_counter"):
    """Password checks per bucket in the current window; counted and read in one upsert."""

    bucket = Varchar(length=80, unique=True, index=True)
    """"pair:", "ip:" or "email:" and a SHA-256 of the (account, address), address or account."""
    attempts = Integer(default=0)
    window_end = BigInt(default=0, index=True)
    """Seconds since the epoch when this window ends; the next attempt after it starts a new one."""


class PasswordReset(Table, tablename="password_reset"):
    """A mailed link to set a new password: valid an hour, used once."""

    user = ForeignKey(references=User, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    """SHA-256 of the token in the link; the token itself is only in the mail."""
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    """Set when the link is used, or when a newer link replaces it."""


class Invitation(Table, tablename="invitation"):
    """A mailed link to join Park: the account is created when the invitee sets a password (72 hours, once)."""

    email = Varchar(length=254, index=True)
    name = Varchar(length=200, default="")
    role = Varchar(length=20)
    tenant = ForeignKey(references=Tenant, null=True, default=None, index=True)
    invited_by = ForeignKey(references=User, null=True, default=None)
    locale = Varchar(length=10, default="")
    """The language of the mail and the first pages."""
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    """Set when the account is created, or when a newer invitation to the address replaces this one."""
