"""Mailed single-use links: a forgotten password's reset and a colleague's invitation.

Only a SHA-256 of each token is stored; the token is in the mail alone. A link is used by one
conditional UPDATE (`used_at`/`accepted_at` still empty, not expired), so two clicks at once use
it once. Asking and using are throttled with the sign-in counters (park.accounts.service).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from park.accounts import rules
from park.accounts.passwords import hash_password
from park.accounts.service import (
    TAKEN_EMAIL, actor_from_row, end_sessions_and_tokens, forgets_tokens, throttle, token_digest,
)
from park.accounts.tables import Invitation, PasswordReset, User
from park.audit import service as audit
from park.notifications import mails
from park.notifications.service import enqueue
from park.settings import Settings
from park.shared import i18n
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from park.shared.labels import N_
from park.tenants.tables import Tenant

LINK_BYTES = 32
LINK_SPENT = N_("This link has expired or was already used. Ask for a new one.")
TOO_MANY = N_("Too many attempts. Wait a few minutes and try again.")


async def _throttle(settings: Settings, purpose: str, subject: str, ip: str, now: datetime) -> None:
    await throttle(settings, purpose, subject, ip, now, TOO_MANY)


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}/{token}"


def _mail_lang(settings: Settings, locale: str | None) -> str:
    return i18n.valid_locale(locale) or settings.default_locale


# --- password reset ---------------------------------------------------------------


async def request_password_reset(settings: Settings, email: str, ip: str, now: datetime) -> None:
    """Mail a reset link if an active account uses `email`. The caller answers the same either way."""
    email = rules.normalise_email(email)[:254]
    await _throttle(settings, "reset", email, ip, now)
    async with transaction():
        user = await User.select(User.id, User.name, User.locale).where(
            (User.email == email) & (User.is_active == True)  # noqa: E712
        ).first()
        if user is None:
            return
        # A newer link replaces any older one still in a mailbox.
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.user == user["id"]) & PasswordReset.used_at.is_null()
        )
        token = secrets.token_urlsafe(LINK_BYTES)
        await PasswordReset.insert(PasswordReset(
            user=user["id"], token_hash=token_digest(token), created_at=now, expires_at=now + rules.RESET_LINK_TTL,
        ))
        mail = mails.password_reset_mail(
            _mail_lang(settings, user["locale"]), user["name"], _link(settings, "/password-reset", token),
            int(rules.RESET_LINK_TTL.total_seconds() // 60),
        )
        await enqueue("account.password_reset", email, mail.subject, mail.body, now)


async def _usable_reset(token: str, now: datetime) -> dict[str, Any]:
    row = await PasswordReset.select(
        PasswordReset.id, PasswordReset.user, PasswordReset.expires_at, PasswordReset.used_at
    ).where(PasswordReset.token_hash == token_digest(token)).first()
    if row is None or not rules.link_usable(row["expires_at"], row["used_at"], now):
        raise ValidationFailed.on("token", LINK_SPENT)
    return row


async def check_reset_link(token: str, now: datetime) -> None:
    """ValidationFailed (422) unless the link may still be used: the page shows the form only then."""
    await _usable_reset(token, now)


@forgets_tokens
async def reset_password(settings: Settings, token: str, password: str, ip: str, now: datetime) -> Actor:
    """Set the password of the link's account; the link is spent, every session and token of the account ends."""
    await _throttle(settings, "reset-use", token_digest(token), ip, now)
    row = await _usable_reset(token, now)
    user = await User.select().where((User.id == row["user"]) & (User.is_active == True)).first()  # noqa: E712
    if user is None:
        raise ValidationFailed.on("token", LINK_SPENT)
    problems = rules.password_problems(password, user["email"], user["name"])
    if problems:
        raise ValidationFailed(problems)
    async with transaction():
        spent = await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.id == row["id"]) & PasswordReset.used_at.is_null() & (PasswordReset.expires_at > now)
        ).returning(PasswordReset.id)
        if not spent:  # used a moment ago by another request
            raise ValidationFailed.on("token", LINK_SPENT)
        await User.update({User.password_hash: hash_password(password), User.password_changed_at: now}).where(
            User.id == user["id"]
        )
        await end_sessions_and_tokens(user["id"], now)
        actor = actor_from_row(user, ip)
        await audit.record(actor, "user.password_reset", "user", user["id"], at=now)
    return actor


# --- invitations ------------------------------------------------------------------


