"""Helpers every HTML controller shares: the page context, language, flash messages, redirects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from park.shared.actor import Actor
from park.settings import LOCALES, Settings
from park.shared import i18n
from park.shared.errors import DomainError, sentence
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
    def _(text: str, /, **params: object) -> str:
        return i18n.translate(lang, text, **params)

    return _


def flash(request: Request[Any, Any, Any], message: str, level: str = "info", details: list[str] | None = None) -> None:
    """A message for the next page (already translated by the caller), with `details` listed under it."""
    if "session" not in request.scope:
        return
    messages = list(request.session.get("flash", []))
    messages.append({"message": message, "level": level, **({"details": details} if details else {})})
    request.session["flash"] = messages


# The element pages re-read when a live update arrives (templates/_live.html): its re-read shows no messages.
LIVE_TARGET = "live-grid"
COUNTS_TARGET = "nav-counts-poll"
"""Background re-reads (a live grid, the header's counts; templates/_live.html, base.html): they leave flash messages for the next page."""


def _take_flashes(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    if "session" not in request.scope or not request.session.get("flash"):
        return []
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-target") in (LIVE_TARGET, COUNTS_TARGET):
        return []  # a message waiting for the next page stays for it
    messages = request.session.pop("flash")
    return messages


# The navigation: (path, label, who sees it, menu). An entry shows once its page exists. The header
# groups the entries by menu; a menu with one entry for the reader is a plain link.
NAV = [
    ("/", N_("Home"), "all", ""),
    ("/facilities", N_("Facilities"), "all", "booking"),
    ("/timeline", N_("Timeline"), "all", "booking"),
    ("/find", N_("Find a free time"), "signed_in", "booking"),
    ("/bookings", N_("My bookings"), "signed_in", "booking"),
    ("/waitlist", N_("My waitlist"), "firm", "booking"),
    ("/approvals", N_("Approvals"), "manager", "booking"),
    ("/space", N_("Space"), "signed_in", "space"),
    ("/allocation", N_("Allocation"), "manager", "space"),
    ("/policy", N_("Priority policy"), "all", "space"),
    ("/dashboard", N_("Dashboard"), "manager", "reports"),
    ("/reports", N_("Reports"), "manager", "reports"),
    ("/statements", N_("Statements"), "signed_in", "reports"),
    ("/facilities/manage", N_("Manage facilities"), "manager", "administration"),
    ("/buildings", N_("Buildings"), "manager", "administration"),
    ("/allocation/units", N_("Units"), "manager", "space"),
    ("/tenants", N_("Tenants"), "manager", "administration"),
    ("/imports", N_("Import"), "manager", "administration"),
    ("/staff", N_("Park staff"), "admin", "administration"),
    ("/audit", N_("Audit log"), "manager", "administration"),
]
MENUS = {
    "booking": N_("Booking"),
    "space": N_("Space"),
    "reports": N_("Reports"),
    "administration": N_("Administration"),
}
# The account menu (under the signed-in person's name): who sees each entry, as in NAV.
ACCOUNT_NAV = [
    ("/my-firm", N_("My firm"), "firm"),
    ("/my-firm/users", N_("People of my firm"), "firm_admin"),
    ("/account/password", N_("Password"), "signed_in"),
    ("/account/tokens", N_("API tokens"), "signed_in"),
]


@dataclass(frozen=True)
class NavGroup:
    """One item of the header: a plain link (`path`) or a menu of links (`links`)."""

    label: str
    path: str = ""
    links: tuple[tuple[str, str], ...] = ()
    key: str = ""

    def holds(self, current_path: str) -> bool:
        return any(_is_current(path, current_path) for path in ([self.path] if self.path else [p for p, _ in self.links]))


def _is_current(path: str, current_path: str) -> bool:
    return current_path == path or (path != "/" and current_path.startswith(path + "/"))


def _audience(actor: Actor | None) -> set[str]:
    allowed = {"all"}
    if actor is not None:
        allowed.add("signed_in")
        if actor.is_manager:
            allowed.add("manager")
        if actor.is_admin:
            allowed.add("admin")
        if actor.tenant_id is not None:
            allowed.add("firm")
            if actor.is_tenant_admin:
                allowed.add("firm_admin")
    return allowed


def _page_paths(request: Request[Any, Any, Any]) -> set[str]:
    paths = request.app.state.get("page_paths")
    if paths is None:
        paths = {route.path for route in request.app.routes}
        request.app.state["page_paths"] = paths
    return paths


def _nav(request: Request[Any, Any, Any], actor: Actor | None) -> list[NavGroup]:
    paths, allowed = _page_paths(request), _audience(actor)
    order: list[str] = []
    entries: dict[str, list[tuple[str, str]]] = {}
    for path, label, who, menu in NAV:
        if who not in allowed or path not in paths:
            continue
        key = menu or path
        if key not in entries:
            order.append(key)
            entries[key] = []
        entries[key].append((path, label))
    groups: list[NavGroup] = []
    for key in order:
        links = entries[key]
        if key in MENUS and len(links) > 1:
            groups.append(NavGroup(MENUS[key], links=tuple(links), key=key))
        else:
            groups.extend(NavGroup(label, path=path) for path, label in links)
    return groups


def _nav_paths(request: Request[Any, Any, Any], actor: Actor | None) -> list[str]:
    """The paths of the navigation the reader sees, for templates that link to a page only if it is there."""
    paths, allowed = _page_paths(request), _audience(actor)
    return [path for path, _label, who, _menu in NAV if who in allowed and path in paths]


def _account_nav(request: Request[Any, Any, Any], actor: Actor | None) -> list[tuple[str, str]]:
    if actor is None:
        return []
    paths, allowed = _page_paths(request), _audience(actor)
    return [(path, label) for path, label, who in ACCOUNT_NAV if who in allowed and path in paths]


# What waits for the reader, counted by a domain before the page renders (app.py's before_request
# hook stores it under this scope key): header path → count. The header shows each next to its link
# and the sum on its menu, in elements a fragment can replace out of band (templates/_nav_counts.html).
NAV_COUNTS = "park.nav_counts"


def nav_counts(request: Request[Any, Any, Any]) -> dict[str, int]:
    return request.scope.get(NAV_COUNTS) or {}


def set_nav_counts(request: Request[Any, Any, Any], counts: dict[str, int]) -> None:
    request.scope[NAV_COUNTS] = counts  # type: ignore[literal-required]


def _menu_counts(counts: dict[str, int]) -> dict[str, int]:
    """The sums a menu shows (by its key) of the counts of its links, and under "all" the phone's menu button's."""
    sums = {key: sum(counts.get(path, 0) for path, _l, _w, menu in NAV if menu == key)
            for key in MENUS if any(path in counts for path, _l, _w, menu in NAV if menu == key)}
    return sums | ({"all": sum(counts.values())} if counts else {})


def page(request: Request[Any, Any, Any], template_name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what every template needs: user, language, translation, formatting."""
    settings = settings_of(request)
    lang = page_lang(request)
    zone = settings.zone
    actor = request.scope.get("user")
    context.update(
        user=actor if isinstance(actor, Actor) else None,
        nav=_nav(request, actor if isinstance(actor, Actor) else None),
        nav_counts=nav_counts(request),
        menu_counts=_menu_counts(nav_counts(request)),
        nav_paths=_nav_paths(request, actor if isinstance(actor, Actor) else None),
        account_nav=_account_nav(request, actor if isinstance(actor, Actor) else None),
        is_current=lambda path: _is_current(path, request.url.path),
        lang=lang,
        html_lang="zh-Hans" if lang == "zh_Hans" else "en",
        languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in LOCALES],
        _=gettext_for(lang),
        fmt_datetime=lambda value, style="medium": i18n.format_datetime(value, lang, zone, style),
        fmt_date=lambda value, style="medium": i18n.format_date(value, lang, style),
        fmt_time=lambda value: i18n.format_time(value, lang, zone),
        fmt_month=lambda value: i18n.format_month(value, lang),
        fmt_number=lambda value: i18n.format_number(value, lang),
        fmt_percent=lambda value: i18n.format_percent(value, lang),
        fmt_money=lambda fen: i18n.format_money_fen(fen, lang),
        label=lambda group, value: i18n.translate(lang, label(group, value)),
        local_name=lambda row, field="name": i18n.local(row, lang, field),
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


def form_errors(error: DomainError, _: Any, default_field: str = "form") -> dict[str, str]:
    """Any domain error as a page's form errors (field → message), in the reader's language.

    Broken rules speak through their templates and parameters (an input rule
    under its field, any other under `default_field`); plain field errors keep
    their fields; an error with neither shows its detail under `default_field`.
    """
    errors: dict[str, str] = {}
    for violation in error.violations:
        field = violation.field if violation.code == "validation" else default_field
        errors.setdefault(field, sentence(_(violation.template, **dict(violation.params))))
    if errors:
        return errors
    for item in getattr(error, "errors", ()):
        errors.setdefault(item.field, sentence(_(item.message, **item.params)))
    return errors or {default_field: sentence(_(error.template, **error.params))}


def error_message(error: DomainError, _: Any) -> str:
    """A domain error as one line in the reader's language (for a flash message)."""
    if error.violations:
        return sentence("; ".join(_(v.template, **dict(v.params)) for v in error.violations))
    return sentence(_(error.template, **error.params))


# "No one-click accidents": an act that is hard to undo is a form whose first POST (without
# `confirmed=1`) only shows what would happen, on a page of its own or, with JavaScript, in a dialog.
CONFIRMED_FIELD = "confirmed"


def confirmed(data: dict[str, str]) -> bool:
    """Whether a form carries the explicit `confirmed=1` of the confirmation step."""
    return data.get(CONFIRMED_FIELD) == "1"


@dataclass(frozen=True)
class ConfirmSection:
    """One list on a confirmation page: a heading, its lines, and what to say when there are none."""

    heading: str
    items: tuple[str, ...]
    empty: str = ""


def confirm_page(
    request: Request[Any, Any, Any], *, title: str, action: str, yes: str, back: str, data: dict[str, str] | None = None,
    notes: tuple[str, ...] | list[str] = (), sections: tuple[ConfirmSection, ...] | list[ConfirmSection] = (),
) -> Template:
    """The confirmation step: what will happen, a "Yes, …" button that re-posts `data` with `confirmed=1`, a way back.

    Texts arrive translated. `data` is the submitted form; its CSRF token and any `confirmed` are left out
    (the page writes a fresh token).
    """
    fields = {k: v for k, v in (data or {}).items() if k not in (CONFIRMED_FIELD, "_csrf_token")}
    return page(request, "confirm.html", title=title, action=action, yes=yes, back=safe_next(back),
                fields=fields, notes=list(notes), sections=list(sections))
