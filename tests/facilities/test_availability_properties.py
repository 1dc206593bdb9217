"""Availability and the clash rules agree with a brute-force count, whatever the bookings."""

import itertools
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from park.bookings.model import Booking, BookingRequest
from park.bookings.rules import BookingContext, check_request
from park.bookings.availability import compute_availability
from park.shared.timespan import Span

from tests.builders import SHANGHAI, at, make_facility

DAY = Span(at(1, 0), at(2, 0))
_ids = itertools.count(1)
OPEN = at(1, 9)

bookings_strategy = st.lists(
    st.tuples(
        st.integers(0, 17),  # start, in half hours after 09:00
        st.integers(1, 6),  # length, in half hours
        st.integers(1, 3),  # seats
        st.sampled_from(["confirmed", "pending", "checked_in", "requested", "cancelled"]),
    ),
    max_size=25,
)


def held(starts_at, ends_at, seats, status):
    """A stored booking as the rules see it (an id, a tenant, a user)."""
    return Booking(next(_ids), 1, 1, 1, starts_at, ends_at, seats, status)


def brute_force_peak(bookings, span, buffer):
    peak = 0
    minute = span.starts_at
    while minute < span.ends_at:
        load = sum(
            b.seats for b in bookings
            if b.status in ("confirmed", "pending", "checked_in") and b.starts_at <= minute < b.ends_at + buffer
        )
        peak = max(peak, load)
        minute += timedelta(minutes=5)
    return peak


@settings(max_examples=60, deadline=None)
@given(bookings_strategy, st.integers(1, 6), st.sampled_from([0, 10, 30]))
def test_free_seats_match_a_brute_force_count(raw, capacity, buffer_minutes):
    facility = make_facility(capacity=capacity, buffer_minutes=buffer_minutes)
    buffer = timedelta(minutes=buffer_minutes)
    bookings = [
        held(OPEN + timedelta(minutes=30 * s), OPEN + timedelta(minutes=30 * (s + n)), seats, status)
        for s, n, seats, status in raw
    ]
    for slot in compute_availability(facility, DAY, SHANGHAI, bookings):
        wanted = Span(slot.starts_at, slot.ends_at + buffer)
        assert slot.free == max(capacity - brute_force_peak(bookings, wanted, buffer), 0)


@settings(max_examples=60, deadline=None)
@given(bookings_strategy, st.integers(1, 4), st.sampled_from([0, 15]))
def test_accepting_only_requests_that_break_no_rule_never_exceeds_capacity(raw, capacity, buffer_minutes):
    facility = make_facility(capacity=capacity, buffer_minutes=buffer_minutes)
    buffer = timedelta(minutes=buffer_minutes)
    accepted = []
    for s, n, seats, _status in raw:
        starts_at = OPEN + timedelta(minutes=30 * s)
        request = BookingRequest(1, 1, 1, starts_at, starts_at + timedelta(minutes=30 * n), seats)
        ctx = BookingContext(request=request, facility=facility, now=at(1, 8), zone=SHANGHAI, existing=accepted)
        if not check_request(ctx):
            accepted.append(Booking(len(accepted) + 1, 1, 1, 1, request.starts_at, request.ends_at, seats, "confirmed"))
    assert brute_force_peak(accepted, DAY, buffer) <= capacity
