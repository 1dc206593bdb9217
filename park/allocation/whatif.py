"""What-if rounds: how two rounds over the same applications differ, and where housed area goes. Pure."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from park.allocation.model import Assignment
from park.priority.model import TenantFacts

NO_SECTOR = "none"
NO_QUALIFICATION = "none"


@dataclass(frozen=True)
class Difference:
    application_id: int
    tenant_id: int
    current_rank: int
    current_unit_id: int | None
    simulated_rank: int
    simulated_unit_id: int | None

    @property
    def change(self) -> str:
        """gains / loses (a unit), moves (to another unit), up / down (rank only)."""
        if self.current_unit_id is None and self.simulated_unit_id is not None:
            return "gains"
        if self.current_unit_id is not None and self.simulated_unit_id is None:
            return "loses"
        if self.current_unit_id != self.simulated_unit_id:
            return "moves"
        return "up" if self.simulated_rank < self.current_rank else "down"


def differences(current: tuple[Assignment, ...], simulated: tuple[Assignment, ...]) -> list[Difference]:
    """Applications whose rank or unit differs between two rounds over the same applications, by simulated rank."""
    before = {a.application_id: a for a in current}
    out = []
    for after in simulated:
        now = before.get(after.application_id)
        if now is None or (now.rank, now.unit_id) != (after.rank, after.unit_id):
            out.append(
                Difference(
                    application_id=after.application_id,
                    tenant_id=after.tenant_id,
                    current_rank=now.rank if now else 0,
                    current_unit_id=now.unit_id if now else None,
                    simulated_rank=after.rank,
                    simulated_unit_id=after.unit_id,
                )
            )
    return sorted(out, key=lambda d: d.simulated_rank)


def housed_area(
    assignments: tuple[Assignment, ...], unit_area_m2: dict[int, float], facts: dict[int, TenantFacts]
) -> dict[str, dict[str, float]]:
    """m² housed by sector and by qualification (a firm with several counts under each; "none" for none)."""
    by_sector: dict[str, float] = defaultdict(float)
    by_qualification: dict[str, float] = defaultdict(float)
    for a in assignments:
        if a.unit_id is None:
            continue
        area = unit_area_m2.get(a.unit_id, 0.0)
        firm = facts.get(a.tenant_id, TenantFacts())
        by_sector[firm.sector or NO_SECTOR] += area
        for kind in sorted(firm.qualifications) or [NO_QUALIFICATION]:
            by_qualification[kind] += area
    return {"sector": dict(by_sector), "qualification": dict(by_qualification)}


# A PolicyError names the offending key first ("quota.tiers[1].min_score must …",
# "missing table [figures]"); the field path is that key.
_MISSING = re.compile(r"missing table \[([^\]]+)\]")
_LEADING_KEY = re.compile(r"^([A-Za-z_][\w.\[\]]*)\s")


def policy_error_field(message: str) -> str:
    """The policy key a PolicyError message names, as a dotted path ("" when it names none)."""
    found = _MISSING.search(message)
    if found:
        return found.group(1)
    found = _LEADING_KEY.match(message)
    if found and found.group(1) not in {"missing", "not"}:
        return found.group(1)
    return ""


def policy_document(body: Any) -> Any:
    """The editable policy inside what a client sent: the `document` of the policy read, or the document itself."""
    if isinstance(body, dict) and isinstance(body.get("document"), dict):
        return body["document"]
    return body
