"""The booking and facility decisions stay pure: no ORM, web framework, scheduler or clock."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "park/shared/timespan.py",
    "park/facilities/model.py",
    "park/facilities/hours.py",
    "park/facilities/availability.py",
    "park/bookings/model.py",
    "park/bookings/rules.py",
    "park/bookings/recurrence.py",
    "park/bookings/timeline.py",
]
FORBIDDEN = ("piccolo", "litestar", "apscheduler", "park.shared.clock")


@pytest.mark.parametrize("path", PURE_MODULES)
def test_pure_module_imports_no_framework_and_reads_no_clock(path):
    tree = ast.parse((ROOT / path).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in {"now", "utcnow", "today"}
            and isinstance(node.value, ast.Name)
            and node.value.id in {"datetime", "date", "time"}
        ):
            pytest.fail(f"{path} reads the clock ({node.attr})")
    assert not [name for name in imported if name.split(".")[0] in FORBIDDEN or name in FORBIDDEN]
