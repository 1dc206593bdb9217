"""The policy in force and its published versions; a firm's score and quota under it."""

from __future__ import annotations

import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from park.priority import queries
from park.priority.changes import policy_changes
from park.priority.model import Policy, Score
from park.priority.parser import PolicyError, load_policy
from park.priority.rules import monthly_quota_hours, score_tenant
from park.settings import Settings

# The policy file named by the settings (`policy_path`), read once per change of the file.
_loaded: dict[Path, tuple[float, Policy]] = {}


def policy_path(settings: Settings) -> Path:
    return settings.resolve_path(settings.policy_path)


def check_policy_file(settings: Settings) -> None:
    """Start-up check: an invalid policy stops Park with a message naming the key."""
    current_policy(settings)


POLICY_CHECK_S = 1.0
"""How often the policy file is looked at for a change (every booking asks for the policy)."""
_looked: dict[Path, float] = {}


def current_policy(settings: Settings) -> Policy:
    """The policy in force: reloaded when the file changes (seen within POLICY_CHECK_S), so a
    new version needs no restart."""
    path = policy_path(settings)
    cached = _loaded.get(path)
    if cached is not None and time.monotonic() - _looked.get(path, float("-inf")) < POLICY_CHECK_S:
        return cached[1]
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        raise PolicyError(f"priority policy file not found: {path}") from None
    _looked[path] = time.monotonic()
    if cached is not None and cached[0] == stamp:
        return cached[1]
    policy = load_policy(path)
    _loaded[path] = (stamp, policy)
    return policy


def document_in_force(settings: Settings) -> dict[str, Any]:
    """The policy file in force as a table: the editable shape a simulation takes back."""
    return tomllib.loads(policy_path(settings).read_text(encoding="utf-8"))


# Scores and quotas.


async def tenant_score(tenant_id: int, policy: Policy, now: datetime, zone: ZoneInfo) -> Score:
    """The firm's score under `policy` from its facts as of today (park-local)."""
    return score_tenant(await queries.tenant_facts(tenant_id, now.astimezone(zone).date(), now), policy)


async def quota_for(tenant_id: int, kind: str, policy: Policy, now: datetime, zone: ZoneInfo = timezone.utc) -> float:
    """Monthly hours on `kind` for the firm: the policy's tier for its score (the score a round would give it)."""
    score = await tenant_score(tenant_id, policy, now, zone)
    return float(monthly_quota_hours(policy, score.points, kind))


# Published versions.


async def remember_policy_in_force(settings: Settings, now: datetime) -> None:
    """Keep the policy file in force if its version is new (safe when several processes start at once)."""
    policy = current_policy(settings)
    if await queries.published_version_exists(policy.version):
        return
    text = policy_path(settings).read_text(encoding="utf-8")
    await queries.insert_published(
        {
            "version": policy.version,
            "effective_from": policy.effective_from,
            "document": tomllib.loads(text),
            "source": text,
            "first_seen_at": now,
        }
    )


async def policy_history(settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """Every published version, newest first, each with its changes from the one before."""
    await remember_policy_in_force(settings, now)
    rows = await queries.published_versions()
    previous: dict[str, Any] | None = None
    for row in rows:
        row["changes"] = policy_changes(previous, row["document"]) if previous is not None else []
        row["previous_version"] = None if previous is None else previous.get("version")
        previous = row["document"]
    return list(reversed(rows))


async def published_policy(version: str) -> dict[str, Any] | None:
    return await queries.published_policy(version)
