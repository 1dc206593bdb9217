"""Space occupancy: units let and free by group, as shares of area. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from park.reports.occupancy import ratio


@dataclass(frozen=True)
class SpaceGroup:
    """Leasable and leased area of one building and unit kind on a date."""

    building_id: int
    building_name: str
    kind: str
    leasable_m2: float
    leased_m2: float
    unit_count: int = 0
    leased_count: int = 0
    building_name_en: str = ""


@dataclass(frozen=True)
class SpaceRow:
    key: str
    label: str
    leasable_m2: float
    leased_m2: float
    label_en: str = ""
    """The English name, where the group has one (a building's)."""

    @property
    def occupancy(self) -> float | None:
        return ratio(self.leased_m2, self.leasable_m2)

    def as_dict(self) -> dict[str, object]:
        occupancy = self.occupancy
        return {
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en,
            "leasable_m2": round(self.leasable_m2, 2),
            "leased_m2": round(self.leased_m2, 2),
            "vacant_m2": round(self.leasable_m2 - self.leased_m2, 2),
            "occupancy": None if occupancy is None else round(occupancy, 4),
        }


@dataclass(frozen=True)
class SpaceReport:
    by_building: tuple[SpaceRow, ...]
    by_kind: tuple[SpaceRow, ...]
    cells: tuple[SpaceGroup, ...]
    totals: SpaceRow


def space_report(groups: Iterable[SpaceGroup]) -> SpaceReport:
    """Roll building × kind area sums up into per-building and per-kind rows."""
    cells = tuple(sorted(groups, key=lambda g: (g.building_name, g.kind)))
    buildings: dict[str, list[float | str]] = {}
    names_en: dict[str, str] = {}
    kinds: dict[str, list[float]] = {}
    for group in cells:
        entry = buildings.setdefault(str(group.building_id), [group.building_name, 0.0, 0.0])
        names_en[str(group.building_id)] = group.building_name_en
        entry[1] += group.leasable_m2  # type: ignore[operator]
        entry[2] += group.leased_m2  # type: ignore[operator]
        area = kinds.setdefault(group.kind, [0.0, 0.0])
        area[0] += group.leasable_m2
        area[1] += group.leased_m2
    by_building = tuple(
        SpaceRow(key, str(label), float(leasable), float(leased), names_en.get(key, ""))
        for key, (label, leasable, leased) in sorted(buildings.items(), key=lambda i: str(i[1][0]))
    )
    by_kind = tuple(
        SpaceRow(kind, kind, leasable, leased) for kind, (leasable, leased) in sorted(kinds.items())
    )
    totals = SpaceRow(
        "total",
        "total",
        sum(group.leasable_m2 for group in cells),
        sum(group.leased_m2 for group in cells),
    )
    return SpaceReport(by_building, by_kind, cells, totals)
