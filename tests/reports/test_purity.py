"""The report arithmetic stays pure: no database, web or scheduler imports, no clock."""

import ast
from pathlib import Path

import pytest

PURE = ["periods.py", "occupancy.py", "heatmap.py", "space.py", "charts.py", "export.py"]
FORBIDDEN = ("piccolo", "litestar", "apscheduler", "park.shared.clock")
REPORTS = Path(__file__).resolve().parents[2] / "park" / "reports"


@pytest.mark.parametrize("name", PURE)
def test_pure_report_module_imports_no_io_framework_and_never_reads_the_clock(name):
    tree = ast.parse((REPORTS / name).read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
        elif isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today"):
            pytest.fail(f"{name} reads the clock at line {node.lineno}")
    assert not [module for module in imported if module.startswith(FORBIDDEN)]
