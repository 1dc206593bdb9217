"""Why each applicant of a round got what it got, as reasons said in the reader's language. Pure.

Built from the matching's final state (see park/allocation/rules.py): who holds
which unit, the units each applicant fitted, and the better units passed over.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import compress
from typing import Any

from park.allocation.model import (
    HOUSED_BEST_FIT,
    HOUSED_BETTER_TAKEN,
    NONE_NOTHING_FITS,
    NONE_TAKEN_BY_HIGHER,
    Application,
    Assignment,
    RoundResult,
    Unit,
)
from park.shared.reasons import joined, named, reason, unit_kind_noun


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _in_order(groups: tuple[int, ...]) -> Iterable[int]:
    for g in groups:
        yield from _bits(g)


# bin() digits → 0/1 bytes, so a mask becomes a selector for itertools.compress in C.
_DIGIT_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


def _flags(mask: int) -> bytes:
    """One byte per bit of `mask`, lowest bit first: 1 where the bit is set."""
    return bin(mask)[:1:-1].encode().translate(_DIGIT_FLAGS)


def _unit_label(unit: Unit) -> str:
    return unit.code or f"#{unit.id}"


def _applicant(app: Application) -> object:
    """An applicant's name in each language, or its application number where the firm has none."""
    if app.tenant_name or app.tenant_name_en:
        return named(app.tenant_name, app.tenant_name_en)
    return reason("allocation.application", id=app.id)


def _area(value: float) -> str:
    return f"{value:g}"


def _place(unit: Unit) -> dict[str, Any]:
    if unit.building_name_en or unit.building_name:
        return reason("allocation.unit_in_building", code=_unit_label(unit), area=_area(unit.area_m2),
                      building=named(unit.building_name, unit.building_name_en))
    return reason("allocation.unit", code=_unit_label(unit), area=_area(unit.area_m2))


def explain_round(
    ranked: list[Application],
    unit_list: list[Unit],
    groups: list[tuple[int, ...]],
    owner: list[int],
    held: list[int],
    passed_over: dict[int, tuple[int, int]],
    version: str,
) -> RoundResult:
    """Each assignment's explanation as a reason code with parameters (park/shared/reasons.py)."""
    total = len(ranked)
    ids = [app.id for app in ranked]
    holders_of: dict[int, tuple[list[int], tuple[int, ...]]] = {}  # fitting mask → its holders and their ids
    assignments: list[Assignment] = []
    for a, app in enumerate(ranked):
        rank = a + 1
        fitting_mask = 0
        for g in groups[a]:
            fitting_mask |= g
        fitting_count = fitting_mask.bit_count()
        ranked_as = reason("allocation.ranked", rank=rank, total=total, score=app.score)
        if held[a] != -1:
            unit = unit_list[held[a]]
            taken_mask, needed = passed_over.get(a, (0, 0))
            taken = taken_mask.bit_count()
            holders = _holders(taken_mask, owner)
            if not taken and not needed:
                kind = HOUSED_BEST_FIT
                if fitting_count == 1:
                    code, params = "allocation.only_fit", {"ranked": ranked_as, "unit": _place(unit)}
                else:
                    code, params = "allocation.best_fit", {"ranked": ranked_as, "unit": _place(unit), "count": fitting_count}
            else:
                kind = HOUSED_BETTER_TAKEN
                details: list[Any] = []
                if taken:
                    details.append(reason("allocation.taken_one" if taken == 1 else "allocation.taken_many",
                                          count=taken, names=_names(ranked, holders)))
                if needed:
                    if taken:
                        code = "allocation.also_needed_one" if needed == 1 else "allocation.also_needed_many"
                    else:
                        code = "allocation.needed_one" if needed == 1 else "allocation.needed_many"
                    details.append(reason(code, count=needed))
                code = "allocation.better_taken"
                params = {"ranked": ranked_as, "unit": _place(unit), "details": joined(details, "clauses")}
            assignments.append(
                Assignment(
                    application_id=app.id,
                    tenant_id=app.tenant_id,
                    unit_id=unit.id,
                    rank=rank,
                    reason=kind,
                    explanation_code=code,
                    explanation_params=params,
                    fitting_count=fitting_count,
                    taken_by_application_ids=tuple(map(ids.__getitem__, holders)),
                )
            )
            continue
        if not fitting_count:
            kind = NONE_NOTHING_FITS
            code = "allocation.nothing_fits_in_buildings" if app.preferred_building_ids else "allocation.nothing_fits"
            params = {"ranked": ranked_as, "kind": unit_kind_noun(app.unit_kind),
                      "min": _area(app.min_area_m2), "max": _area(app.max_area_m2)}
            holders: list[int] = []
            holder_ids: tuple[int, ...] = ()
        else:
            kind = NONE_TAKEN_BY_HIGHER
            if fitting_mask not in holders_of:  # many unhoused applicants fit the same units
                found = _holders(fitting_mask, owner)
                holders_of[fitting_mask] = (found, tuple(map(ids.__getitem__, found)))
            holders, holder_ids = holders_of[fitting_mask]
            shown = []
            for u in _in_order(groups[a]):
                if len(shown) == NAMES_SHOWN:
                    shown.append("…")
                    break
                shown.append(_unit_label(unit_list[u]))
            params = {"ranked": ranked_as, "codes": ", ".join(shown), "names": _names(ranked, holders)}
            if fitting_count == 1:
                code = "allocation.only_fit_taken"
            else:
                code = "allocation.all_fits_taken"
                params["count"] = fitting_count
        assignments.append(
            Assignment(
                application_id=app.id,
                tenant_id=app.tenant_id,
                unit_id=None,
                rank=rank,
                reason=kind,
                explanation_code=code,
                explanation_params=params,
                fitting_count=fitting_count,
                taken_by_application_ids=holder_ids,
            )
        )
    return RoundResult(
        assignments=tuple(assignments),
        policy_version=version,
        ranking=tuple(app.id for app in ranked),
    )


NAMES_SHOWN = 10


def _names(ranked: list[Application], holders: list[int]) -> object:
    """The first holders by rank; a long list ends with how many more."""
    shown = joined([reason("allocation.holder", name=_applicant(ranked[h]), rank=h + 1) for h in holders[:NAMES_SHOWN]])
    if len(holders) > NAMES_SHOWN:
        return reason("allocation.names_and_more", names=shown, more=len(holders) - NAMES_SHOWN)
    return shown


def _holders(mask: int, owner: list[int]) -> list[int]:
    """The distinct applicants holding units of `mask`, in rank order.

    An applicant holds at most one unit, so the owners of distinct units are distinct.
    """
    holders = sorted(compress(owner, _flags(mask)))
    return holders[bisect_right(holders, -1):]  # -1: a unit nobody holds
