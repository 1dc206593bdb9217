"""Space allocation: fit, ranking and the priority-greedy round. Pure.

The contract fixes the housed set: going down the ranking, an applicant is
housed iff it and everyone housed before it can hold distinct fitting units at
once. Applicants and fitting units form a bipartite graph; the sets of
applicants that can be matched at once are the independent sets of a
transversal matroid, so this greedy pass is the matroid greedy: the housed set
is also as large as any that can be housed.

`allocate` runs it in two phases.

1. Housed set: one augmenting-path search per applicant, in rank order. A
   search that fails leaves the matching unchanged, and every unit it reached
   is held by someone whose fitting units were all reached too: no later
   search can get out of that region to a free unit, so those units are marked
   dead and never searched again. Failed searches therefore cost each unit
   once over the whole round.
2. Units: higher-ranked applicants choose first. Each housed applicant, in
   rank order, takes the best-fitting unit (first preferred building first,
   then the smallest area, then the unit code) that leaves every lower-ranked
   housed applicant still housable: taking a unit held by another is allowed
   when an alternating path re-houses that one. Units already chosen are fixed;
   units a failed try reached are ruled out for the rest of that applicant's
   choice, by the same argument as in phase 1.

Fitting units are bitmasks (big integers) in best-fit bit order, so "the best
unit not yet tried" is one mask operation. A 5,000-application, 2,000-unit
round takes about 0.3 s on random data and 1.3 s on the hardest shape we know
(tests/bench/bench_allocation.py --shape nested): the searches read a lone mask
inline, phase 2 rules out a unit whose holder fits nothing else without
searching, and the explanations list holders through C-level bit selection,
once per distinct set of fitting units.

Every outcome carries words saying why, in English and Chinese.
"""

from __future__ import annotations

import calendar
from itertools import compress
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date

