"""Which reads may go to the replica (PARK_DATABASE_REPLICA_URL), and which always read the primary."""

from __future__ import annotations

import pytest

from park.settings import Settings, SettingsError
from park.shared.replica import (
    ReplicaRoutingEngine,
    may_read_replica,
    read_primary_until,
    reads_may_lag,
    sign_primary_until,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "path",
    ["/api/v1/reports/occupancy", "/api/v1/reports/occupancy.csv", "/api/v1/reports/snapshots/3",
     "/api/v1/statements", "/api/v1/facilities", "/api/v1/facilities/7", "/api/v1/buildings", "/reports"],
)
def test_reports_statements_and_catalogue_reads_may_use_the_replica(path):
    assert may_read_replica("GET", path, None, NOW)


@pytest.mark.parametrize(
    "method, path",
    [("POST", "/api/v1/bookings"), ("PATCH", "/api/v1/bookings/3"), ("POST", "/api/v1/allocation-rounds"),
     ("GET", "/api/v1/bookings"), ("GET", "/api/v1/leases"), ("GET", "/api/v1/me"),
     ("GET", "/api/v1/facilities/7/availability"), ("GET", "/api/v1/availability"),
     ("POST", "/api/v1/facilities"), ("GET", "/api/v1/reportsX")],
)
def test_decisions_and_own_data_read_the_primary(method, path):
    assert not may_read_replica(method, path, None, NOW)


def test_a_user_who_just_wrote_reads_the_primary_until_the_cookie_expires():
    assert not may_read_replica("GET", "/api/v1/reports/occupancy", NOW + 5, NOW)
    assert may_read_replica("GET", "/api/v1/reports/occupancy", NOW - 1, NOW)


def test_the_primary_cookie_is_signed():
    cookie = sign_primary_until(NOW + 10, "secret-a")
    assert read_primary_until(cookie, "secret-a") == int(NOW + 10)
    assert read_primary_until(cookie, "secret-b") is None
    assert read_primary_until(cookie.replace(str(int(NOW + 10)), str(int(NOW + 99))), "secret-a") is None
    assert read_primary_until("garbage", "secret-a") is None


def test_the_engine_sends_only_plain_reads_of_a_marked_request_to_the_replica():
    engine = ReplicaRoutingEngine(config={"dsn": "postgresql://u@127.0.0.1:1/p"}, replica_dsn="postgresql://u@127.0.0.1:2/p")
    assert engine.replica_for("SELECT 1") is None  # not marked: primary
    token = reads_may_lag.set(True)
    try:
        assert engine.replica_for("SELECT * FROM booking") is engine.replica
        assert engine.replica_for("SELECT * FROM facility WHERE id = $1 FOR UPDATE") is None
        assert engine.replica_for("INSERT INTO audit_entry VALUES (1)") is None
        assert engine.replica_for("UPDATE session SET expires_at = now()") is None
    finally:
        reads_may_lag.reset(token)


def test_without_a_replica_every_read_is_on_the_primary():
    engine = ReplicaRoutingEngine(config={"dsn": "postgresql://u@127.0.0.1:1/p"})
    token = reads_may_lag.set(True)
    try:
        assert engine.replica_for("SELECT 1") is None
    finally:
        reads_may_lag.reset(token)


def test_a_replica_needs_postgresql():
    with pytest.raises(SettingsError, match="PARK_DATABASE_REPLICA_URL"):
        Settings(database_url="sqlite:///x.db", database_replica_url="postgresql://u@h/p").validate()
    with pytest.raises(SettingsError, match="PARK_DATABASE_REPLICA_URL"):
        Settings(database_url="postgresql://u@h/p", database_replica_url="mysql://u@h/p").validate()
    Settings(database_url="postgresql://u@h/p", database_replica_url="postgresql://u@h2/p").validate()
