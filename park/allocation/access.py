"""Who may see and change space records: park managers everything, a firm its own."""

from __future__ import annotations

from typing import Any

from park.shared.actor import Actor


def can_see(actor: Actor, row: dict[str, Any]) -> bool:
    return actor.is_manager or (actor.tenant_id is not None and row["tenant"] == actor.tenant_id)
