"""The Litestar application: routes, templates, error mapping, sessions, lifespan."""

from __future__ import annotations

import gc
import logging
from functools import partial
from urllib.parse import quote
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig

from park.accounts import api as accounts_api
from park.accounts import pages as accounts_pages
from park.accounts.middleware import IdentityMiddleware
from park.shared.http_cache import private_when_setting_cookies
from park.accounts.sessions import DatabaseSessionStore, SessionConfig, csrf_binding
from park.allocation import applications_api as allocation_applications_api
from park.allocation import applications_pages as allocation_applications_pages
from park.allocation import rounds_api as allocation_rounds_api
from park.allocation import rounds_pages as allocation_rounds_pages
from park.allocation import units_api as allocation_units_api
from park.allocation import units_pages as allocation_units_pages
from park.audit import api as audit_api
from park.audit import pages as audit_pages
from park.billing import api as billing_api
from park.billing import pages as billing_pages
from park.bookings import api as bookings_api
from park.bookings import calendar as bookings_calendar
from park.bookings import live as bookings_live
from park.bookings import pages as bookings_pages
from park.bookings import timeline_pages as bookings_timeline_pages
from park.bookings import waitlist_api as bookings_waitlist_api
from park.bookings import waitlist_pages as bookings_waitlist_pages
from park.dashboard import pages as dashboard_pages
from park.facilities import api as facilities_api
from park.priority import api as priority_api
from park.priority import pages as priority_pages
from park.priority.service import remember_policy_in_force
from park.facilities import pages as facilities_pages
from park.facilities import photo_pages as facilities_photo_pages
from park.imports import api as imports_api
from park.imports import pages as imports_pages
from park.reports import api as reports_api
from park.reports import pages as reports_pages
from park.settings import ROOT_DIR, Settings, load_settings
from park.shared import framework_errors, i18n, live
from park.shared.api import reader_lang
from park.shared.clock import utc_now
from park.shared.db import check_database, close_database, database_busy, database_unreachable, open_database
from park.shared.errors import DomainError, FieldError, Problem, Unavailable, problem_from
from park.shared.idempotency import IdempotencyMiddleware
from park.shared.http import (
    InputGuardMiddleware, RequestLogMiddleware, SameOriginMiddleware, SessionCsrfMiddleware, add_security_headers,
)
from park.shared.labels import N_
from park.bookings.quotas import firm_quota_balance
from park.shared.openapi import document_responses
from park.tenants import api as tenants_api
from park.tenants import pages as tenants_pages

log = logging.getLogger("park")

STATIC_DIR = ROOT_DIR / "park" / "static"
TEMPLATE_DIR = ROOT_DIR / "templates"

# Every domain lists its controllers in api.py / pages.py as ROUTES; a module here that is
# missing fails at import, when Park starts.
ROUTE_MODULES = [
    accounts_api,
    accounts_pages,
    facilities_pages,
    facilities_photo_pages,
    tenants_api,
    tenants_pages,
    audit_api,
    audit_pages,
    facilities_api,
    bookings_api,
    bookings_pages,
    bookings_calendar,
    bookings_live,
    bookings_timeline_pages,
    bookings_waitlist_api,
    bookings_waitlist_pages,
    priority_api,
    priority_pages,
    allocation_units_api,
    allocation_applications_api,
    allocation_rounds_api,
    allocation_units_pages,
    allocation_applications_pages,
    allocation_rounds_pages,
    reports_api,
    reports_pages,
    billing_api,
    billing_pages,
    imports_api,
    imports_pages,
    dashboard_pages,
]


@get("/healthz", include_in_schema=True, tags=["health"], summary="Liveness and database reachability")
async def healthz() -> Response[dict[str, str]]:
    if await check_database():
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response({"status": "degraded", "database": "unavailable"}, status_code=503)


