"""Every audit entry Park writes reads in the reader's words: each action, record kind and detail key
has a display name (park/shared/labels.py), found by reading every `record(...)` call in the code."""

from __future__ import annotations

import ast
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from park.accounts.rules import ROLES
from park.bookings.model import STATUSES
from park.facilities.service import BUILDING_TEXTS, EDITABLE
from park.imports.columns import KINDS as IMPORT_KINDS
from park.settings import LOCALES
from park.shared.labels import LABELS
from park.tenants.model import Qualification
from park.tenants.rules import SECTORS
from park.tenants.service import PLAIN_FIELDS
from tests.accounts.test_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]

F_STRING_ACTIONS = {"import.{kind}": {f"import.{kind}" for kind in IMPORT_KINDS}}
"""Actions written as an f-string, with every value they take."""
DETAIL_BUILDERS = {"_audit_detail": {*PLAIN_FIELDS, "qualifications", *Qualification.__dataclass_fields__}}
"""Functions that build an entry's detail, with every key they write (park/tenants/service.py)."""
FIELD_NAMES = {"facility.update": set(EDITABLE), "building.update": set(BUILDING_TEXTS)}
"""Actions whose `fields` detail names changed fields, with every name it can hold."""


@dataclass
class Write:
    place: str
    actions: set[str] = field(default_factory=set)
    record_types: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    field_names: set[str] = field(default_factory=set)
    unread: list[str] = field(default_factory=list)
    """What the scan could not follow (a new way of naming an action or building a detail)."""


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.imports_record = any(
            isinstance(node, ast.ImportFrom) and node.module == "park.audit.service"
            and any(alias.name == "record" for alias in node.names)
            for node in ast.walk(self.tree))

    def is_record_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        return ((isinstance(func, ast.Name) and func.id == "record" and self.imports_record)
                or (isinstance(func, ast.Attribute) and func.attr == "record"
                    and isinstance(func.value, ast.Name) and func.value.id == "audit"))

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    def texts(self, expr: ast.AST | None, near: ast.AST, write: Write) -> set[str]:
        """The strings an action or record-type argument can be."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.texts(expr.body, near, write) | self.texts(expr.orelse, near, write)
        if isinstance(expr, ast.JoinedStr):
            shape = "".join(part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
                            for part in expr.values)
            if shape in F_STRING_ACTIONS:
                return F_STRING_ACTIONS[shape]
        if isinstance(expr, ast.Name):
            function = self.function_of(near)
            params = [arg.arg for arg in function.args.args] if function else []
            if expr.id in params:
                return self.arguments_given(function, params.index(expr.id), expr.id, write)
        write.unread.append(f"{write.place}: {ast.unparse(expr) if expr else 'nothing'}")
        return set()

    def arguments_given(self, function, index: int, name: str, write: Write) -> set[str]:
        """Every string the module's calls of `function` pass as its parameter `name`."""
        found: set[str] = set()
        for call in ast.walk(self.tree):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == function.name:
                given = call.args[index] if index < len(call.args) else next(
                    (k.value for k in call.keywords if k.arg == name), None)
                if given is not None:
                    found |= self.texts(given, call, write)
        return found

    def detail_keys(self, expr: ast.AST | None, near: ast.AST, write: Write) -> None:
        if expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
            return
        if isinstance(expr, ast.IfExp):
            self.detail_keys(expr.body, near, write)
            self.detail_keys(expr.orelse, near, write)
        elif isinstance(expr, ast.Dict):
            for key, value in zip(expr.keys, expr.values):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    write.unread.append(f"{write.place}: detail key {ast.unparse(key) if key else '**'}")
                    continue
                write.keys.add(key.value)
                if isinstance(value, ast.Dict):
                    self.detail_keys(value, near, write)
                if key.value == "fields" and isinstance(value, (ast.List, ast.Tuple)):
                    write.field_names |= {item.value for item in value.elts if isinstance(item, ast.Constant)}
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in DETAIL_BUILDERS:
            write.keys |= DETAIL_BUILDERS[expr.func.id]
        elif isinstance(expr, ast.Name) and (function := self.function_of(near)) is not None:
            assigned = False
            for node in ast.walk(function):
                if isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name) and target.id == expr.id:
                            assigned = True
                            self.detail_keys(node.value, near, write)
                        elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                              and target.value.id == expr.id and isinstance(target.slice, ast.Constant)):
                            write.keys.add(target.slice.value)
            if not assigned:
                write.unread.append(f"{write.place}: detail {expr.id}")
        else:
            write.unread.append(f"{write.place}: detail {ast.unparse(expr)}")


def audit_writes() -> list[Write]:
    """Every `record(...)` call in park/, with what it can write."""
    writes = []
    for path in sorted((ROOT / "park").rglob("*.py")):
        if path.parts[-2] == "audit":
            continue
        module = _Module(path)
        for node in ast.walk(module.tree):
            if not module.is_record_call(node):
                continue
            write = Write(f"{path.relative_to(ROOT)}:{node.lineno}")
            args = {**dict(zip(("actor", "action", "record_type", "record_id", "detail"), node.args)),
                    **{k.arg: k.value for k in node.keywords}}
            write.actions = module.texts(args.get("action"), node, write)
            write.record_types = module.texts(args.get("record_type"), node, write)
            module.detail_keys(args.get("detail"), node, write)
            for action in write.actions:
                write.field_names |= FIELD_NAMES.get(action, set())
            writes.append(write)
    return writes


