"""Account use cases: users, sign-in with throttling, API tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from park.accounts import rules, token_cache
from park.shared.actor import STAFF_ROLES, Actor
from park.accounts.passwords import hash_password, needs_rehash, verify_password
from park.accounts.tables import ApiToken, SignInCounter, User
from park.accounts.token_cache import forgets_tokens
from park.audit import service as audit
from park.settings import Settings
from park.shared.clock import utc_now
from park.shared.db import fetch_one, transaction
from park.shared.dialect import matches
from park.shared.labels import N_
from park.shared.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed
from park.tenants.tables import Tenant
from park.shared.listing import filtered_page

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_from_row(row: dict[str, Any], ip: str = "") -> Actor:
    return Actor(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        tenant_id=row["tenant"],
        locale=row.get("locale") or "",
        ip=ip,
    )


async def find_actor(
    user_id: int, ip: str = "", signed_in_at: float | None = None, *, from_session: bool = False, now: datetime | None = None
) -> Actor | None:
    """The active user; for a web session, only if it began after the user's last cut-off and is not too old."""
    row = await User.select().where((User.id == user_id) & (User.is_active == True)).first()  # noqa: E712
    if row is None:
        return None
    if from_session:
        cut_off = row.get("sessions_valid_from")
        at = (now or utc_now()).timestamp()
        if not rules.session_still_valid(signed_in_at, cut_off.timestamp() if cut_off else None, at):
            return None
    return actor_from_row(row, ip)


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    password: str
    role: str
    tenant_id: int | None


async def create_user(actor: Actor, new: NewUser, now: datetime) -> dict[str, Any]:
    email = rules.normalise_email(new.email)
    problems = (
        rules.email_problems(email)
        + ([] if new.name.strip() else [rules.FieldError("name", "Enter the person's name.")])
        + rules.role_problems(new.role, new.tenant_id)
        + rules.password_problems(new.password, email, new.name)
    )
    if problems:
        raise ValidationFailed(problems)
    if not rules.may_create_user(actor, new.role, new.tenant_id):
        if actor.is_tenant_admin and new.tenant_id != actor.tenant_id:
            raise NotFound("No such tenant.")
        raise Forbidden("You may not create a user with this role.")
    async with transaction():
        if new.tenant_id is not None and not await Tenant.exists().where(Tenant.id == new.tenant_id):
            raise ValidationFailed.on("tenant_id", "No tenant firm has this id.")
        await _refuse_taken_email(actor, email)
        user = User(
            email=email,
            name=new.name.strip(),
            password_hash=hash_password(new.password),
            role=new.role,
            tenant=new.tenant_id,
            calendar_token=secrets.token_urlsafe(24),
            created_at=now,
            password_changed_at=now,
        )
        await user.save()
        await audit.record(actor, "user.create", "user", user.id, {"email": email, "role": new.role}, at=now)
    return await user_out(user.id)


TAKEN_EMAIL = N_("A user with this email already exists.")
TAKEN_EMAIL_NEUTRAL = N_(
    "This email address cannot be used for a new account. If the person already has a Park account, ask the park office."
)


async def _refuse_taken_email(actor: Actor, email: str) -> None:
    """Conflict when the address has an account. Staff are told whose; a firm's administrator gets one answer
    whoever owns it (its own firm, another firm, park staff): the address must not reveal another party."""
    row = await User.select(User.id).where(User.email == email).first()
    if row is None:
        return
    if actor.is_manager:
        raise Conflict(TAKEN_EMAIL, extra={"user_id": row["id"]})
    raise Conflict(TAKEN_EMAIL_NEUTRAL)


async def user_out(user_id: int) -> dict[str, Any]:
    row = await User.select(
        User.id, User.email, User.name, User.role, User.tenant, User.locale, User.calendar_token
    ).where(User.id == user_id).first()
    if row is None:
        raise NotFound("No such user.")
    return row


def _key(prefix: str, *parts: str) -> str:
    """A bucket name of fixed length, whatever a client sends as email."""
    return prefix + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