TITLES = {
    400: (N_("Bad request"), "validation"),
    401: (N_("Sign-in required"), "unauthorized"),
    403: (N_("Not allowed"), "forbidden"),
    404: (N_("Not found"), "not_found"),
    405: (N_("Method not allowed"), "validation"),
    409: (N_("Conflict"), "conflict"),
    413: (N_("Request body too large"), "validation"),
    415: (N_("Unsupported media type"), "validation"),
    422: (N_("Invalid input"), "validation"),
    429: (N_("Too many requests"), "rate_limited"),
    503: (N_("Service unavailable"), "unavailable"),
}


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/schema", "/healthz", "/calendar/")):
        return False
    if "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request"):
        return True
    # A form post to a page (a refused CSRF token, a foreign Origin) is a page's, whatever it accepts.
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def _field_errors(error: ValidationException) -> list[FieldError]:
    """The framework's words, each as a catalogue message (park/shared/framework_errors.py)."""
    return framework_errors.field_errors(error.extra, str(error.detail or ""), i18n.catalog("zh_Hans"))


DATABASE_RETRY_AFTER_S = 5
"""Retry-After on a 503 while the database cannot be reached."""
DATABASE_BUSY_RETRY_AFTER_S = 2
"""Retry-After on a 503 when a lock or statement waited too long (the database is up but busy)."""


def _bad_value(error: BaseException) -> bool:
    """A value no column or calendar can hold: a number beyond the database's range, a date past
    year 9999, text the database refuses, JSON nested beyond the decoder's depth."""
    import asyncpg

    if isinstance(error, (OverflowError, RecursionError, asyncpg.DataError)):
        return True
    return isinstance(error, ValueError) and ("out of int" in str(error) or "embedded null" in str(error))


def _problem_for(error: Exception) -> Problem:
    if database_busy(error):
        return problem_from(Unavailable(N_("Park is busy. Try again in a moment."),
                                        extra={"retry_after": DATABASE_BUSY_RETRY_AFTER_S}))
    if database_unreachable(error):
        return problem_from(Unavailable(N_("The database is temporarily unavailable. Try again in a moment."),
                                        extra={"retry_after": DATABASE_RETRY_AFTER_S}))
    if _bad_value(error):
        return Problem(422, "validation", N_("Invalid input"), N_("A value is out of the range Park accepts."),
                       [FieldError("request", N_("A value is out of the range Park accepts."))])
    if isinstance(error, DomainError):
        return problem_from(error)
    if isinstance(error, ValidationException):
        fields = _field_errors(error)
        return Problem(422, "validation", N_("Invalid input"), "", fields)
    if isinstance(error, HTTPException):
        status = error.status_code
        title, code = TITLES.get(status, ("Error", "validation"))
        detail = {
            404: N_("Nothing is here. Check the address."),
            405: N_("This address does not accept that method."),
            413: N_("The request body is larger than Park accepts."),
        }.get(status, str(error.detail) if error.detail else title)
        if status == 403 and "csrf" in str(error.detail).lower():
            detail = N_("The form has expired or was sent from elsewhere. Reload the page and try again.")
        if code == "validation" and detail == str(error.detail):  # the framework's words: said from the catalogue
            said = framework_errors.field_error(detail, "body", i18n.catalog("zh_Hans"))
            return Problem(status, code, title, said.message, [said], params=said.params)
        errors = [FieldError("body", detail)] if code == "validation" else []
        return Problem(status, code, title, detail, errors)
    return Problem(500, "unavailable", N_("Internal error"), N_("Something went wrong on our side. It has been logged."))


def _known_in(problem: Problem, lang: str) -> bool:
    """Whether the catalogue says the problem's detail in `lang` (a framework's words it does not)."""
    if lang == "en":
        return True
    texts = [problem.detail] if problem.detail else [e.message for e in problem.errors]
    return all(text in i18n.catalog(lang) for text in texts)


