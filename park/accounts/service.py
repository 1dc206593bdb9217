"""Account use cases: users, sign-in with throttling, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from park.accounts import rules
from park.accounts.model import Actor
from park.accounts.passwords import hash_password, needs_rehash, verify_password
from park.accounts.tables import ApiToken, SignInFailure, User
from park.audit import service as audit
from park.settings import Settings
from park.shared.db import transaction
from park.shared.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed
from park.tenants.tables import Tenant

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


async def find_actor(user_id: int, ip: str = "") -> Actor | None:
    row = await User.select().where((User.id == user_id) & (User.is_active == True)).first()  # noqa: E712
    return actor_from_row(row, ip) if row else None


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
        if await User.exists().where(User.email == email):
            raise Conflict("A user with this email already exists.")
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


async def user_out(user_id: int) -> dict[str, Any]:
    row = await User.select(
        User.id, User.email, User.name, User.role, User.tenant, User.locale, User.calendar_token
    ).where(User.id == user_id).first()
    if row is None:
        raise NotFound("No such user.")
    return row


def _buckets(email: str, ip: str) -> list[str]:
    buckets = [f"email:{rules.normalise_email(email)}"]
    if ip:
        buckets.append(f"ip:{ip}")
    return buckets


async def _check_throttle(settings: Settings, email: str, ip: str, now: datetime) -> None:
    since = now - timedelta(seconds=settings.login_window_seconds)
    for bucket in _buckets(email, ip):
        # An address may try more often than one account: it may be a shared office gateway.
        limit = settings.login_max_failures * (1 if bucket.startswith("email:") else 4)
        rows = (
            await SignInFailure.select(SignInFailure.failed_at)
            .where((SignInFailure.bucket == bucket) & (SignInFailure.failed_at > since))
            .order_by(SignInFailure.failed_at)
        )
        if len(rows) >= limit:
            oldest = rows[len(rows) - limit]["failed_at"]
            retry_after = int((oldest + timedelta(seconds=settings.login_window_seconds) - now).total_seconds()) + 1
            raise RateLimited(
                "Too many failed sign-ins. Wait a few minutes and try again.", retry_after_s=max(retry_after, 1)
            )


async def authenticate(settings: Settings, email: str, password: str, ip: str, now: datetime) -> Actor:
    """The actor for these credentials, or Unauthorized; RateLimited after repeated failures."""
    await _check_throttle(settings, email, ip, now)
    row = await User.select().where(User.email == rules.normalise_email(email)).first()
    valid = verify_password(row["password_hash"] if row else None, password)
    if not valid or row is None or not row["is_active"]:
        await SignInFailure.insert(*[SignInFailure(bucket=b, failed_at=now) for b in _buckets(email, ip)])
        raise Unauthorized("Wrong email or password.")
    await SignInFailure.delete().where(SignInFailure.bucket == _buckets(email, ip)[0])
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
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.expires_at, ApiToken.revoked_at)
        .where(ApiToken.token_hash == token_digest(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
        return None
    return await find_actor(row["user"], ip)


async def list_tokens(actor: Actor) -> list[dict[str, Any]]:
    return (
        await ApiToken.select(
            ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.expires_at, ApiToken.revoked_at
        )
        .where(ApiToken.user == actor.id)
        .order_by(ApiToken.id, ascending=False)
    )


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


async def set_locale(actor: Actor, locale: str) -> None:
    await User.update({User.locale: locale}).where(User.id == actor.id)
