"""Helpers every HTML controller shares: the page context, language, flash messages, redirects."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from park.shared.actor import Actor
from park.settings import LOCALES, Settings
from park.shared import i18n
from park.shared.labels import N_, label

LANG_COOKIE = "park_lang"


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state.settings


def page_lang(request: Request[Any, Any, Any]) -> str:
    """The user's choice, else the cookie, else the browser's languages, else the park default."""
    settings = settings_of(request)
    actor = request.scope.get("user")
    if isinstance(actor, Actor) and i18n.valid_locale(actor.locale):
        return actor.locale
    cookie = i18n.valid_locale(request.cookies.get(LANG_COOKIE))
    if cookie:
        return cookie
    return i18n.negotiate(request.headers.get("accept-language"), settings.default_locale)


def gettext_for(lang: str):
    def _(text: str, **params: object) -> str:
        return i18n.translate(lang, text, **params)

    return _


def flash(request: Request[Any, Any, Any], message: str, level: str = "info") -> None:
    """A message for the next page (already translated by the caller)."""
    if "session" not in request.scope:
        return
    messages = list(request.session.get("flash", []))
    messages.append({"message": message, "level": level})
    request.session["flash"] = messages


def _take_flashes(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    if "session" not in request.scope or not request.session.get("flash"):
        return []
    messages = request.session.pop("flash")
    return messages


# The navigation: (path, label, who sees it). An entry shows once its page exists.
NAV = [
    ("/", N_("Home"), "all"),
    ("/facilities", N_("Facilities"), "all"),
    ("/timeline", N_("Timeline"), "all"),
    ("/find", N_("Find a free time"), "signed_in"),
    ("/bookings", N_("My bookings"), "signed_in"),
    ("/waitlist", N_("My waitlist"), "firm"),
    ("/my-firm", N_("My firm"), "firm"),
    ("/approvals", N_("Approvals"), "manager"),
    ("/space", N_("Space"), "signed_in"),
    ("/allocation", N_("Allocation"), "manager"),
    ("/policy", N_("Priority policy"), "all"),
    ("/reports", N_("Reports"), "manager"),
    ("/tenants", N_("Tenants"), "manager"),
    ("/audit", N_("Audit log"), "manager"),
    ("/dashboard", N_("Dashboard"), "manager"),
]


def _nav(request: Request[Any, Any, Any], actor: Actor | None) -> list[tuple[str, str]]:
    paths = request.app.state.get("page_paths")
    if paths is None:
        paths = {route.path for route in request.app.routes}
        request.app.state["page_paths"] = paths
    allowed = {"all"}
    if actor is not None:
        allowed.add("signed_in")
        if actor.is_manager:
            allowed.add("manager")
        if actor.tenant_id is not None:
            allowed.add("firm")
    return [(path, label) for path, label, who in NAV if who in allowed and path in paths]


def page(request: Request[Any, Any, Any], template_name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what every template needs: user, language, translation, formatting."""
    settings = settings_of(request)
    lang = page_lang(request)
    zone = settings.zone
    actor = request.scope.get("user")
    context.update(
        user=actor if isinstance(actor, Actor) else None,
        nav=_nav(request, actor if isinstance(actor, Actor) else None),
        lang=lang,
        html_lang="zh-Hans" if lang == "zh_Hans" else "en",
        languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in LOCALES],
        _=gettext_for(lang),
        fmt_datetime=lambda value, style="medium": i18n.format_datetime(value, lang, zone, style),
        fmt_date=lambda value, style="medium": i18n.format_date(value, lang, style),
        fmt_time=lambda value: i18n.format_time(value, lang, zone),
        fmt_number=lambda value: i18n.format_number(value, lang),
        fmt_percent=lambda value: i18n.format_percent(value, lang),
        fmt_money=lambda fen: i18n.format_money_fen(fen, lang),
        label=lambda group, value: i18n.translate(lang, label(group, value)),
        local_name=lambda row: (row.get("name_en") or row.get("name")) if lang == "en" else row.get("name"),
        flashes=_take_flashes(request),
        current_path=request.url.path,
        zone=zone,
    )
    return Template(template_name=template_name, context=context, status_code=status_code)


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