_BUMP = (
    "INSERT INTO sign_in_counter (bucket, attempts, window_end) VALUES ($1, 1, $2) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "attempts = CASE WHEN sign_in_counter.window_end <= $3 THEN 1 ELSE sign_in_counter.attempts + 1 END, "
    "window_end = CASE WHEN sign_in_counter.window_end <= $4 THEN $5 ELSE sign_in_counter.window_end END "
    "RETURNING attempts, window_end"
)


async def _bump(bucket: str, now_s: int, window_s: int) -> tuple[int, int]:
    """Count one attempt in `bucket` and read the count in the same statement: concurrent attempts
    on any number of processes each see a different count. A window starts at its first attempt."""
    # Every placeholder once, in order: without a pool, Piccolo's query strings are positional.
    row = await fetch_one(_BUMP, bucket, now_s + window_s, now_s, now_s, now_s + window_s)
    assert row is not None
    return int(row["attempts"]), int(row["window_end"])


async def throttle(settings: Settings, purpose: str, subject: str, ip: str, now: datetime, message: str) -> None:
    """Count one attempt at `purpose` per (subject, address) and per address, with sign-in's limits and
    window; RateLimited past them. For what is not a password check (asking for a mailed link, using one).
    `purpose` is a short word: a bucket name is `purpose`, "-ip:" and 64 hex digits, in sign_in_counter.bucket's 80."""
    if len(purpose) > 12:
        raise ValueError(f"throttle purpose {purpose!r} is longer than 12 characters")
    now_s = int(now.timestamp())
    pair, address = _key(f"{purpose}:", subject, ip), _key(f"{purpose}-ip:", ip)
    for bucket, limit in rules.throttle_limits(settings.login_max_failures, pair, address):
        count, window_end = await _bump(bucket, now_s, settings.login_window_seconds)
        if count > limit:
            raise RateLimited(message, retry_after_s=max(window_end - now_s, 1))


@dataclass(frozen=True)
class _Attempt:
    pair: str
    address: str
    account: str


async def _begin_attempt(settings: Settings, email: str, ip: str, now: datetime) -> _Attempt:
    """Count a password check before it happens; RateLimited when this (account, address) or this address
    has failed too often. An account failing from many addresses is slowed down, never locked."""
    email = rules.normalise_email(email)
    attempt = _Attempt(_key("pair:", email, ip), _key("ip:", ip), _key("email:", email))
    now_s = int(now.timestamp())
    window = settings.login_window_seconds
    for bucket, limit in rules.throttle_limits(settings.login_max_failures, attempt.pair, attempt.address):
        count, window_end = await _bump(bucket, now_s, window)
        if count > limit:
            raise RateLimited(
                "Too many failed sign-ins. Wait a few minutes and try again.", retry_after_s=max(window_end - now_s, 1)
            )
    count, _ = await _bump(attempt.account, now_s, window)
    delay = rules.account_delay_s(count, settings.login_max_failures)
    if delay:
        await asyncio.sleep(delay)
    return attempt


async def _attempt_succeeded(attempt: _Attempt) -> None:
    """A right password: it was no failure, and this account and address start afresh."""
    await SignInCounter.delete().where(SignInCounter.bucket.is_in([attempt.pair, attempt.account]))
    await SignInCounter.update({SignInCounter.attempts: SignInCounter.attempts - 1}).where(
        (SignInCounter.bucket == attempt.address) & (SignInCounter.attempts > 0)
    )


async def authenticate(settings: Settings, email: str, password: str, ip: str, now: datetime) -> Actor:
    """The actor for these credentials, or Unauthorized; RateLimited after repeated failures."""
    attempt = await _begin_attempt(settings, email, ip, now)
    row = await User.select().where(User.email == rules.normalise_email(email)).first()
    valid = verify_password(row["password_hash"] if row else None, password)
    if not valid or row is None or not row["is_active"]:
        raise Unauthorized("Wrong email or password.")
    await _attempt_succeeded(attempt)
    if needs_rehash(row["password_hash"]):
        await User.update({User.password_hash: hash_password(password)}).where(User.id == row["id"])
    return actor_from_row(row, ip)