async def invite_user(
    settings: Settings, actor: Actor, *, email: str, name: str, role: str, tenant_id: int | None,
    locale: str | None, now: datetime,
) -> datetime:
    """Mail `email` a link to join with `role`; the expiry of the link.

    A firm's administrator gets the same answer for an address that has an account already (the
    owner is mailed a note instead), so an invitation never tells whose an address is; staff are told."""
    email = rules.normalise_email(email)
    problems = rules.email_problems(email) + rules.role_problems(role, tenant_id)
    if len(name) > 200:
        problems.append(FieldError("name", N_("Enter the person's name (at most 200 characters).")))
    if problems:
        raise ValidationFailed(problems)
    if not rules.may_create_user(actor, role, tenant_id):
        if actor.is_tenant_admin and tenant_id != actor.tenant_id:
            raise NotFound(N_("No such tenant."))
        raise Forbidden(N_("You may not create a user with this role."))
    await _throttle(settings, "invite", email, actor.ip, now)  # nobody floods an inbox with invitations
    lang = _mail_lang(settings, locale or actor.locale)
    expires_at = now + rules.INVITATION_TTL
    async with transaction():
        firm = None
        if tenant_id is not None:
            firm = await Tenant.select(Tenant.name, Tenant.name_en).where(Tenant.id == tenant_id).first()
            if firm is None:
                raise ValidationFailed.on("tenant_id", N_("No tenant firm has this id."))
        existing = await User.select(User.id, User.name, User.locale).where(User.email == email).first()
        if existing is not None:
            if actor.is_manager:
                raise Conflict(TAKEN_EMAIL, extra={"user_id": existing["id"]})
            mail = mails.already_registered_mail(
                _mail_lang(settings, existing["locale"]), existing["name"], actor.name,
                f"{settings.base_url.rstrip('/')}/login", f"{settings.base_url.rstrip('/')}/password-reset",
            )
            await enqueue("account.invitation", email, mail.subject, mail.body, now)
            await audit.record(actor, "user.invite", "user", "", {"email": email, "role": role, "existing": True}, at=now)
            return expires_at
        # A newer invitation to the address replaces an older one.
        await Invitation.update({Invitation.accepted_at: now}).where(
            (Invitation.email == email) & Invitation.accepted_at.is_null()
        )
        token = secrets.token_urlsafe(LINK_BYTES)
        invitation = Invitation(
            email=email, name=name.strip(), role=role, tenant=tenant_id, invited_by=actor.id, locale=lang,
            token_hash=token_digest(token), created_at=now, expires_at=expires_at,
        )
        await invitation.save()
        firm_name = "" if firm is None else i18n.local(firm, lang)
        mail = mails.invitation_mail(lang, actor.name, firm_name, _link(settings, "/invitation", token),
                                     int(rules.INVITATION_TTL.total_seconds() // 3600))
        await enqueue("account.invitation", email, mail.subject, mail.body, now)
        await audit.record(actor, "user.invite", "invitation", invitation.id, {"email": email, "role": role}, at=now)
    return expires_at


async def invitation_for(token: str, now: datetime) -> dict[str, Any]:
    """The invitation a link names, while it may be used; else ValidationFailed (422)."""
    row = await Invitation.select().where(Invitation.token_hash == token_digest(token)).first()
    if row is None or not rules.link_usable(row["expires_at"], row["accepted_at"], now):
        raise ValidationFailed.on("token", LINK_SPENT)
    return row


async def pending_invitations(actor: Actor, tenant_id: int, now: datetime) -> list[dict[str, Any]]:
    """A firm's invitations not yet used nor expired (for its users page)."""
    if not actor.can_see_tenant(tenant_id):
        return []
    return await Invitation.select(Invitation.email, Invitation.name, Invitation.role, Invitation.expires_at).where(
        (Invitation.tenant == tenant_id) & Invitation.accepted_at.is_null() & (Invitation.expires_at > now)
    ).order_by(Invitation.created_at, ascending=False)


async def pending_staff_invitations(actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Invitations to the park's staff not yet used nor expired (for the admin's staff page)."""
    if not actor.is_admin:
        return []
    return await Invitation.select(Invitation.email, Invitation.name, Invitation.role, Invitation.expires_at).where(
        Invitation.tenant.is_null() & Invitation.accepted_at.is_null() & (Invitation.expires_at > now)
    ).order_by(Invitation.created_at, ascending=False)


async def accept_invitation(
    settings: Settings, token: str, name: str, password: str, ip: str, now: datetime
) -> Actor:
    """Create the invited account with the name and password its owner chose; the link is spent."""
    await _throttle(settings, "invite-use", token_digest(token), ip, now)
    row = await invitation_for(token, now)
    name = (name or row["name"]).strip()
    problems = [] if name and len(name) <= 200 else [
        FieldError("name", N_("Enter the person's name (at most 200 characters)."))]
    problems += rules.password_problems(password, row["email"], name)
    if problems:
        raise ValidationFailed(problems)
    async with transaction():
        spent = await Invitation.update({Invitation.accepted_at: now}).where(
            (Invitation.id == row["id"]) & Invitation.accepted_at.is_null() & (Invitation.expires_at > now)
        ).returning(Invitation.id)
        if not spent or await User.exists().where(User.email == row["email"]):
            raise ValidationFailed.on("token", LINK_SPENT)
        user = User(
            email=row["email"], name=name, password_hash=hash_password(password), role=row["role"],
            tenant=row["tenant"], locale=row["locale"], calendar_token=secrets.token_urlsafe(24),
            created_at=now, password_changed_at=now,
        )
        await user.save()
        actor = actor_from_row({"id": user.id, "email": row["email"], "name": name, "role": row["role"],
                                "tenant": row["tenant"], "locale": row["locale"]}, ip)
        await audit.record(actor, "user.invitation_accept", "user", user.id, {"invitation": row["id"]}, at=now)
    return actor
