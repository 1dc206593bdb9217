"""Accounts JSON API: tokens, the caller, users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from park.accounts import links, service
from park.shared.guards import signed_in, tenant_admin_or_manager
from park.accounts.middleware import client_ip
from park.settings import Settings
from park.shared.api import Page, caller, paging
from park.shared.clock import utc_now


class TokenRequest(msgspec.Struct):
    email: str
    password: str
    name: str = ""


class TokenOut(msgspec.Struct):
    token: str
    expires_at: datetime


class TokenInfo(msgspec.Struct):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class MeOut(msgspec.Struct):
    id: int
    email: str
    name: str
    role: str
    tenant_id: int | None
    locale: str
    calendar_url: str


class UserIn(msgspec.Struct):
    email: str
    name: str
    password: str
    role: str
    tenant_id: int | None = None


class UserOut(msgspec.Struct):
    id: int
    email: str
    name: str
    role: str
    tenant_id: int | None
    is_active: bool = True


class UserPatch(msgspec.Struct):
    """Only the fields sent change."""

    name: str | None = None
    role: str | None = None
    is_active: bool | None = None


class PasswordChange(msgspec.Struct):
    current_password: str
    new_password: str


class PasswordResetRequest(msgspec.Struct):
    email: str


class PasswordResetConfirm(msgspec.Struct):
    token: str
    password: str


class InvitationIn(msgspec.Struct):
    email: str
    role: str = "member"
    name: str = ""
    tenant_id: int | None = None
    locale: str | None = None
    """The language of the mail; default: the inviter's, else the park's."""


class InvitationSent(msgspec.Struct):
    status: str
    expires_at: datetime


class InvitationAccept(msgspec.Struct):
    token: str
    password: str
    name: str = ""


class Accepted(msgspec.Struct):
    status: str


def calendar_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/calendar/{token}.ics"


def user_out(row: dict[str, Any]) -> UserOut:
    return UserOut(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        tenant_id=row["tenant"],
        is_active=row.get("is_active", True),
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=200, summary="Exchange email and password for a bearer token")
    async def create_token(self, request: Request, data: JSONBody[TokenRequest], settings: NamedDependency[Settings]) -> TokenOut:
        now = utc_now()
        actor = await service.authenticate(settings, data.email, data.password, client_ip(request.scope), now)
        token, expires_at = await service.issue_token(settings, actor, now, data.name)
        return TokenOut(token=token, expires_at=expires_at)

    @post("/password-reset", status_code=202, summary="Mail a single-use link (1 hour) to set a new password; 202 whatever the address")
    async def request_password_reset(
        self, request: Request, data: JSONBody[PasswordResetRequest], settings: NamedDependency[Settings]
    ) -> Accepted:
        await links.request_password_reset(settings, data.email, client_ip(request.scope), utc_now())
        return Accepted(status="accepted")

    @post("/password-reset/confirm", status_code=200, summary="Set a new password with a reset link's token; a used or expired token: 422")
    async def confirm_password_reset(
        self, request: Request, data: JSONBody[PasswordResetConfirm], settings: NamedDependency[Settings]
    ) -> Accepted:
        await links.reset_password(settings, data.token, data.password, client_ip(request.scope), utc_now())
        return Accepted(status="ok")

    @get("/tokens", guards=[signed_in], summary="The caller's API tokens, newest first")
    async def list_tokens(
        self, request: Request, limit: FromQuery[int | None] = None, offset: FromQuery[int | None] = None
    ) -> Page[TokenInfo]:
        limit, offset = paging(limit, offset)
        rows = await service.list_tokens(caller(request))
        return Page(items=[TokenInfo(**row) for row in rows[offset : offset + limit]], total=len(rows))

    @delete("/tokens/{token_id:int}", guards=[signed_in], status_code=204, summary="Revoke one of the caller's tokens")
    async def revoke_token(self, request: Request, token_id: FromPath[int]) -> None:
        await service.revoke_token(caller(request), token_id, utc_now())


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]
    guards = [signed_in]

    @get("", summary="The signed-in user")
    async def me(self, request: Request, settings: NamedDependency[Settings]) -> MeOut:
        row = await service.user_out(caller(request).id)
        return MeOut(
            id=row["id"],
            email=row["email"],
            name=row["name"],
            role=row["role"],
            tenant_id=row["tenant"],
            locale=row["locale"],
            calendar_url=calendar_url(settings, row["calendar_token"]),
        )

    @post("/calendar-token", status_code=200, summary="Replace the secret calendar feed URL")
    async def regenerate_calendar(self, request: Request, settings: NamedDependency[Settings]) -> dict[str, str]:
        token = await service.regenerate_calendar_token(caller(request), utc_now())
        return {"calendar_url": calendar_url(settings, token)}

    @post("/password", status_code=204, summary="Change the caller's password; ends every session and revokes every token")
    async def change_password(
        self, request: Request, data: JSONBody[PasswordChange], settings: NamedDependency[Settings]
    ) -> None:
        await service.change_password(settings, caller(request), data.current_password, data.new_password, utc_now())


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]
    guards = [tenant_admin_or_manager]

    @post("", summary="Create a user (a tenant_admin: its own firm's)")
    async def create_user(self, request: Request, data: JSONBody[UserIn]) -> UserOut:
        actor = caller(request)
        tenant_id = data.tenant_id if data.tenant_id is not None or actor.is_manager else actor.tenant_id
        row = await service.create_user(
            actor,
            service.NewUser(data.email, data.name, data.password, data.role, tenant_id),
            utc_now(),
        )
        return user_out(row)

    @get("", summary="Users (a tenant_admin: its own firm's)")
    async def list_users(
        self,
        request: Request,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
        tenant_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Page[UserOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_users(caller(request), limit=limit, offset=offset, tenant_id=tenant_id, q=q)
        return Page(items=[user_out(row) for row in rows], total=total)

    @get("/{user_id:int}", summary="One user (a tenant_admin: its own firm's)")
    async def get_user(self, request: Request, user_id: FromPath[int]) -> UserOut:
        return user_out(await service.get_user(caller(request), user_id))

    @patch("/{user_id:int}", summary="Rename, change the role of, deactivate or reactivate a user")
    async def update_user(self, request: Request, user_id: FromPath[int], data: JSONBody[UserPatch]) -> UserOut:
        row = await service.update_user(
            caller(request), user_id, name=data.name, role=data.role, is_active=data.is_active, now=utc_now()
        )
        return user_out(row)


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ["accounts"]

    @post("", guards=[tenant_admin_or_manager], status_code=202,
          summary="Invite a colleague by mail: a single-use link (72 hours) to set a name and password")
    async def invite(self, request: Request, data: JSONBody[InvitationIn], settings: NamedDependency[Settings]) -> InvitationSent:
        actor = caller(request)
        tenant_id = data.tenant_id if data.tenant_id is not None or actor.is_manager else actor.tenant_id
        expires_at = await links.invite_user(
            settings, actor, email=data.email, name=data.name, role=data.role, tenant_id=tenant_id,
            locale=data.locale, now=utc_now(),
        )
        return InvitationSent(status="accepted", expires_at=expires_at)

    @post("/accept", status_code=200, summary="Create the invited account; a used or expired token: 422")
    async def accept(self, request: Request, data: JSONBody[InvitationAccept], settings: NamedDependency[Settings]) -> UserOut:
        actor = await links.accept_invitation(settings, data.token, data.name, data.password, client_ip(request.scope), utc_now())
        return user_out(await service.get_user(actor, actor.id))


ROUTES = [AuthController, MeController, UserController, InvitationController]