async def issue_token(settings: Settings, actor: Actor, now: datetime, name: str = "") -> tuple[str, datetime]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(hours=settings.token_ttl_hours)
    async with transaction():
        await ApiToken.insert(
            ApiToken(user=actor.id, token_hash=token_digest(token), name=name[:100], created_at=now, expires_at=expires_at)
        )
        await audit.record(actor, "token.issue", "user", actor.id, {"name": name[:100]}, at=now)
    return token, expires_at


async def actor_for_token(token: str, now: datetime, ip: str = "") -> Actor | None:
    """The active user of a live token. Every API request passes here: one indexed join, hand-written,
    remembered for a moment (`park.accounts.token_cache`: revocation reaches other processes within seconds)."""
    digest = token_digest(token)
    row = token_cache.recall(digest, now)
    if row is None:
        since = token_cache.generation()
        row = await fetch_one(
            'SELECT u.id, u.email, u.name, u.role, u.tenant AS tenant, u.locale, t.expires_at FROM api_token t '
            'JOIN park_user u ON u.id = t."user" '
            "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.is_active = $3",
            digest, now, True,
        )
        if row is None:
            return None
        token_cache.remember(digest, row["expires_at"], row, since)
    return actor_from_row(row, ip)


async def list_tokens(actor: Actor) -> list[dict[str, Any]]:
    return (
        await ApiToken.select(
            ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.expires_at, ApiToken.revoked_at
        )
        .where(ApiToken.user == actor.id)
        .order_by(ApiToken.id, ascending=False)
    )


@forgets_tokens
async def revoke_token(actor: Actor, token_id: int, now: datetime) -> None:
    async with transaction():
        row = await ApiToken.select(ApiToken.id).where((ApiToken.id == token_id) & (ApiToken.user == actor.id)).first()
        if row is None:
            raise NotFound("No such token.")
        await ApiToken.update({ApiToken.revoked_at: now}).where(ApiToken.id == token_id)
        await audit.record(actor, "token.revoke", "api_token", token_id, at=now)


async def regenerate_calendar_token(actor: Actor, now: datetime) -> str:
    token = secrets.token_urlsafe(24)
    async with transaction():
        await User.update({User.calendar_token: token}).where(User.id == actor.id)
        await audit.record(actor, "user.calendar_token", "user", actor.id, at=now)
    return token


@forgets_tokens
async def set_locale(actor: Actor, locale: str) -> None:
    async with transaction():
        await User.update({User.locale: locale}).where(User.id == actor.id)
        await audit.record(actor, "user.locale", "user", actor.id, {"locale": locale})


USER_COLUMNS = (User.id, User.email, User.name, User.role, User.tenant, User.is_active, User.created_at)


def _scope_users(actor: Actor, query):
    """Every user query passes here: a firm's administrator sees its own firm's people only."""
    if actor.is_manager:
        return query
    if actor.is_tenant_admin and actor.tenant_id is not None:
        return query.where(User.tenant == actor.tenant_id)
    return query.where(User.id == actor.id)


