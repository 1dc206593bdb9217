"""Sign-in, sign-out, password change and language choice pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.accounts import rules, service
from park.accounts.guards import signed_in
from park.accounts.middleware import SESSION_SIGNED_IN_KEY, SESSION_USER_KEY, client_ip
from park.accounts.passwords import hash_password, verify_password
from park.accounts.sessions import rotate_session
from park.accounts.tables import User
from park.audit import service as audit
from park.settings import Settings
from park.shared import i18n
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.db import transaction
from park.shared.errors import RateLimited, Unauthorized, ValidationFailed
from park.shared.web import LANG_COOKIE, flash, gettext_for, page, page_lang, redirect, safe_next

Form = URLEncodedBody[dict[str, str]]


class SignInPages(Controller):
    path = ""
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return page(request, "accounts/login.html", next=safe_next(next), email="", error=None)

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
        except RateLimited:
            return page(request, "accounts/login.html", status_code=429, next=target, email=email,
                        error=_("Too many failed sign-ins. Wait a few minutes and try again."))
        request.session.clear()
        rotate_session(request.scope)
        request.session[SESSION_USER_KEY] = actor.id
        request.session[SESSION_SIGNED_IN_KEY] = utc_now().timestamp()
        if not actor.locale:
            request.session["lang"] = page_lang(request)
        return redirect(target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
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
    async def change_password(self, request: Request, data: Form) -> Template | Redirect:
        actor = caller(request)
        _ = gettext_for(page_lang(request))
        errors: dict[str, str] = {}
        new_password = data.get("new_password", "")
        if new_password != data.get("confirm_password"):
            errors["confirm_password"] = _("The two new passwords differ.")
        now = utc_now()
        if not errors:
            try:
                await service.change_password(actor, data.get("current_password", ""), new_password, now)
            except ValidationFailed as failed:
                errors = {error.field: _(error.message) for error in failed.errors}
        if errors:
            return page(request, "accounts/password.html", status_code=422, errors=errors)
        # Every other session of this user has ended; this one carries on under a new id.
        rotate_session(request.scope)
        request.session[SESSION_SIGNED_IN_KEY] = now.timestamp()
        flash(request, _("Your password has been changed."), "success")
        return redirect("/")


ROUTES: list[Any] = [SignInPages, AccountPages]
