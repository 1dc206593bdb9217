"""Sign-in, sign-out, password change and reset, invitations and language choice pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.accounts import links, service
from park.shared.guards import admin_only, signed_in, tenant_admin_or_manager
from park.shared.actor import STAFF_ROLES, TENANT_ROLES
from park.accounts.middleware import SESSION_SIGNED_IN_KEY, SESSION_USER_KEY, client_ip
from park.accounts.sessions import rotate_session
from park.audit import service as audit
from park.settings import Settings
from park.shared import i18n
from park.shared.api import MAX_LIMIT, caller
from park.shared.clock import utc_now
from park.shared.errors import Conflict, NotFound, RateLimited, Unauthorized, ValidationFailed
from park.shared.web import LANG_COOKIE, confirm_page, confirmed, flash, gettext_for, page, page_lang, redirect, safe_next

Form = URLEncodedBody[dict[str, str]]


MANAGER_HOME = "/dashboard"


def landing_page(request: Request, actor: Any, target: str) -> str:
    """Where sign-in leads: the page asked for; from the home page, a manager goes to the dashboard."""
    if target == "/" and actor.is_manager and any(route.path == MANAGER_HOME for route in request.app.routes):
        return MANAGER_HOME
    return target


class SignInPages(Controller):
    path = ""
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Request, next: FromQuery[str | None] = None, email: FromQuery[str | None] = None
    ) -> Template:
        return page(request, "accounts/login.html", next=safe_next(next), email=(email or "")[:254], error=None)

    @post("/login")
    async def login(self, request: Request, data: Form, settings: NamedDependency[Settings]) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        email = data.get("email", "")
        target = safe_next(data.get("next"))
        try:
            actor = await service.authenticate(settings, email, data.get("password", ""), client_ip(request.scope), utc_now())
        except Unauthorized:
            return page(request, "accounts/login.html", status_code=401, next=target, email=email,
                        error=_("Wrong email or password."))
        except RateLimited as limited:
            response = page(request, "accounts/login.html", status_code=429, next=target, email=email,
                            error=_("Too many failed sign-ins. Wait a few minutes and try again."))
            response.headers["Retry-After"] = str(limited.retry_after_s)
            return response
        now = utc_now()
        await audit.record(actor, "user.sign_in", "user", actor.id, at=now)
        request.session.clear()
        rotate_session(request.scope)
        request.session[SESSION_USER_KEY] = actor.id
        request.session[SESSION_SIGNED_IN_KEY] = now.timestamp()
        if not actor.locale:
            request.session["lang"] = page_lang(request)
        return redirect(landing_page(request, actor, target))

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        actor = request.scope.get("user")
        if actor is not None:
            await audit.record(actor, "user.sign_out", "user", actor.id)
        request.clear_session()
        return redirect("/")

    @post("/lang")
    async def choose_language(self, request: Request, data: Form) -> Redirect:
        lang = i18n.valid_locale(data.get("lang")) or "zh_Hans"
        actor = request.scope.get("user")
        if actor is not None:
            await service.set_locale(actor, lang)
        response = redirect(safe_next(data.get("next")))
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response


class AccountPages(Controller):
    path = "/account"
    include_in_schema = False
    guards = [signed_in]

    @get("/password")
    async def password_form(self, request: Request) -> Template:
        return page(request, "accounts/password.html", errors={})

    @post("/password")
    async def change_password(
        self, request: Request, data: Form, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        actor = caller(request)
        _ = gettext_for(page_lang(request))
        errors: dict[str, str] = {}
        new_password = data.get("new_password", "")
        if new_password != data.get("confirm_password"):
            errors["confirm_password"] = _("The two new passwords differ.")
        now = utc_now()
        if not errors:
            try:
                await service.change_password(settings, actor, data.get("current_password", ""), new_password, now)
            except ValidationFailed as failed:
                errors = {error.field: _(error.message, **error.params) for error in failed.errors}
            except RateLimited as limited:
                response = page(request, "accounts/password.html", status_code=429,
                                errors={"current_password": _("Too many failed sign-ins. Wait a few minutes and try again.")})
                response.headers["Retry-After"] = str(limited.retry_after_s)
                return response
        if errors:
            return page(request, "accounts/password.html", status_code=422, errors=errors)
        # Every other session of this user has ended; this one carries on under a new id.
        rotate_session(request.scope)
        request.session[SESSION_SIGNED_IN_KEY] = now.timestamp()
        flash(request, _("Your password has been changed."), "success")
        return redirect("/")


class TokenPages(Controller):
    path = "/account/tokens"
    include_in_schema = False
    guards = [signed_in]

    @get("")
    async def token_list(self, request: Request) -> Template:
        tokens = await service.list_tokens(caller(request))
        return page(request, "accounts/tokens.html", tokens=tokens, now=utc_now())

    @post("/{token_id:int}/revoke")
    async def revoke(self, request: Request, token_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.revoke_token(caller(request), token_id, utc_now())
        flash(request, _("The token has been revoked."), "success")
        return redirect("/account/tokens")


class FirmUserPages(Controller):
    """A firm's administrator manages its own firm's people (managers use the API and the tenant pages)."""

    path = "/my-firm/users"
    include_in_schema = False
    guards = [tenant_admin_or_manager]

    async def _render(
        self, request: Request, *, values: dict[str, str], errors: dict[str, str], status: int = 200,
        invite_values: dict[str, str] | None = None, invite_errors: dict[str, str] | None = None,
    ) -> Template:
        actor = caller(request)
        if actor.tenant_id is None:
            raise NotFound("Park staff do not belong to a tenant firm.")
        users, total = await service.list_users(actor, limit=MAX_LIMIT, offset=0, tenant_id=actor.tenant_id)
        invited = await links.pending_invitations(actor, actor.tenant_id, utc_now())
        return page(request, "accounts/firm_users.html", status_code=status, people=users, total=total,
                    values=values, errors=errors, roles=TENANT_ROLES, invited=invited,
                    invite_values=invite_values or {}, invite_errors=invite_errors or {})

    @get("")
    async def user_list(self, request: Request) -> Template:
        return await self._render(request, values={}, errors={})

    @post("")
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        actor = caller(request)
        _ = gettext_for(page_lang(request))
        if actor.tenant_id is None:
            raise NotFound("Park staff do not belong to a tenant firm.")
        try:
            await service.create_user(
                actor,
                service.NewUser(data.get("email", ""), data.get("name", ""), data.get("password", ""),
                                data.get("role", "member"), actor.tenant_id),
                utc_now(),
            )
        except ValidationFailed as failed:
            values = {k: v for k, v in data.items() if k != "password"}
            return await self._render(request, values=values, errors={e.field: _(e.message, **e.params) for e in failed.errors}, status=422)
        except Conflict as taken:
            values = {k: v for k, v in data.items() if k != "password"}
            return await self._render(request, values=values, errors={"email": _(taken.template, **taken.params)}, status=409)
        flash(request, _("The account has been created. Give the person the password by a safe channel."), "success")
        return redirect("/my-firm/users")

    @post("/invite")
    async def invite(self, request: Request, data: Form, settings: NamedDependency[Settings]) -> Template | Redirect:
        actor = caller(request)
        lang = page_lang(request)
        _ = gettext_for(lang)
        if actor.tenant_id is None:
            raise NotFound("Park staff do not belong to a tenant firm.")
        email = data.get("email", "")
        try:
            await links.invite_user(settings, actor, email=email, name=data.get("name", ""),
                                    role=data.get("role", "member"), tenant_id=actor.tenant_id, locale=lang, now=utc_now())
        except ValidationFailed as failed:
            return await self._render(request, values={}, errors={}, status=422, invite_values=dict(data),
                                      invite_errors=_field_errors(failed, _))
        except RateLimited as limited:
            return await self._render(request, values={}, errors={}, status=429, invite_values=dict(data),
                                      invite_errors={"email": _(limited.template, **limited.params)})
        flash(request, _("An invitation has been mailed to %(email)s. The link works once, for 72 hours.",
                         email=email.strip().lower()), "success")
        return redirect("/my-firm/users")

    @post("/{user_id:int}/deactivate")
    async def deactivate(self, request: Request, user_id: FromPath[int], data: Form) -> Template | Redirect:
        """Without `confirmed=1` this only says what deactivating does (sign-out; bookings left as they are)."""
        _ = gettext_for(page_lang(request))
        if not confirmed(data):
            person = await service.get_user(caller(request), user_id)
            return confirm_page(
                request, title=_("Deactivate %(name)s?", name=person["name"] or person["email"]),
                notes=[
                    _("%(email)s can no longer sign in. Every web session and API token of the account ends at once, "
                      "so the person is signed out everywhere.", email=person["email"]),
                    _("Their bookings are not cancelled: future bookings stay as they are until you or they cancel them."),
                    _("You can reactivate the account later; its sessions and tokens do not come back."),
                ],
                action=f"/my-firm/users/{user_id}/deactivate", data=data,
                yes=_("Yes, deactivate and sign out"), back="/my-firm/users",
            )
        await service.set_user_active(caller(request), user_id, False, utc_now())
        flash(request, _("The account has been deactivated; its sessions and tokens have ended."), "success")
        return redirect("/my-firm/users")

    @post("/{user_id:int}/reactivate")
    async def reactivate(self, request: Request, user_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.set_user_active(caller(request), user_id, True, utc_now())
        flash(request, _("The account has been reactivated."), "success")
        return redirect("/my-firm/users")

    @post("/{user_id:int}/role")
    async def change_role(self, request: Request, user_id: FromPath[int], data: Form) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.change_role(caller(request), user_id, data.get("role", ""), utc_now())
        flash(request, _("The role has been changed."), "success")
        return redirect("/my-firm/users")


class StaffPages(Controller):
    """An administrator's page of the park's staff: invite or create a manager (or admin), switch one off or on."""

    path = "/staff"
    include_in_schema = False
    guards = [admin_only]

    async def _render(
        self, request: Request, *, status: int = 200, values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None, invite_values: dict[str, str] | None = None,
        invite_errors: dict[str, str] | None = None,
    ) -> Template:
        actor = caller(request)
        return page(request, "accounts/staff.html", status_code=status, people=await service.list_staff(actor),
                    invited=await links.pending_staff_invitations(actor, utc_now()), roles=STAFF_ROLES,
                    values=values or {}, errors=errors or {}, invite_values=invite_values or {},
                    invite_errors=invite_errors or {})

    @get("")
    async def staff(self, request: Request) -> Template:
        return await self._render(request)

    @post("/invite")
    async def invite(self, request: Request, data: Form, settings: NamedDependency[Settings]) -> Template | Redirect:
        lang = page_lang(request)
        _ = gettext_for(lang)
        email = data.get("email", "")
        try:
            await links.invite_user(settings, caller(request), email=email, name=data.get("name", ""),
                                    role=data.get("role", "manager"), tenant_id=None, locale=lang, now=utc_now())
        except ValidationFailed as failed:
            return await self._render(request, status=422, invite_values=dict(data), invite_errors=_field_errors(failed, _))
        except (Conflict, RateLimited) as refused:
            return await self._render(request, status=refused.status, invite_values=dict(data),
                                      invite_errors={"email": _(refused.detail)})
        flash(request, _("An invitation has been mailed to %(email)s. The link works once, for 72 hours.",
                         email=email.strip().lower()), "success")
        return redirect("/staff")

    @post("")
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        values = {k: v for k, v in data.items() if k != "password"}
        try:
            await service.create_user(
                caller(request),
                service.NewUser(data.get("email", ""), data.get("name", ""), data.get("password", ""),
                                data.get("role", "manager"), None),
                utc_now(),
            )
        except ValidationFailed as failed:
            return await self._render(request, status=422, values=values, errors=_field_errors(failed, _))
        except Conflict as taken:
            return await self._render(request, status=409, values=values, errors={"email": _(taken.detail)})
        flash(request, _("The account has been created. Give the person the password by a safe channel."), "success")
        return redirect("/staff")

    @post("/{user_id:int}/deactivate")
    async def deactivate(self, request: Request, user_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.set_user_active(caller(request), user_id, False, utc_now())
        flash(request, _("The account has been deactivated; its sessions and tokens have ended."), "success")
        return redirect("/staff")

    @post("/{user_id:int}/reactivate")
    async def reactivate(self, request: Request, user_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.set_user_active(caller(request), user_id, True, utc_now())
        flash(request, _("The account has been reactivated."), "success")
        return redirect("/staff")


def _field_errors(failed: ValidationFailed, _) -> dict[str, str]:
    return {error.field: _(error.message, **error.params) for error in failed.errors}


def _spent(request: Request, kind: str) -> Template:
    """A used, replaced or expired link: say so, and offer a new one (a reset) or whom to ask (an invitation)."""
    return page(request, "accounts/link_spent.html", status_code=422, kind=kind)


def _too_many(request: Request, template: str, limited: RateLimited, **context: Any) -> Template:
    _ = gettext_for(page_lang(request))
    response = page(request, template, status_code=429, error=_(limited.template, **limited.params), **context)
    response.headers["Retry-After"] = str(limited.retry_after_s)
    return response


class AccountLinkPages(Controller):
    """The pages a mailed link opens: asking for a reset, setting a new password, accepting an invitation."""

    path = ""
    include_in_schema = False

    @get("/password-reset")
    async def reset_request_form(self, request: Request) -> Template:
        return page(request, "accounts/reset_request.html", email="", sent=False, error=None, errors={})

    @post("/password-reset")
    async def request_reset(self, request: Request, data: Form, settings: NamedDependency[Settings]) -> Template:
        email = data.get("email", "")
        try:
            await links.request_password_reset(settings, email, client_ip(request.scope), utc_now())
        except RateLimited as limited:
            return _too_many(request, "accounts/reset_request.html", limited, email=email, sent=False, errors={})
        # The same page whether or not an account uses the address.
        return page(request, "accounts/reset_request.html", email=email, sent=True, error=None, errors={})

    @get("/password-reset/{token:str}")
    async def reset_form(self, request: Request, token: FromPath[str]) -> Template:
        try:
            await links.check_reset_link(token, utc_now())
        except ValidationFailed:
            return _spent(request, "reset")
        return page(request, "accounts/reset_password.html", token=token, errors={}, error=None)

    @post("/password-reset/{token:str}")
    async def reset(self, request: Request, token: FromPath[str], data: Form, settings: NamedDependency[Settings]) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        password = data.get("password", "")
        if password != data.get("confirm_password"):
            return page(request, "accounts/reset_password.html", status_code=422, token=token, error=None,
                        errors={"confirm_password": _("The two new passwords differ.")})
        try:
            actor = await links.reset_password(settings, token, password, client_ip(request.scope), utc_now())
        except ValidationFailed as failed:
            if any(error.field == "token" for error in failed.errors):
                return _spent(request, "reset")
            return page(request, "accounts/reset_password.html", status_code=422, token=token, error=None,
                        errors=_field_errors(failed, _))
        except RateLimited as limited:
            return _too_many(request, "accounts/reset_password.html", limited, token=token, errors={})
        flash(request, _("Your password has been set. Sign in with it."), "success")
        return redirect(f"/login?email={actor.email}")

    @get("/invitation/{token:str}")
    async def invitation_form(self, request: Request, token: FromPath[str]) -> Template:
        try:
            invitation = await links.invitation_for(token, utc_now())
        except ValidationFailed:
            return _spent(request, "invitation")
        return page(request, "accounts/accept_invitation.html", token=token, invitation=invitation,
                    name=invitation["name"], errors={}, error=None)

    @post("/invitation/{token:str}")
    async def accept_invitation(
        self, request: Request, token: FromPath[str], data: Form, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        try:
            invitation = await links.invitation_for(token, utc_now())
        except ValidationFailed:
            return _spent(request, "invitation")
        name, password = data.get("name", ""), data.get("password", "")
        context = {"token": token, "invitation": invitation, "name": name, "error": None}
        if password != data.get("confirm_password"):
            return page(request, "accounts/accept_invitation.html", status_code=422,
                        errors={"confirm_password": _("The two new passwords differ.")}, **context)
        try:
            actor = await links.accept_invitation(settings, token, name, password, client_ip(request.scope), utc_now())
        except ValidationFailed as failed:
            if any(error.field == "token" for error in failed.errors):
                return _spent(request, "invitation")
            return page(request, "accounts/accept_invitation.html", status_code=422, errors=_field_errors(failed, _), **context)
        except RateLimited as limited:
            return _too_many(request, "accounts/accept_invitation.html", limited, errors={},
                             **{k: v for k, v in context.items() if k != "error"})
        flash(request, _("Your account is ready. Sign in with your new password."), "success")
        return redirect(f"/login?email={actor.email}")


ROUTES: list[Any] = [SignInPages, AccountPages, TokenPages, FirmUserPages, StaffPages, AccountLinkPages]