def handle_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    problem = _problem_for(error)
    if problem.status == 503:
        # Expected while the database is away: one line each, not a traceback per request.
        log.warning("database unavailable on %s %s: %s: %s", request.method, request.url.path,
                    type(error).__name__, error)
    elif problem.status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    headers = {}
    if problem.status in (429, 503) and "retry_after" in problem.extra:
        headers["Retry-After"] = str(problem.extra["retry_after"])
    if _wants_html(request):
        from park.shared.web import page, page_lang, redirect

        if problem.status == 401 and request.method == "GET":
            # A page that needs a signed-in user sends a visitor to sign in, then back.
            return redirect(f"/login?next={quote(request.url.path + ('?' + request.url.query if request.url.query else ''))}")  # type: ignore[return-value]

        lang = page_lang(request)
        response = page(request, "error.html", status_code=problem.status,
                        problem=problem.in_language(partial(i18n.translate, lang)), detail_known=_known_in(problem, lang),
                        # With the database away nobody's session can be read: offer no sign-in to someone signed in.
                        account_unknown=problem.status == 503)
        response.headers.update(headers)
        return response  # type: ignore[return-value]
    return Response(
        content=problem.in_language(partial(i18n.translate, reader_lang(request))).as_json(),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Libraries speak only when something is wrong; Park's own lines (one per request) stay.
    for name in ("apscheduler", "piccolo", "httpx"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


def _session_store(settings: Settings):
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="park-sessions")
    return DatabaseSessionStore(default_ttl_s=settings.session_ttl_minutes * 60)


def _replica_middleware(settings: Settings) -> list[Any]:
    """With PARK_DATABASE_REPLICA_URL, lag-tolerant reads go to the replica (park/shared/replica.py)."""
    if not settings.database_replica_url:
        return []
    from litestar.middleware import DefineMiddleware

    from park.shared.replica import ReplicaReadMiddleware

    return [DefineMiddleware(ReplicaReadMiddleware, secret=settings.secret_key, secure=settings.base_url.startswith("https://"))]


def create_served_app() -> Litestar:
    """The app as `park serve` runs it in each worker: `create_app`, and once the worker has started,
    the objects it started with frozen out of the garbage collector's reach."""
    app = create_app()
    app.on_startup.append(_freeze_start_up_objects)
    return app


def _freeze_start_up_objects() -> None:
    # A worker starts with ~150,000 objects (routes, schemas, settings) that live as long as it
    # does. Left to the collector, every full collection walks them all: tens of milliseconds, on a
    # busy machine hundreds, inside whichever request made the last allocation, so the slowest
    # twentieth of the search's and the timeline's answers. Frozen, collections walk only what
    # requests make. Not in create_app: the tests build many apps in one process.
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Litestar:
    """Assemble Park for `settings` (default: config/ and the environment)."""
    settings = settings or load_settings()
    _configure_logging(settings)
    secure_cookies = settings.base_url.startswith("https://")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = await open_database(settings, keep_trying=True)
        live.configure(settings)
        live.end_streams_on_exit()
        # Keep the policy version in force readable for good (old scores name it).
        try:
            await remember_policy_in_force(settings, utc_now())
        except Exception:  # an unreachable or unmigrated database is reported by /healthz, not here
            logging.getLogger("park").warning("could not record the policy version in force", exc_info=True)
        runner = None
        if settings.scheduler_embedded:
            # Each worker runs one; park/jobs.py makes every run happen once.
            from park.jobs import Runner

            runner = Runner(settings)
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            await live.stop()
            await close_database(engine)

    session_config = SessionConfig(
        key="park_session",
        store="sessions",
        max_age=settings.session_ttl_minutes * 60,
        renew_on_access=True,
        httponly=True,
        secure=secure_cookies,
        samesite="lax",
        exclude=["/healthz", "/static/", "/calendar/", "/schema", "/facility-photos/"],
    )
    csrf = DefineMiddleware(SessionCsrfMiddleware, secret=settings.secret_key, bind=csrf_binding, cookie_secure=secure_cookies)
    template_config = TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine)
    route_handlers: list[Any] = [healthz, create_static_files_router(path="/static", directories=[STATIC_DIR])]
    for module in ROUTE_MODULES:
        route_handlers.extend(module.ROUTES)

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={"settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True)},
        exception_handlers={Exception: handle_error},
        before_send=[add_security_headers, private_when_setting_cookies],
        before_request=bookings_pages.count_what_waits,
        middleware=[
            RequestLogMiddleware, InputGuardMiddleware, SameOriginMiddleware, session_config.middleware,
            IdentityMiddleware, csrf, *_replica_middleware(settings), IdempotencyMiddleware,
        ],
        template_config=template_config,
        stores={"sessions": _session_store(settings)},
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Park API",
            version="1.0.0",
            description="Bookings, space allocation and occupancy reports of the Shenzhen Bay culture-technology base.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=False,
    )
    document_responses(app)
    app.state.settings = settings
    # The firm pages (tenants) show this month's quota balance, which bookings compute: handed down here.
    app.state.firm_quota_balance = firm_quota_balance
    return app
