"""Account rules: password policy and who may create whom."""

from park.shared.actor import Actor
from park.accounts.rules import may_create_user, password_problems, role_problems


def make_actor(role: str = "member", tenant_id: int | None = 1) -> Actor:
    return Actor(id=1, email="a@firm.test", name="A", role=role, tenant_id=tenant_id)


def test_a_short_or_common_password_is_refused():
    assert password_problems("short")
    assert password_problems("1234567890")
    assert password_problems("aaaaaaaaaaaa")


def test_a_password_containing_the_email_is_refused():
    assert password_problems("zhangwei-2026!", email="zhangwei@firm.test")


def test_a_long_unusual_passphrase_is_accepted():
    assert password_problems("violet-harbour-kite-19", email="li@firm.test", name="Li") == []


def test_tenant_roles_need_a_firm_and_staff_roles_need_none():
    assert role_problems("member", None)
    assert role_problems("manager", 3)
    assert role_problems("tenant_admin", 3) == []
    assert role_problems("overlord", None)


def test_a_tenant_admin_creates_only_its_own_firms_members():
    admin = make_actor("tenant_admin", 7)
    assert may_create_user(admin, "member", 7)
    assert not may_create_user(admin, "member", 8)
    assert not may_create_user(admin, "manager", None)
    assert not may_create_user(make_actor("member", 7), "member", 7)
    assert may_create_user(make_actor("manager", None), "tenant_admin", 8)
    assert not may_create_user(make_actor("manager", None), "admin", None)


def test_a_tenant_admin_manages_only_its_own_firms_people():
    from park.shared.actor import Actor
    from park.accounts.rules import may_manage_user

    firm_admin = Actor(id=1, email="a@x.test", name="A", role="tenant_admin", tenant_id=7)
    assert may_manage_user(firm_admin, "member", 7)
    assert not may_manage_user(firm_admin, "member", 8)
    assert not may_manage_user(firm_admin, "manager", None)
    manager = Actor(id=2, email="m@x.test", name="M", role="manager", tenant_id=None)
    assert may_manage_user(manager, "tenant_admin", 8)
    assert not may_manage_user(manager, "admin", None)


def test_a_session_begun_before_the_cut_off_is_over():
    from park.accounts.rules import session_still_valid

    now = 1_000.0
    assert session_still_valid(100.0, None, now)
    assert session_still_valid(100.0, 100.0, now)
    assert not session_still_valid(99.9, 100.0, now)


def test_a_session_that_does_not_say_when_it_began_is_over():
    from park.accounts.rules import session_still_valid

    assert not session_still_valid(None, None, 1_000.0)


def test_a_session_ends_a_week_after_sign_in_however_busy():
    from park.accounts.rules import SESSION_MAX_AGE_S, session_still_valid

    signed_in = 1_000.0
    assert session_still_valid(signed_in, None, signed_in + SESSION_MAX_AGE_S)
    assert not session_still_valid(signed_in, None, signed_in + SESSION_MAX_AGE_S + 1)
