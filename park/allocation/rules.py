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

Every outcome carries words saying why, in English and Chinese
(park/allocation/explanations.py).
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date

from park.allocation.model import (
    Application,
    Lease,
    RoundResult,
    Unit,
)
from park.allocation.explanations import explain_round


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
    return unit_misfit(unit, application, leases) is None


# Why a unit does not fit an application (`unit_misfit`): the rule's name, an English template, its parameters.
MISFIT_KIND = "kind"
MISFIT_AREA = "area"
MISFIT_BUILDING = "building"
MISFIT_LEASED = "leased"


def unit_misfit(unit: Unit, application: Application, leases: Iterable[Lease] = ()) -> tuple[str, str, dict[str, object]] | None:
    """The first part of `unit_fits` that `unit` fails for `application`, said for a person; None when it fits."""
    if unit.kind != application.unit_kind:
        return MISFIT_KIND, "The firm asked for a %(unit_kind)s, not a %(kind)s.", {"unit_kind": application.unit_kind, "kind": unit.kind}
    if not application.min_area_m2 <= unit.area_m2 <= application.max_area_m2:
        return MISFIT_AREA, "Unit %(code)s has %(area)s m²; the firm asked for %(low)s to %(high)s m².", {
            "code": unit.code, "area": f"{unit.area_m2:g}", "low": f"{application.min_area_m2:g}", "high": f"{application.max_area_m2:g}"}
    if application.preferred_building_ids and unit.building_id not in application.preferred_building_ids:
        return MISFIT_BUILDING, "Unit %(code)s is not in a building the firm asked for.", {"code": unit.code}
    end = term_end(application)
    if any(lease.unit_id == unit.id and leases_overlap(lease, application.start_date, end) for lease in leases):
        return MISFIT_LEASED, "Unit %(code)s is leased during the term asked for.", {"code": unit.code}
    return None


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

    return explain_round(ranked, unit_list, groups, owner, held, passed_over, version)