from park.allocation.model import (
    HOUSED_BEST_FIT,
    HOUSED_BETTER_TAKEN,
    NONE_NOTHING_FITS,
    NONE_TAKEN_BY_HIGHER,
    Application,
    Assignment,
    Lease,
    RoundResult,
    Unit,
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(application: Application) -> date:
    """The exclusive end of the term asked for."""
    return add_months(application.start_date, application.term_months)


def leases_overlap(lease: Lease, starts_on: date, ends_on: date) -> bool:
    """Half-open: a lease ending on the day the term starts does not overlap it."""
    return lease.starts_on < ends_on and starts_on < lease.ends_on


def unit_fits(unit: Unit, application: Application, leases: Iterable[Lease] = ()) -> bool:
    """The contract's fit: kind, area range, vacant over the term, in a preferred building if any."""
    if unit.kind != application.unit_kind:
        return False
    if not application.min_area_m2 <= unit.area_m2 <= application.max_area_m2:
        return False
    if application.preferred_building_ids and unit.building_id not in application.preferred_building_ids:
        return False
    end = term_end(application)
    return not any(
        lease.unit_id == unit.id and leases_overlap(lease, application.start_date, end) for lease in leases
    )


def ranking_key(application: Application, tie_break: str = "earlier_submission") -> tuple:
    """Score descending, then the tie-break, then the application id so the order is total."""
    if tie_break != "earlier_submission":
        raise ValueError(f"unknown tie-break {tie_break!r}")
    return (-application.score, application.submitted_at, application.id)


def rank_applications(
    applications: Iterable[Application], tie_break: str = "earlier_submission"
) -> list[Application]:
    return sorted(applications, key=lambda a: ranking_key(a, tie_break))


def fit_preference_key(application: Application, unit: Unit) -> tuple:
    """Best fit first: earlier preferred building, then smaller area, then code and id."""
    prefs = application.preferred_building_ids
    building_rank = prefs.index(unit.building_id) if unit.building_id in prefs else len(prefs)
    return (building_rank, unit.area_m2, unit.code, unit.id)


def _fitting_masks(
    ranked: Sequence[Application], units: Sequence[Unit], leases: Iterable[Lease]
) -> list[tuple[int, ...]]:
    """For each ranked applicant, its fitting units as bitmasks over `units`, best fit first.

    `units` must be sorted by (kind, area, code, id): an area range of one kind
    is then a run of bits, and within a building the bit order is the
    best-fit order. An applicant naming preferred buildings gets one mask per
    building, in its order; one without gets a single mask.
    """
    leased: dict[int, list[Lease]] = {}
    for lease in leases:
        leased.setdefault(lease.unit_id, []).append(lease)
    leased_indexes = [i for i, u in enumerate(units) if u.id in leased]
    building_masks: dict[int, int] = {}
    spans: dict[str, tuple[int, list[float]]] = {}
    start = 0
    for i, unit in enumerate(units):
        building_masks[unit.building_id] = building_masks.get(unit.building_id, 0) | (1 << i)
    for i in range(1, len(units) + 1):
        if i == len(units) or units[i].kind != units[start].kind:
            spans[units[start].kind] = (start, [u.area_m2 for u in units[start:i]])
            start = i
    masks: list[tuple[int, ...]] = []
    for app in ranked:
        span = spans.get(app.unit_kind)
        if span is None or app.min_area_m2 > app.max_area_m2:
            masks.append(())
            continue
        offset, areas = span
        lo = offset + bisect_left(areas, app.min_area_m2)
        hi = offset + bisect_right(areas, app.max_area_m2)
        fits = ((1 << hi) - 1) ^ ((1 << lo) - 1)
        end = term_end(app)
        for i in leased_indexes[bisect_left(leased_indexes, lo) : bisect_left(leased_indexes, hi)]:
            if any(leases_overlap(x, app.start_date, end) for x in leased[units[i].id]):
                fits &= ~(1 << i)
        if app.preferred_building_ids:
            groups = tuple(
                fits & building_masks.get(b, 0) for b in dict.fromkeys(app.preferred_building_ids)
            )
            masks.append(tuple(g for g in groups if g))
        else:
            masks.append((fits,) if fits else ())
    return masks


def _first(groups: tuple[int, ...], allowed: int) -> int:
    """The best-fit unit among `allowed`, or -1."""
    for g in groups:
        m = g & allowed
        if m:
            return (m & -m).bit_length() - 1
    return -1


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


# bin() digits → 0/1 bytes, so a mask becomes a selector for itertools.compress in C.
_DIGIT_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


def _flags(mask: int) -> bytes:
    """One byte per bit of `mask`, lowest bit first: 1 where the bit is set."""
    return bin(mask)[:1:-1].encode().translate(_DIGIT_FLAGS)


def _in_order(groups: tuple[int, ...]) -> Iterable[int]:
    for g in groups:
        yield from _bits(g)


class _Matching:
    """Applicant ↔ unit matching with an iterative augmenting-path search over bitmasks.

    Masks make "the best unit not yet seen" one big-integer operation instead
    of a walk along a fitting list, so a search costs the number of applicants
    it passes through, not the number of edges.
    """

    def __init__(self, groups: list[tuple[int, ...]], unit_count: int) -> None:
        self.groups = groups
        # The one mask of an applicant without preferred buildings (0: nothing fits), None when
        # it has several: the search reads it inline instead of calling _first.
        self.single = [g[0] if len(g) == 1 else (0 if not g else None) for g in groups]
        self.bit = [1 << u for u in range(unit_count)]
        self.owner = [-1] * unit_count  # unit → applicant
        self.held = [-1] * len(groups)  # applicant → unit
        self.universe = (1 << unit_count) - 1
        self.free = self.universe

    def take(self, applicant: int, unit: int) -> None:
        self.owner[unit] = applicant
        self.held[applicant] = unit
        self.free &= ~self.bit[unit]

    def release(self, unit: int) -> None:
        self.owner[unit] = -1
        self.free |= self.bit[unit]

    def augment(self, root: int, blocked: int) -> tuple[bool, int]:
        """Give `root` (holding nothing) a unit, moving others along an alternating path.

        Looks for a free unit at each step before going deeper, so holders move
        as little as possible. Returns (found, units reached); on failure nothing
        changed and every unit reached is held.
        """
        groups, single, owner, held, bit = self.groups, self.single, self.owner, self.held, self.bit
        free = self.free & ~blocked
        unit = _first(groups[root], free)
        if unit >= 0:
            self.take(root, unit)
            return True, 0
        # allowed: neither blocked nor reached yet; the units reached are start ^ allowed.
        start = allowed = self.universe & ~blocked
        path = [root]
        through: list[int] = []  # through[i]: the held unit path[i] takes if the search succeeds
        while path:
            top = path[-1]
            mask = single[top]
            if mask is None:
                unit = _first(groups[top], allowed)
            else:
                mask &= allowed
                unit = (mask & -mask).bit_length() - 1  # the lowest set bit; -1 when none
            if unit < 0:
                path.pop()
                if through:
                    through.pop()
                continue
            allowed ^= bit[unit]
            displaced = owner[unit]
            through.append(unit)
            if free:
                mask = single[displaced]
                if mask is None:
                    spare = _first(groups[displaced], free)
                else:
                    mask &= free
                    spare = (mask & -mask).bit_length() - 1
                if spare >= 0:
                    self.take(displaced, spare)
                    for applicant, taken in zip(path, through):
                        owner[taken] = applicant
                        held[applicant] = taken
                    return True, start ^ allowed
            path.append(displaced)
        return False, start ^ allowed


def allocate(
    applications: Iterable[Application],
    units: Iterable[Unit],
    leases: Iterable[Lease],
    policy=None,
) -> RoundResult:
    """Run a round: the priority-greedy housed set, best-fit units, and an explanation for each.

    `policy` supplies the tie-break and the version recorded with the result
    (a `Policy`; None means the default tie-break and no version).
    """
    tie_break = getattr(policy, "tie_break", "earlier_submission")
    version = getattr(policy, "version", "")
    ranked = rank_applications(applications, tie_break)
    unit_list = sorted(units, key=lambda u: (u.kind, u.area_m2, u.code, u.id))
    groups = _fitting_masks(ranked, unit_list, leases)
    matching = _Matching(groups, len(unit_list))

    # Phase 1: the housed set. Units reached by a failed search are dead for good.
    dead = 0
    housed: list[int] = []
    for a in range(len(ranked)):
        if not groups[a]:
            continue
        found, seen = matching.augment(a, dead)
        if found:
            housed.append(a)
        else:
            dead |= seen

    # Phase 2: higher-ranked applicants choose first among what keeps the rest housed.
    owner, held = matching.owner, matching.held
    fixed = 0  # units chosen by higher-ranked applicants
    bit_of, single = matching.bit, matching.single
    passed_over: dict[int, tuple[int, int]] = {}  # applicant → (better units fixed before, count needed by others)
    for a in housed:
        # Units that cannot go to `a` without leaving someone unhoused, for this applicant only.
        ruled_out = 0
        mine = single[a]
        while True:
            old = held[a]
            closed = fixed | ruled_out
            if mine is None:
                unit = _first(groups[a], ~closed)
            else:
                mask = mine & ~closed
                unit = (mask & -mask).bit_length() - 1
            if unit == old:
                break
            other = owner[unit]
            if other != -1:
                blocked = closed | bit_of[unit]
                theirs = single[other]
                if theirs is None:
                    stuck = not any(g & ~blocked for g in groups[other])
                else:
                    stuck = not theirs & ~blocked
                if stuck:
                    # Its holder fits nothing outside `blocked`: the search below would reach
                    # nothing and fail, so rule the unit out without moving anyone.
                    ruled_out |= bit_of[unit]
                    continue
            matching.release(old)
            if other == -1:
                matching.take(a, unit)
                break
            # `a` takes the unit; its holder must find another (old is free now).
            matching.take(a, unit)
            held[other] = -1
            found, seen = matching.augment(other, blocked)
            if found:
                break
            matching.take(other, unit)
            matching.take(a, old)
            # No path from anything reached leads to a free unit: rule them all out.
            ruled_out |= seen | (1 << unit)
        chosen = held[a]
        fixed |= 1 << chosen
        better = 0
        for g in groups[a]:
            if g >> chosen & 1:
                better |= g & ((1 << chosen) - 1)
                break
            better |= g
        passed_over[a] = (better & (fixed ^ (1 << chosen)), (better & ~fixed).bit_count())

    return _explain(ranked, unit_list, groups, owner, held, passed_over, version)


def _unit_label(unit: Unit) -> str:
    return unit.code or f"#{unit.id}"


def _applicant_label(app: Application) -> str:
    return app.tenant_name_en or app.tenant_name or f"application {app.id}"


def _applicant_label_zh(app: Application) -> str:
    return app.tenant_name or f"申请 {app.id}"


UNIT_KINDS_ZH = {"office": "办公单元", "lab": "实验室单元", "studio": "工作室单元", "showroom": "展厅单元", "warehouse": "仓储单元"}


def _area(value: float) -> str:
    return f"{value:g}"


def _explain(
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
