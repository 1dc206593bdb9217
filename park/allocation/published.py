"""Published priority policies: each version Park has run under is kept, with what changed between them."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any

from park.allocation import whatif
from park.allocation.policy import current_policy, policy_path
from park.allocation.tables import PublishedPolicy


async def remember_policy_in_force(settings: Any, now: datetime) -> None:
    """Keep the policy file in force if its version is new (safe when several processes start at once)."""
    policy = current_policy(settings)
    if await PublishedPolicy.exists().where(PublishedPolicy.version == policy.version):
        return
    text = policy_path(settings).read_text(encoding="utf-8")
    await PublishedPolicy.insert(
        PublishedPolicy(
            version=policy.version,
            effective_from=policy.effective_from,
            document=tomllib.loads(text),
            source=text,
            first_seen_at=now,
        )
    ).on_conflict(action="DO NOTHING")


async def policy_history(settings: Any, now: datetime) -> list[dict[str, Any]]:
    """Every published version, newest first, each with its changes from the one before."""
    await remember_policy_in_force(settings, now)
    rows = await PublishedPolicy.select().order_by(PublishedPolicy.first_seen_at).order_by(PublishedPolicy.id).output(load_json=True)
    previous: dict[str, Any] | None = None
    for row in rows:
        row["changes"] = whatif.policy_changes(previous, row["document"]) if previous is not None else []
        row["previous_version"] = None if previous is None else previous.get("version")
        previous = row["document"]
    return list(reversed(rows))


async def published_policy(version: str) -> dict[str, Any] | None:
    return await PublishedPolicy.select().where(PublishedPolicy.version == version).first().output(load_json=True)
