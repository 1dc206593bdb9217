"""Route guards by role, and the use cases' one check that the caller is park staff.
Tenant scoping lives in the services, not here.

The guards are coroutines: Litestar runs a plain function guard in a worker thread, a
thread hop on every request for a check that never waits.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from park.shared.actor import Actor
from park.shared.errors import Forbidden, Unauthorized
from park.shared.labels import N_


def require_manager(actor: Actor, message: str = N_("Only park managers may do this.")) -> None:
    """A caller who is not park staff is Forbidden (a use case's own check; routes use manager_only)."""
    if not actor.is_manager:
        raise Forbidden(message)


def _actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    actor = connection.scope.get("user")
    if not isinstance(actor, Actor):
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>' or use the sign-in page.")
    return actor


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    _actor(connection)


async def manager_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    require_manager(_actor(connection))


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not _actor(connection).is_admin:
        raise Forbidden("Only administrators may do this.")


async def tenant_admin_or_manager(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    actor = _actor(connection)
    if not (actor.is_manager or actor.is_tenant_admin):
        raise Forbidden("Only your firm's administrator or a park manager may do this.")
