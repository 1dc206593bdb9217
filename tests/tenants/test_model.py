"""A firm's fields: what a new firm needs, what a change may leave out, how qualifications merge."""

from datetime import date

from park.tenants.model import Qualification, TenantFields, merge_qualifications, tenant_problems

VALID = "91440300708461136T"


def make_fields(**overrides) -> TenantFields:
    values = {"name": "深圳某文化科技有限公司", "uscc": VALID, "sector": "creative_design", "staff_count": 10, "rd_staff_count": 3}
    return TenantFields(**(values | overrides))


def test_a_complete_new_firm_has_no_problems():
    assert tenant_problems(make_fields(), creating=True) == []


def test_a_new_firm_needs_a_name_a_code_and_a_sector():
    problems = tenant_problems(TenantFields(), creating=True)
    assert {p.field for p in problems} == {"name", "uscc", "sector"}


def test_a_change_checks_only_the_fields_sent():
    assert tenant_problems(TenantFields(ip_count=4), creating=False) == []
    assert [p.field for p in tenant_problems(TenantFields(ip_count=-1), creating=False)] == ["ip_count"]


def test_more_rd_staff_than_staff_is_refused():
    assert [p.field for p in tenant_problems(make_fields(rd_staff_count=11), creating=True)] == ["rd_staff_count"]


def test_a_dated_record_wins_over_the_plain_word_of_its_kind():
    record = Qualification("leading_firm", "SZ-2026-1", date(2027, 1, 1))
    merged = merge_qualifications(["leading_firm", "original_brand"], [record])
    assert sorted(merged, key=lambda q: q.kind) == [record, Qualification("original_brand")]


def test_sending_no_qualifications_at_all_leaves_them_alone():
    assert merge_qualifications(None, None) is None
    assert merge_qualifications([], None) == []