async def list_users(
    actor: Actor, *, limit: int, offset: int, tenant_id: int | None = None, q: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    query = _scope_users(actor, User.select(*USER_COLUMNS).order_by(User.email))
    count = _scope_users(actor, User.count())
    conditions = []
    if tenant_id is not None:
        conditions.append(User.tenant == tenant_id)
    if q:
        conditions.append(matches(User.email, f"%{q.strip()}%") | matches(User.name, f"%{q.strip()}%"))
    return await filtered_page(query, count, conditions, limit, offset)


async def list_staff(actor: Actor) -> list[dict[str, Any]]:
    """The park's own people (managers and admins), for an admin."""
    if not actor.is_admin:
        raise Forbidden(N_("Only administrators may manage the park's staff."))
    return await User.select(*USER_COLUMNS).where(User.role.is_in(list(STAFF_ROLES))).order_by(User.email)


async def get_user(actor: Actor, user_id: int) -> dict[str, Any]:
    """One user the caller may see; another firm's user is NotFound, like one that does not exist."""
    row = await _scope_users(actor, User.select(*USER_COLUMNS).where(User.id == user_id)).first()
    if row is None:
        raise NotFound("No such user.")
    return row


@forgets_tokens
async def end_sessions_and_tokens(user_id: int, now: datetime) -> None:
    """What a stolen session or token would need to survive: every web session and API token of the user ends now."""
    await User.update({User.sessions_valid_from: now}).where(User.id == user_id)
    await ApiToken.update({ApiToken.revoked_at: now}).where((ApiToken.user == user_id) & ApiToken.revoked_at.is_null())


async def _manageable(actor: Actor, user_id: int) -> dict[str, Any]:
    row = await get_user(actor, user_id)
    if row["id"] == actor.id:
        raise Forbidden("You cannot change your own role or deactivate yourself; ask another administrator.")
    if not rules.may_manage_user(actor, row["role"], row["tenant"]):
        raise Forbidden("You may not manage this user.")
    return row


@forgets_tokens
async def set_user_active(actor: Actor, user_id: int, active: bool, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await _manageable(actor, user_id)
        if row["is_active"] != active:
            await User.update({User.is_active: active}).where(User.id == user_id)
            if not active:
                await end_sessions_and_tokens(user_id, now)
            await audit.record(actor, "user.activate" if active else "user.deactivate", "user", user_id, at=now)
    return await get_user(actor, user_id)


@forgets_tokens
async def change_role(actor: Actor, user_id: int, role: str, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await _manageable(actor, user_id)
        problems = rules.role_problems(role, row["tenant"])
        if problems:
            raise ValidationFailed(problems)
        if not rules.may_create_user(actor, role, row["tenant"]):
            raise Forbidden("You may not give this role.")
        if row["role"] != role:
            await User.update({User.role: role}).where(User.id == user_id)
            await audit.record(actor, "user.role", "user", user_id, {"from": row["role"], "to": role}, at=now)
    return await get_user(actor, user_id)


@forgets_tokens
async def rename_user(actor: Actor, user_id: int, name: str, now: datetime) -> dict[str, Any]:
    if not name.strip() or len(name) > 200:
        raise ValidationFailed.on("name", "Enter the person's name (at most 200 characters).")
    async with transaction():
        row = await get_user(actor, user_id)
        if row["id"] != actor.id:
            await _manageable(actor, user_id)
        await User.update({User.name: name.strip()}).where(User.id == user_id)
        await audit.record(actor, "user.rename", "user", user_id, {"name": name.strip()}, at=now)
    return await get_user(actor, user_id)


@forgets_tokens
async def change_password(
    settings: Settings, actor: Actor, current_password: str, new_password: str, now: datetime
) -> None:
    """The caller's own password; every other session and every API token of the caller ends.
    Guessing the current password is throttled like sign-in (a stolen session must not try for ever)."""
    attempt = await _begin_attempt(settings, actor.email, actor.ip, now)
    row = await User.select(User.password_hash).where(User.id == actor.id).first()
    if row is None or not verify_password(row["password_hash"], current_password):
        raise ValidationFailed.on("current_password", "The current password is wrong.")
    await _attempt_succeeded(attempt)
    problems = [
        rules.FieldError("new_password", problem.message)
        for problem in rules.password_problems(new_password, actor.email, actor.name)
    ]
    if problems:
        raise ValidationFailed(problems)
    async with transaction():
        await User.update({User.password_hash: hash_password(new_password), User.password_changed_at: now}).where(
            User.id == actor.id
        )
        await end_sessions_and_tokens(actor.id, now)
        await audit.record(actor, "user.password_change", "user", actor.id, at=now)


@forgets_tokens
async def update_user(
    actor: Actor, user_id: int, *, name: str | None, role: str | None, is_active: bool | None, now: datetime
) -> dict[str, Any]:
    """Several changes to one user in one transaction: all happen, or (on any refusal) none."""
    async with transaction():
        row = await get_user(actor, user_id)
        if name is not None:
            row = await rename_user(actor, user_id, name, now)
        if role is not None:
            row = await change_role(actor, user_id, role, now)
        if is_active is not None:
            row = await set_user_active(actor, user_id, is_active, now)
    return row
