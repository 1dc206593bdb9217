"""Who is asking: the signed-in user as plain data, below every domain."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("member", "tenant_admin", "manager", "admin")
STAFF_ROLES = ("manager", "admin")
TENANT_ROLES = ("member", "tenant_admin")


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    name: str
    role: str
    tenant_id: int | None
    locale: str = ""
    ip: str = ""

    @property
    def is_manager(self) -> bool:
        """Park staff: sees and manages every tenant's records."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == "tenant_admin"

    def can_see_tenant(self, tenant_id: int | None) -> bool:
        return self.is_manager or (tenant_id is not None and tenant_id == self.tenant_id)


SYSTEM = Actor(id=0, email="system", name="Park", role="admin", tenant_id=None)
"""The actor of scheduled jobs and command-line actions."""
