"""Half-open, aware spans and span-list arithmetic."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from park.shared.timespan import Span, SpanError, intersect_spans, merge_spans, subtract_spans, total_duration

UTC = timezone.utc


def t(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_span_without_offset_is_refused():
    with pytest.raises(SpanError):
        Span(datetime(2026, 12, 1, 9), t(10))


def test_empty_and_reversed_spans_are_refused():
    with pytest.raises(SpanError):
        Span(t(10), t(10))
    with pytest.raises(SpanError):
        Span(t(11), t(10))


def test_spans_are_kept_in_utc_so_equal_instants_are_equal():
    shanghai = ZoneInfo("Asia/Shanghai")
    local = Span(datetime(2026, 12, 1, 17, tzinfo=shanghai), datetime(2026, 12, 1, 18, tzinfo=shanghai))
    assert local == Span(t(9), t(10))
    assert local.starts_at.tzinfo is UTC


def test_span_that_ends_when_another_starts_does_not_overlap_it():
    assert not Span(t(9), t(10)).overlaps(Span(t(10), t(11)))
    assert Span(t(9), t(10, 1)).overlaps(Span(t(10), t(11)))


def test_contains_takes_spans_and_instants_half_open():
    span = Span(t(9), t(12))
    assert span.contains(Span(t(9), t(12)))
    assert not span.contains(Span(t(8, 59), t(12)))
    assert span.contains(t(9))
    assert not span.contains(t(12))


def test_intersect_gives_the_common_part_or_nothing():
    assert Span(t(9), t(12)).intersect(Span(t(11), t(13))) == Span(t(11), t(12))
    assert Span(t(9), t(10)).intersect(Span(t(10), t(11))) is None


def test_duration_and_widen():
    span = Span(t(9), t(10))
    assert span.duration == timedelta(hours=1)
    assert span.widen(timedelta(minutes=15)) == Span(t(8, 45), t(10, 15))
    assert span.widen(timedelta(0), timedelta(minutes=10)) == Span(t(9), t(10, 10))


def test_merge_joins_overlapping_and_touching_spans():
    merged = merge_spans([Span(t(13), t(14)), Span(t(9), t(10)), Span(t(10), t(11)), Span(t(10, 30), t(10, 45))])
    assert merged == [Span(t(9), t(11)), Span(t(13), t(14))]


def test_subtract_cuts_holes_and_drops_covered_parts():
    base = [Span(t(9), t(12)), Span(t(13), t(18))]
    removed = [Span(t(10), t(11)), Span(t(11, 30), t(14)), Span(t(17), t(19))]
    assert subtract_spans(base, removed) == [
        Span(t(9), t(10)), Span(t(11), t(11, 30)), Span(t(14), t(17)),
    ]


def test_subtract_with_one_cut_spanning_several_spans():
    base = [Span(t(9), t(10)), Span(t(11), t(12)), Span(t(13), t(14))]
    assert subtract_spans(base, [Span(t(9, 30), t(13, 30))]) == [Span(t(9), t(9, 30)), Span(t(13, 30), t(14))]


def test_intersect_spans_and_total_duration():
    left = [Span(t(9), t(12)), Span(t(13), t(18))]
    right = [Span(t(11), t(14))]
    assert intersect_spans(left, right) == [Span(t(11), t(12)), Span(t(13), t(14))]
    assert total_duration([Span(t(9), t(11)), Span(t(10), t(12))]) == timedelta(hours=3)
