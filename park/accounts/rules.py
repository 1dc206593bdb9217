"""Account rules: roles, password policy, who may manage whom. Pure."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from park.shared.actor import ROLES, STAFF_ROLES, TENANT_ROLES, Actor
from park.shared.errors import FieldError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "password123", "qwertyuiop", "1q2w3e4r5t",
        "abcdefghij", "passw0rd123", "iloveyou123", "0987654321", "qwerty1234",
        "password12", "abc1234567", "a123456789", "1234567890a", "11111111111",
    }
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problems(email: str) -> list[FieldError]:
    if not EMAIL_PATTERN.match(normalise_email(email)) or len(email) > 254:
        return [FieldError("email", "Enter a valid email address, like name@example.com.")]
    return []


def password_problems(password: str, email: str = "", name: str = "") -> list[FieldError]:
    """The policy: long enough, not a well-known password, not the email or name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldError("password", "Use at least 10 characters.")]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [FieldError("password", "Use at most 256 characters.")]
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return [FieldError("password", "This password is too easy to guess; choose another.")]
    local_part = normalise_email(email).split("@")[0]
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and name.strip().lower() == lowered
    ):
        return [FieldError("password", "The password must not contain your email or name.")]
    return []


def role_problems(role: str, tenant_id: int | None) -> list[FieldError]:
    if role not in ROLES:
        return [FieldError("role", "Choose one of: member, tenant_admin, manager, admin.")]
    if role in TENANT_ROLES and tenant_id is None:
        return [FieldError("tenant_id", "A member or tenant_admin belongs to a tenant firm.")]
    if role in STAFF_ROLES and tenant_id is not None:
        return [FieldError("tenant_id", "Park staff do not belong to a tenant firm.")]
    return []


def may_create_user(actor: Actor, role: str, tenant_id: int | None) -> bool:
    """Managers create anyone but admins; admins anyone; a tenant_admin its own firm's users."""
    if actor.is_admin:
        return True
    if actor.role == "manager":
        return role != "admin"
    if actor.is_tenant_admin:
        return role in TENANT_ROLES and tenant_id == actor.tenant_id
    return False


def may_manage_user(actor: Actor, target_role: str, target_tenant_id: int | None) -> bool:
    """Whether `actor` may deactivate, reactivate or change the role of a user like this one.

    Admins manage everyone; managers everyone but admins; a tenant_admin its own
    firm's members and administrators only.
    """
    if actor.is_admin:
        return True
    if actor.role == "manager":
        return target_role != "admin"
    if actor.is_tenant_admin:
        return target_role in TENANT_ROLES and target_tenant_id is not None and target_tenant_id == actor.tenant_id
    return False


SESSION_MAX_AGE_S = 7 * 24 * 3600
"""However active, a web session ends a week after its sign-in: a stolen cookie cannot live for ever."""


def session_still_valid(
    signed_in_at: float | None, valid_from: float | None, now: float, max_age_s: int = SESSION_MAX_AGE_S
) -> bool:
    """A session is over when it began before the user's cut-off (password change, deactivation),
    when it is older than `max_age_s`, or when it does not say when it began. Seconds since the epoch."""
    if signed_in_at is None or signed_in_at > now or now - signed_in_at > max_age_s:
        return False
    return valid_from is None or signed_in_at >= valid_from


ADDRESS_LIMIT_FACTOR = 4
"""An address may fail more often than one account from it: it may be a shared office gateway."""
ACCOUNT_SLOW_FACTOR = 4
"""An account failing this many times the per-address limit, from anywhere, is slowed down."""
ACCOUNT_MAX_DELAY_S = 2.0


def throttle_limits(max_failures: int, pair_bucket: str, address_bucket: str) -> list[tuple[str, int]]:
    """The buckets whose count, past its limit, refuses a sign-in: (account, address) and address."""
    return [(pair_bucket, max_failures), (address_bucket, max_failures * ADDRESS_LIMIT_FACTOR)]


def account_delay_s(account_count: int, max_failures: int) -> float:
    """Seconds to wait before checking a password of an account attacked from many addresses: the
    attack slows down, the account stays open to its owner (whose address has its own count)."""
    over = account_count - max_failures * ACCOUNT_SLOW_FACTOR
    return 0.0 if over <= 0 else min(0.1 * over, ACCOUNT_MAX_DELAY_S)


RESET_LINK_TTL = timedelta(hours=1)
"""A password-reset link works this long after it was mailed."""
INVITATION_TTL = timedelta(hours=72)
"""An invitation link works this long after it was mailed."""


def link_usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A mailed link works once, before it expires (half-open: not at `expires_at` itself)."""
    return used_at is None and now < expires_at
