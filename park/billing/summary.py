"""The park's summary of a month's issued statements: billed, subsidised and due, by sector,
by qualification and by facility kind. Pure: plain rows in, groups out.

A line counts once under its firm's sector and once under its facility kind (rent lines under
the unit's kind, as "rent"). By qualification, a firm holding several qualifications counts
under each of them, so that group's rows may add up to more than the total; a firm holding none
counts under "none". This is the figure the base reports on measure 14 of its policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

NO_SECTOR = "none"
NO_QUALIFICATION = "none"
RENT_KIND = "rent"


@dataclass(frozen=True)
class SummaryLine:
    tenant_id: int
    sector: str | None
    qualifications: frozenset[str]
    kind: str
    """booking, rent or adjustment (the statement line's kind)."""
    facility_kind: str
    amount_fen: int
    subsidy_fen: int


@dataclass
class Group:
    key: str
    amount_fen: int = 0
    subsidy_fen: int = 0
    firms: set[int] = field(default_factory=set)

    @property
    def due_fen(self) -> int:
        return self.amount_fen - self.subsidy_fen

    def add(self, line: SummaryLine) -> None:
        self.amount_fen += line.amount_fen
        self.subsidy_fen += line.subsidy_fen
        self.firms.add(line.tenant_id)


@dataclass(frozen=True)
class Summary:
    total: Group
    by_sector: list[Group]
    by_qualification: list[Group]
    by_facility_kind: list[Group]


def _facility_group(line: SummaryLine) -> str:
    if line.kind == "rent":
        return RENT_KIND
    return line.facility_kind or NO_SECTOR


def _sorted(groups: dict[str, Group]) -> list[Group]:
    """Largest billed amount first; ties by key, so the order never wobbles."""
    return sorted(groups.values(), key=lambda group: (-group.amount_fen, group.key))


def summarise(lines: Iterable[SummaryLine]) -> Summary:
    total = Group("total")
    sectors: dict[str, Group] = {}
    qualifications: dict[str, Group] = {}
    kinds: dict[str, Group] = {}
    for line in lines:
        total.add(line)
        sector = line.sector or NO_SECTOR
        sectors.setdefault(sector, Group(sector)).add(line)
        for held in sorted(line.qualifications) or [NO_QUALIFICATION]:
            qualifications.setdefault(held, Group(held)).add(line)
        kind = _facility_group(line)
        kinds.setdefault(kind, Group(kind)).add(line)
    return Summary(total, _sorted(sectors), _sorted(qualifications), _sorted(kinds))
