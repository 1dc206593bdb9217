"""Why each applicant of a round got what it got, in English and Chinese. Pure.

Built from the matching's final state (see park/allocation/rules.py): who holds
which unit, the units each applicant fitted, and the better units passed over.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import compress

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


def _applicant_label(app: Application) -> str:
    return app.tenant_name_en or app.tenant_name or f"application {app.id}"


def _applicant_label_zh(app: Application) -> str:
    return app.tenant_name or f"申请 {app.id}"


UNIT_KINDS_ZH = {"office": "办公单元", "lab": "实验室单元", "studio": "工作室单元", "showroom": "展厅单元", "warehouse": "仓储单元"}


def _area(value: float) -> str:
    return f"{value:g}"


def explain_round(
    ranked: list[Application],
    unit_list: list[Unit],
    groups: list[tuple[int, ...]],
    owner: list[int],
    held: list[int],
    passed_over: dict[int, tuple[int, int]],
    version: str,
) -> RoundResult:
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
        head_en = f"Ranked {rank} of {total} (score {app.score})."
        head_zh = f"在{total}份申请中排第{rank}位（得分{app.score}）。"
        if held[a] != -1:
            unit = unit_list[held[a]]
            where_en = f"unit {_unit_label(unit)} ({_area(unit.area_m2)} m²"
            where_zh = f"单元 {_unit_label(unit)}（{_area(unit.area_m2)} 平方米"
            if unit.building_name_en or unit.building_name:
                where_en += f", {unit.building_name_en or unit.building_name}"
            if unit.building_name:
                where_zh += f"，{unit.building_name}"
            where_en += ")"
            where_zh += "）"
            taken_mask, needed = passed_over.get(a, (0, 0))
            taken = taken_mask.bit_count()
            holders = _holders(taken_mask, owner)
            if not taken and not needed:
                reason = HOUSED_BEST_FIT
                if fitting_count == 1:
                    en = f"{head_en} Given {where_en}: the only unit that fits your application."
                    zh = f"{head_zh}分得{where_zh}：这是唯一符合申请的单元。"
                else:
                    en = (
                        f"{head_en} Given {where_en}: the best fit of the {fitting_count} units that fit "
                        "your application (your first preferred building first, then the smallest area)."
                    )
                    zh = (
                        f"{head_zh}分得{where_zh}：在符合申请的{fitting_count}个单元中最合适"
                        "（优先首选楼栋，其次面积最小）。"
                    )
            else:
                reason = HOUSED_BETTER_TAKEN
                parts_en, parts_zh = [], []
                if taken:
                    names_en, names_zh = _names(ranked, holders)
                    parts_en.append(
                        f"{taken} {'unit that would have fit better' if taken == 1 else 'units that would have fit better'}"
                        f" went to higher-ranked applicants: {names_en}"
                    )
                    parts_zh.append(f"{taken}个更合适的单元已分给排名更靠前的申请人：{names_zh}")
                if needed:
                    parts_en.append(
                        f"{needed} {'unit that would have fit better was' if needed == 1 else 'units that would have fit better were'}"
                        " the only way to house other applicants"
                    )
                    parts_zh.append(f"{'另有' if taken else '有'}{needed}个更合适的单元是安置其他申请人的唯一选择")
                en = f"{head_en} Given {where_en}. " + "; ".join(parts_en) + "."
                zh = f"{head_zh}分得{where_zh}。" + "；".join(parts_zh) + "。"
            assignments.append(
                Assignment(
                    application_id=app.id,
                    tenant_id=app.tenant_id,
                    unit_id=unit.id,
                    rank=rank,
                    reason=reason,
                    explanation=en,
                    explanation_zh=zh,
                    fitting_count=fitting_count,
                    taken_by_application_ids=tuple(map(ids.__getitem__, holders)),
                )
            )
            continue
        if not fitting_count:
            reason = NONE_NOTHING_FITS
            en = (
                f"{head_en} No unit fits your application: no {app.unit_kind} between "
                f"{_area(app.min_area_m2)} and {_area(app.max_area_m2)} m² is vacant for the whole term"
                + (" in the buildings you asked for." if app.preferred_building_ids else ".")
            )
            zh = (
                f"{head_zh}没有符合申请的单元："
                + ("在您选择的楼栋中，" if app.preferred_building_ids else "")
                + f"整个租期内没有面积在{_area(app.min_area_m2)}至{_area(app.max_area_m2)}平方米之间的空置"
                + f"{UNIT_KINDS_ZH.get(app.unit_kind, app.unit_kind)}。"
            )
            holders: list[int] = []
            holder_ids: tuple[int, ...] = ()
        else:
            reason = NONE_TAKEN_BY_HIGHER
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
            codes = ", ".join(shown)
            names_en, names_zh = _names(ranked, holders)
            if fitting_count == 1:
                en = (
                    f"{head_en} The only unit that fits your application ({codes}) "
                    f"went to a higher-ranked applicant: {names_en}."
                )
                zh = f"{head_zh}唯一符合申请的单元（{codes}）已分给排名更靠前的申请人：{names_zh}。"
            else:
                en = (
                    f"{head_en} All {fitting_count} units that fit your application ({codes}) "
                    f"went to higher-ranked applicants: {names_en}."
                )
                zh = f"{head_zh}符合申请的{fitting_count}个单元（{codes}）均已分给排名更靠前的申请人：{names_zh}。"
        assignments.append(
            Assignment(
                application_id=app.id,
                tenant_id=app.tenant_id,
                unit_id=None,
                rank=rank,
                reason=reason,
                explanation=en,
                explanation_zh=zh,
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


def _names(ranked: list[Application], holders: list[int]) -> tuple[str, str]:
    """The first holders by rank, in English and Chinese; a long list ends with how many more."""
    shown = holders[:NAMES_SHOWN]
    en = ", ".join(f"{_applicant_label(ranked[h])} (rank {h + 1})" for h in shown)
    zh = "、".join(f"{_applicant_label_zh(ranked[h])}（第{h + 1}位）" for h in shown)
    if len(holders) > NAMES_SHOWN:
        more = len(holders) - NAMES_SHOWN
        en += f" and {more} more"
        zh += f"等另外{more}个"
    return en, zh


def _holders(mask: int, owner: list[int]) -> list[int]:
    """The distinct applicants holding units of `mask`, in rank order.

    An applicant holds at most one unit, so the owners of distinct units are distinct.
    """
    holders = sorted(compress(owner, _flags(mask)))
    return holders[bisect_right(holders, -1):]  # -1: a unit nobody holds