def test_the_scan_reads_every_audit_write_in_the_code():
    writes = audit_writes()
    assert len(writes) >= 50, f"only {len(writes)} calls of record() found: the scan has lost its way"
    assert [line for write in writes for line in write.unread] == []
    actions = {action for write in writes for action in write.actions}
    assert {"booking.approve", "booking.reject", "user.activate", "user.deactivate", "import.leases"} <= actions
    keys = {key for write in writes for key in write.keys}
    assert {"granted", "declined", "fields", "cancelled", "starts_at", "ip_count", "valid_until"} <= keys


def test_every_audit_action_record_kind_and_detail_key_written_has_a_display_name():
    missing = []
    for write in audit_writes():
        missing += [f"{write.place}: action {a}" for a in sorted(write.actions - set(LABELS["audit_action"]))]
        missing += [f"{write.place}: record type {t}" for t in sorted(write.record_types - set(LABELS["record_type"]))]
        missing += [f"{write.place}: detail key {k}" for k in sorted(write.keys - set(LABELS["audit_detail"]))]
        missing += [f"{write.place}: field {f}" for f in sorted(write.field_names - set(LABELS["audit_detail"]))]
    assert missing == [], "give these a label in park/shared/labels.py (with its translation):\n" + "\n".join(missing)


def test_every_value_an_audit_detail_names_by_code_has_a_display_name():
    assert set(STATUSES) <= set(LABELS["booking_status"])
    assert set(ROLES) <= set(LABELS["role"])
    assert set(LOCALES) <= set(LABELS["language"])
    assert set(SECTORS) <= set(LABELS["sector"])


async def test_the_log_says_actions_details_and_their_values_in_the_readers_language(client, manager, member, tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers,
                       json={"sector": "new_media", "ip_count": 3})
    await client.patch(f"/api/v1/users/{member.id}", headers=manager.headers, json={"role": "tenant_admin"})
    await sign_in(client, manager.email)
    chinese = (await client.get("/audit", headers={"Accept-Language": "zh-CN"})).text.split("<tbody>")[1]
    assert "行业：新媒体" in chinese and "知识产权数量：3" in chinese
    assert "开始：成员" in chinese and "至：企业管理员" in chinese
    assert "new_media" not in chinese and "<code>" not in chinese


async def test_the_log_files_speak_the_readers_language(client, manager, tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 9})
    await sign_in(client, manager.email)
    english = await client.get("/audit/export.csv", params={"action": "tenant.update"}, headers={"Accept-Language": "en"})
    assert english.status_code == 200 and english.headers["content-type"].startswith("text/csv")
    lines = english.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "When,Who,Action,Record type,Record,IP address,Details"
    assert len(lines) == 2 and "Firm changed" in lines[1] and "Intellectual property items: 9" in lines[1]
    chinese = await client.get("/audit/export.csv", params={"day_from": "not a day"}, headers={"Accept-Language": "zh-CN"})
    rows = chinese.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("时间,") and any("修改企业信息" in row and "知识产权数量：9" in row for row in rows[1:])
    workbook = await client.get("/audit/export.xlsx", headers={"Accept-Language": "zh-CN"})
    assert workbook.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(workbook.content))
    assert "审计日志" in book.read("xl/workbook.xml").decode()
    assert "修改企业信息" in book.read("xl/sharedStrings.xml").decode()


async def test_only_managers_download_the_log(client, tenant_admin):
    await sign_in(client, tenant_admin.email)
    assert (await client.get("/audit/export.csv")).status_code == 403


async def test_a_recorded_name_is_shown_in_the_readers_language(client, manager):
    building = await client.post("/api/v1/buildings", headers=manager.headers,
                                 json={"code": "Z", "name": "测试楼", "name_en": "Test Tower"})
    assert building.status_code == 201, building.text
    made = await client.post("/api/v1/facilities", headers=manager.headers,
                             json={"building_id": building.json()["id"], "kind": "meeting_room",
                                   "name": "测试会议室", "name_en": "Test Meeting Room"})
    assert made.status_code == 201, made.text
    await sign_in(client, manager.email)
    english = (await client.get("/audit", params={"action": "facility.create"}, headers={"Accept-Language": "en"})).text
    chinese = (await client.get("/audit", params={"action": "facility.create"}, headers={"Accept-Language": "zh-CN"})).text
    assert "Name: Test Meeting Room" in english and "测试会议室" not in english.split("<tbody>")[1]
    assert "名称：测试会议室" in chinese and "Test Meeting Room" not in chinese.split("<tbody>")[1]


async def test_a_firm_person_or_facility_named_by_id_in_a_detail_is_shown_by_its_name(client, manager, member, tenant):
    facility = await client.post("/api/v1/facilities", headers=manager.headers, json={
        "building_id": (await client.post("/api/v1/buildings", headers=manager.headers, json={"code": "N", "name": "楼"})).json()["id"],
        "kind": "lab", "name": "培训实验室", "name_en": "Training Lab", "requires_authorization": True})
    granted = await client.post(f"/api/v1/facilities/{facility.json()['id']}/authorizations", headers=manager.headers,
                                json={"user_id": member.id})
    assert granted.status_code == 201, granted.text
    await sign_in(client, manager.email)
    english = (await client.get("/audit", params={"action": "authorization.grant"}, headers={"Accept-Language": "en"})).text
    body = english.split("<tbody>")[1]
    person = (await client.get("/api/v1/me", headers=member.headers)).json()["name"]
    assert f"Training Lab ({facility.json()['id']})" in body and f"{person} ({member.id})" in body
    chinese = (await client.get("/audit", params={"action": "authorization.grant"}, headers={"Accept-Language": "zh-CN"})).text
    assert f"培训实验室（{facility.json()['id']}）" in chinese.split("<tbody>")[1]
    line = (await client.get("/audit/export.csv", params={"action": "authorization.grant"}, headers={"Accept-Language": "en"})).text
    assert f"Training Lab ({facility.json()['id']})" in line
