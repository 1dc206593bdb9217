"""What changed between two priority policy documents, key by key. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def flatten(document: Any, prefix: str = "") -> dict[str, Any]:
    """A policy document as dotted keys → values (arrays of tables as key[i].field)."""
    out: dict[str, Any] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            out |= flatten(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(document, list) and any(isinstance(v, dict) for v in document):
        for i, value in enumerate(document):
            out |= flatten(value, f"{prefix}[{i}]")
    else:
        out[prefix] = document
    return out


@dataclass(frozen=True)
class PolicyChange:
    key: str
    before: Any
    after: Any


def policy_changes(before: dict[str, Any], after: dict[str, Any]) -> list[PolicyChange]:
    """What changed between two policy documents, key by key (None: absent on that side); `version` left out."""
    old, new = flatten(before), flatten(after)
    return [
        PolicyChange(key, old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if key != "version" and old.get(key) != new.get(key)
    ]
