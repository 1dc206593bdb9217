"""Account and tenant decisions stay pure: no ORM, web framework, scheduler or clock."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "park/shared/actor.py",
    "park/accounts/rules.py",
    "park/tenants/model.py",
    "park/tenants/rules.py",
]
FORBIDDEN = ("piccolo", "litestar", "apscheduler", "park.shared.clock", "park.shared.db")


@pytest.mark.parametrize("path", PURE_MODULES)
def test_pure_module_imports_no_framework_and_reads_no_clock(path):
    tree = ast.parse((ROOT / path).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Attribute) and node.attr in {"now", "utcnow", "today", "time"} and isinstance(node.value, ast.Name) and node.value.id in {"datetime", "date", "time"}:
            pytest.fail(f"{path} reads the clock ({node.value.id}.{node.attr})")
    offenders = [name for name in imported if name in FORBIDDEN or name.split(".")[0] in FORBIDDEN]
    assert not offenders, f"{path} imports {offenders}"
