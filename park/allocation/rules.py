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
   when an alternating path re-houses that one. Units already chosen are fixed.

Every outcome carries words saying why, in English and Chinese.
"""

from __future__ import annotations

import calendar
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


def _fitting_lists(
    ranked: Sequence[Application], units: Sequence[Unit], leases: Iterable[Lease]
) -> list[list[int]]:
    """For each ranked applicant, the indexes (into `units`) of the units that fit, best first.

    `units` must be sorted by (kind, area, code, id); an area range is then a slice.
    """
    leases_by_unit: dict[int, list[Lease]] = {}
    for lease in leases:
        leases_by_unit.setdefault(lease.unit_id, []).append(lease)
    spans: dict[str, tuple[int, list[float]]] = {}
    start = 0
    for i in range(1, len(units) + 1):
        if i == len(units) or units[i].kind != units[start].kind:
            spans[units[start].kind] = (start, [u.area_m2 for u in units[start:i]])
            start = i
    neighbours: list[list[int]] = []
    for app in ranked:
        found: list[int] = []
        span = spans.get(app.unit_kind)
        if span is not None and app.min_area_m2 <= app.max_area_m2:
            offset, areas = span
            lo = bisect_left(areas, app.min_area_m2)
            hi = bisect_right(areas, app.max_area_m2)
            prefs = app.preferred_building_ids
            end = term_end(app)
            for i in range(offset + lo, offset + hi):
                unit = units[i]
                if prefs and unit.building_id not in prefs:
                    continue
                held = leases_by_unit.get(unit.id)
                if held and any(leases_overlap(x, app.start_date, end) for x in held):
                    continue
                found.append(i)
            if len(prefs) > 1:
                # Stable: within one building the (area, code, id) order stays.
                rank_of = {b: r for r, b in enumerate(prefs)}
                found.sort(key=lambda i: rank_of[units[i].building_id])
        neighbours.append(found)
    return neighbours


FEW_FREE_UNITS = 64


class _Matching:
    """Applicant ↔ unit matching with an iterative augmenting-path search."""

    def __init__(self, neighbours: list[list[int]], unit_count: int) -> None:
        self.neighbours = neighbours
        self.owner = [-1] * unit_count  # unit → applicant
        self.held = [-1] * len(neighbours)  # applicant → unit
        self.stamp = [0] * unit_count
        self.search_id = 0
        # While units are only ever taken (phase 1), a unit seen held stays held,
        # so each applicant's scan for a free unit resumes where it stopped.
        self.cursor: list[int] | None = [0] * len(neighbours)
        self.free: set[int] | None = None
        self.fit_sets: dict[int, set[int]] = {}

    def _free_fitting(self, applicant: int, blocked: bytearray) -> int:
        owner = self.owner
        fitting = self.neighbours[applicant]
        cursor = self.cursor
        if cursor is not None:
            i = cursor[applicant]
            n = len(fitting)
            while i < n and owner[fitting[i]] != -1:
                i += 1
            cursor[applicant] = i
            # Blocked units in phase 1 are dead, hence held: a free unit is never blocked.
            return fitting[i] if i < n else -1
        free = self.free
        if free is not None and len(free) <= FEW_FREE_UNITS:
            # Few units are free: asking whether each fits beats scanning a long fitting list.
            fits = self._fit_set(applicant)
            for u in sorted(free):
                if u in fits and not blocked[u]:
                    return u
            return -1
        for u in fitting:
            if owner[u] == -1 and not blocked[u]:
                return u
        return -1

    def _fit_set(self, applicant: int) -> set[int]:
        fits = self.fit_sets.get(applicant)
        if fits is None:
            fits = self.fit_sets[applicant] = set(self.neighbours[applicant])
        return fits

    def take(self, applicant: int, unit: int) -> None:
        self.owner[unit] = applicant
        self.held[applicant] = unit
        if self.free is not None:
            self.free.discard(unit)

    def release(self, unit: int) -> None:
        self.owner[unit] = -1
        if self.free is not None:
            self.free.add(unit)

    def start_choosing(self) -> None:
        """From here on units are freed again: track the free ones instead of cursors."""
        self.cursor = None
        self.free = {u for u, a in enumerate(self.owner) if a == -1}

    def augment(self, root: int, blocked: bytearray, visited: list[int]) -> bool:
        """Give `root` (holding nothing) a unit, moving others along an alternating path.

        Looks for a free unit at each step before going deeper, so holders move
        as little as possible. On failure nothing changes and `visited` lists
        the (all held) units reached.
        """
        self.search_id += 1
        sid = self.search_id
        stamp, owner, held, neighbours = self.stamp, self.owner, self.held, self.neighbours
        free = self._free_fitting(root, blocked)
        if free >= 0:
            self.take(root, free)
            return True
        path = [root]
        through: list[int] = []  # through[i]: the held unit path[i] takes if the search succeeds
        iterators = [iter(neighbours[root])]
        while path:
            for u in iterators[-1]:
                if stamp[u] == sid or blocked[u]:
                    continue
                stamp[u] = sid
                visited.append(u)
                displaced = owner[u]
                through.append(u)
                free = self._free_fitting(displaced, blocked)
                if free >= 0:
                    self.take(displaced, free)
                    for applicant, unit in zip(path, through):
                        owner[unit] = applicant
                        held[applicant] = unit
                    return True
                path.append(displaced)
                iterators.append(iter(neighbours[displaced]))
                break
            else:
                path.pop()
                iterators.pop()
                if through:
                    through.pop()
        return False


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
    neighbours = _fitting_lists(ranked, unit_list, leases)
    unit_count = len(unit_list)
    matching = _Matching(neighbours, unit_count)

    # Phase 1: the housed set.
    dead = bytearray(unit_count)
    housed: list[int] = []
    for a in range(len(ranked)):
        if not neighbours[a]:
            continue
        visited: list[int] = []
        if matching.augment(a, dead, visited):
            housed.append(a)
        else:
            for u in visited:
                dead[u] = 1

    # Phase 2: higher-ranked applicants choose first among what keeps the rest housed.
    matching.start_choosing()
    owner, held = matching.owner, matching.held
    fixed = bytearray(unit_count)  # units chosen by higher-ranked applicants
    blocked = bytearray(unit_count)  # fixed units, plus per-applicant scratch
    passed_over: dict[int, tuple[list[int], int]] = {}  # applicant → (better units fixed earlier, better units needed by others)
    for a in housed:
        taken_better: list[int] = []
        needed_elsewhere = 0
        scratch: list[int] = []
        for u in neighbours[a]:
            if u == held[a]:
                break
            if blocked[u]:
                if fixed[u]:
                    taken_better.append(u)
                else:
                    needed_elsewhere += 1
                continue
            old, other = held[a], owner[u]
            if other == -1:
                matching.release(old)
                matching.take(a, u)
                break
            # a takes u; `other` must find another unit (old is free now).
            matching.release(old)
            matching.take(a, u)
            held[other] = -1
            blocked[u] = 1
            visited: list[int] = []
            if matching.augment(other, blocked, visited):
                blocked[u] = 0
                break
            matching.take(other, u)
            matching.take(a, old)
            # No path from here reaches a free unit for the rest of a's choice.
            scratch.append(u)
            for v in visited:
                if not blocked[v]:
                    blocked[v] = 1
                    scratch.append(v)
            needed_elsewhere += 1
        for u in scratch:
            blocked[u] = 0
        blocked[held[a]] = 1
        fixed[held[a]] = 1
        passed_over[a] = (taken_better, needed_elsewhere)

    return _explain(ranked, unit_list, neighbours, owner, held, passed_over, version)


def _unit_label(unit: Unit) -> str:
    return unit.code or f"#{unit.id}"


def _applicant_label(app: Application) -> str:
    return app.tenant_name or f"application {app.id}"


def _applicant_label_zh(app: Application) -> str:
    return app.tenant_name or f"申请 {app.id}"


def _area(value: float) -> str:
    return f"{value:g}"


def _explain(
    ranked: list[Application],
    unit_list: list[Unit],
    neighbours: list[list[int]],
    owner: list[int],
    held: list[int],
    passed_over: dict[int, tuple[list[int], int]],
    version: str,
) -> RoundResult:
    total = len(ranked)
    assignments: list[Assignment] = []
    for a, app in enumerate(ranked):
        rank = a + 1
        fitting = neighbours[a]
        head_en = f"Ranked {rank} of {total} (score {app.score})."
        head_zh = f"在{total}份申请中排第{rank}位（得分{app.score}）。"
        fitting_ids = tuple(unit_list[u].id for u in fitting)
        if held[a] != -1:
            unit = unit_list[held[a]]
            where_en = f"unit {_unit_label(unit)} ({_area(unit.area_m2)} m²"
            where_zh = f"单元 {_unit_label(unit)}（{_area(unit.area_m2)} 平方米"
            if unit.building_name:
                where_en += f", {unit.building_name}"
                where_zh += f"，{unit.building_name}"
            where_en += ")"
            where_zh += "）"
            taken, needed = passed_over.get(a, ([], 0))
            holders = _holders(taken, owner)
            if not taken and not needed:
                reason = HOUSED_BEST_FIT
                en = (
                    f"{head_en} Given {where_en}: the best fit of the {len(fitting)} unit(s) that fit "
                    "your application (your first preferred building first, then the smallest area)."
                )
                zh = (
                    f"{head_zh} 分得{where_zh}：在符合申请的{len(fitting)}个单元中最合适"
                    "（优先首选楼栋，其次面积最小）。"
                )
            else:
                reason = HOUSED_BETTER_TAKEN
                parts_en, parts_zh = [], []
                if taken:
                    names_en, names_zh = _names(ranked, holders)
                    parts_en.append(
                        f"{len(taken)} unit(s) that would have fit better went to higher-ranked applicants: {names_en}"
                    )
                    parts_zh.append(f"{len(taken)}个更合适的单元已分给排名更靠前的申请人：{names_zh}")
                if needed:
                    parts_en.append(
                        f"{needed} unit(s) that would have fit better were the only way to house other applicants"
                    )
                    parts_zh.append(f"另有{needed}个更合适的单元是安置其他申请人的唯一选择")
                en = f"{head_en} Given {where_en}. " + "; ".join(parts_en) + "."
                zh = f"{head_zh} 分得{where_zh}。" + "；".join(parts_zh) + "。"
            assignments.append(
                Assignment(
                    application_id=app.id,
                    tenant_id=app.tenant_id,
                    unit_id=unit.id,
                    rank=rank,
                    reason=reason,
                    explanation=en,
                    explanation_zh=zh,
                    fitting_unit_ids=fitting_ids,
                    taken_by_application_ids=tuple(ranked[h].id for h in holders),
                )
            )
            continue
        if not fitting:
            reason = NONE_NOTHING_FITS
            en = (
                f"{head_en} No unit fits your application: no {app.unit_kind} between "
                f"{_area(app.min_area_m2)} and {_area(app.max_area_m2)} m² is vacant for the whole term"
                + (" in the buildings you asked for." if app.preferred_building_ids else ".")
            )
            zh = (
                f"{head_zh} 没有符合申请的单元：在整个租期内没有面积在{_area(app.min_area_m2)}至"
                f"{_area(app.max_area_m2)}平方米之间的空置{app.unit_kind}单元"
                + ("位于您选择的楼栋。" if app.preferred_building_ids else "。")
            )
            holders: list[int] = []
        else:
            reason = NONE_TAKEN_BY_HIGHER
            holders = _holders(fitting, owner)
            codes = ", ".join(_unit_label(unit_list[u]) for u in fitting[:10])
            if len(fitting) > 10:
                codes += ", …"
            names_en, names_zh = _names(ranked, holders)
            en = (
                f"{head_en} All {len(fitting)} unit(s) that fit your application ({codes}) "
                f"went to higher-ranked applicants: {names_en}."
            )
            zh = f"{head_zh} 符合申请的{len(fitting)}个单元（{codes}）均已分给排名更靠前的申请人：{names_zh}。"
        assignments.append(
            Assignment(
                application_id=app.id,
                tenant_id=app.tenant_id,
                unit_id=None,
                rank=rank,
                reason=reason,
                explanation=en,
                explanation_zh=zh,
                fitting_unit_ids=fitting_ids,
                taken_by_application_ids=tuple(ranked[h].id for h in holders),
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


def _holders(unit_indexes: Iterable[int], owner: list[int]) -> list[int]:
    """The distinct applicants holding these units, in rank order."""
    return sorted({owner[u] for u in unit_indexes if owner[u] != -1})
