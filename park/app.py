"""The Litestar application: routes, templates, error mapping, sessions, lifespan."""

from __future__ import annotations

import logging
from urllib.parse import quote
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig

from park.accounts import api as accounts_api
from park.accounts import pages as accounts_pages
from park.accounts.middleware import IdentityMiddleware
from park.accounts.sessions import DatabaseSessionStore, SessionConfig
from park.allocation.published import remember_policy_in_force
from park.facilities import pages as facilities_pages
from park.settings import ROOT_DIR, Settings, load_settings
from park.shared import live
from park.shared.clock import utc_now
from park.shared.db import check_database, close_database, open_database
from park.shared.errors import DomainError, FieldError, Problem, Unavailable, problem_from
from park.shared.http import InputGuardMiddleware, RequestLogMiddleware, SameOriginMiddleware, add_security_headers
from park.shared.labels import N_

log = logging.getLogger("park")

STATIC_DIR = ROOT_DIR / "park" / "static"
TEMPLATE_DIR = ROOT_DIR / "templates"

# Every domain lists its controllers in api.py / pages.py as ROUTES.
ROUTE_MODULES = [
    accounts_api,
    accounts_pages,
    facilities_pages,
]


def _optional_route_modules() -> list[Any]:
    """Domains whose HTTP layer has landed: each module that exists contributes its ROUTES."""
    import importlib
    import importlib.util

    names = [
        "park.tenants.api",
        "park.tenants.pages",
        "park.audit.api",
        "park.audit.pages",
        "park.facilities.api",
        "park.bookings.api",
        "park.bookings.pages",
        "park.bookings.calendar",
        "park.bookings.live",
        "park.allocation.api",
        "park.allocation.pages",
        "park.reports.api",
        "park.reports.pages",
        "park.billing.api",
        "park.dashboard.pages",
    ]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


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
    return "text/html" in request.headers.get("accept", "")


def _field_errors(error: ValidationException) -> list[FieldError]:
    errors = []
    for item in error.extra if isinstance(error.extra, list) else []:
        if isinstance(item, dict):
            key = item.get("key") or item.get("source") or "body"
            message = str(item.get("message", "invalid value")).split(" - at `")[0]
            errors.append(FieldError(str(key), message))
    return errors or [FieldError("body", "The request body could not be read as the expected JSON.")]


def _database_down(error: BaseException) -> bool:
    """A fault reaching the database (refused, dropped, timed out, file gone), not a bad query."""
    import sqlite3

    import asyncpg

    if isinstance(error, (ConnectionError, TimeoutError, asyncpg.PostgresConnectionError,
                          asyncpg.exceptions.CannotConnectNowError, asyncpg.InterfaceError)):
        return True
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return any(word in text for word in ("unable to open", "disk i/o", "readonly", "no such table", "locked"))
    return False


def _bad_value(error: BaseException) -> bool:
    """A value no column or calendar can hold: a number beyond the database's range, a date past
    year 9999, text the database refuses, JSON nested beyond the decoder's depth."""
    import asyncpg

    if isinstance(error, (OverflowError, RecursionError, asyncpg.DataError)):
        return True
    return isinstance(error, ValueError) and ("out of int" in str(error) or "embedded null" in str(error))


def _problem_for(error: Exception) -> Problem:
    if _database_down(error):
        return problem_from(Unavailable(N_("The database is temporarily unavailable. Try again in a moment.")))
    if _bad_value(error):
        return Problem(422, "validation", N_("Invalid input"), N_("A value is out of the range Park accepts."),
                       [FieldError("request", N_("A value is out of the range Park accepts."))])
    if isinstance(error, DomainError):
        return problem_from(error)
    if isinstance(error, ValidationException):
        fields = _field_errors(error)
        return Problem(422, "validation", N_("Invalid input"), "; ".join(f"{f.field}: {f.message}" for f in fields), fields)
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
        errors = [FieldError("body", detail)] if code == "validation" else []
        return Problem(status, code, title, detail, errors)
    return Problem(500, "unavailable", N_("Internal error"), N_("Something went wrong on our side. It has been logged."))


def handle_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    problem = _problem_for(error)
    if problem.status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    headers = {}
    if problem.status == 429 and "retry_after" in problem.extra:
        headers["Retry-After"] = str(problem.extra["retry_after"])
    if _wants_html(request):
        from park.shared.web import page, redirect

        if problem.status == 401 and request.method == "GET":
            # A page that needs a signed-in user sends a visitor to sign in, then back.
            return redirect(f"/login?next={quote(request.url.path + ('?' + request.url.query if request.url.query else ''))}")  # type: ignore[return-value]

        return page(request, "error.html", status_code=problem.status, problem=problem)  # type: ignore[return-value]
    return Response(
        content=problem.as_json(),
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


def create_app(settings: Settings | None = None) -> Litestar:
    """Assemble Park for `settings` (default: config/ and the environment)."""
    settings = settings or load_settings()
    _configure_logging(settings)
    secure_cookies = settings.base_url.startswith("https://")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = await open_database(settings)
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
        exclude=["/healthz", "/static/", "/calendar/", "/schema"],
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="park_csrf",
        cookie_secure=secure_cookies,
        cookie_samesite="lax",
        exclude=["/api/", "/calendar/", "/healthz", "/schema"],
    )
    template_config = TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine)
    route_handlers: list[Any] = [healthz, create_static_files_router(path="/static", directories=[STATIC_DIR])]
    for module in ROUTE_MODULES + _optional_route_modules():
        route_handlers.extend(module.ROUTES)

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={"settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True)},
        exception_handlers={Exception: handle_error},
        before_send=[add_security_headers],
        middleware=[
            RequestLogMiddleware, InputGuardMiddleware, SameOriginMiddleware, session_config.middleware,
            IdentityMiddleware, *_replica_middleware(settings),
        ],
        csrf_config=csrf_config,
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
    app.state.settings = settings
    return app
