"""Half-open, time-zone-aware time spans and span-list arithmetic. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable


class SpanError(ValueError):
    """A span was built from naive, empty or reversed times."""


def _aware_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise SpanError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SpanError(f"{name} must carry a UTC offset")
    return value.astimezone(timezone.utc)


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """The instants t with starts_at <= t < ends_at, kept in UTC."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        starts_at = _aware_utc(self.starts_at, "starts_at")
        ends_at = _aware_utc(self.ends_at, "ends_at")
        if ends_at <= starts_at:
            raise SpanError("ends_at must be after starts_at")
        # Normalise to UTC so equal instants compare and hash equal.
        object.__setattr__(self, "starts_at", starts_at)
        object.__setattr__(self, "ends_at", ends_at)

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    def overlaps(self, other: Span) -> bool:
        """True when the spans share an instant; touching ends do not."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def contains(self, other: Span | datetime) -> bool:
        """True when `other` (a span or an instant) lies wholly inside this span."""
        if isinstance(other, Span):
            return self.starts_at <= other.starts_at and other.ends_at <= self.ends_at
        instant = _aware_utc(other, "instant")
        return self.starts_at <= instant < self.ends_at

    def intersect(self, other: Span) -> Span | None:
        """The common part, or None when the spans do not overlap."""
        starts_at = max(self.starts_at, other.starts_at)
        ends_at = min(self.ends_at, other.ends_at)
        if ends_at <= starts_at:
            return None
        return Span(starts_at, ends_at)

    def widen(self, before: timedelta, after: timedelta | None = None) -> Span:
        """The span grown by `before` at the start and `after` (default: `before`) at the end."""
        return Span(self.starts_at - before, self.ends_at + (before if after is None else after))


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans covering the same instants; touching spans are joined."""
    ordered = sorted(spans)
    merged: list[Span] = []
    for span in ordered:
        if merged and span.starts_at <= merged[-1].ends_at:
            last = merged[-1]
            if span.ends_at > last.ends_at:
                merged[-1] = Span(last.starts_at, span.ends_at)
        else:
            merged.append(span)
    return merged


def subtract_spans(spans: Iterable[Span], removed: Iterable[Span]) -> list[Span]:
    """The parts of `spans` not covered by any of `removed`, sorted and disjoint."""
    base = merge_spans(spans)
    cuts = merge_spans(removed)
    result: list[Span] = []
    j = 0
    for span in base:
        cursor = span.starts_at
        # Skip cuts that end before this span; cuts are sorted and disjoint.
        while j < len(cuts) and cuts[j].ends_at <= cursor:
            j += 1
        k = j
        while k < len(cuts) and cuts[k].starts_at < span.ends_at:
            cut = cuts[k]
            if cut.starts_at > cursor:
                result.append(Span(cursor, cut.starts_at))
            cursor = max(cursor, cut.ends_at)
            if cursor >= span.ends_at:
                break
            k += 1
        if cursor < span.ends_at:
            result.append(Span(cursor, span.ends_at))
    return result


def intersect_spans(spans: Iterable[Span], within: Iterable[Span]) -> list[Span]:
    """The parts of `spans` that also lie in `within`, sorted and disjoint."""
    left = merge_spans(spans)
    right = merge_spans(within)
    result: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        common = left[i].intersect(right[j])
        if common is not None:
            result.append(common)
        if left[i].ends_at <= right[j].ends_at:
            i += 1
        else:
            j += 1
    return result


def total_duration(spans: Iterable[Span]) -> timedelta:
    """The length of the union of `spans` (overlaps counted once)."""
    return sum((span.duration for span in merge_spans(spans)), timedelta())
