"""The shape of the code, checked from its imports (the AST, imports inside functions included).

1. Pure modules (the decisions) import only the standard library, dateutil and other pure Park
   modules, transitively, and never read the clock.
2. No package imports one above it in the layering of README.md ("Working on Park").
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARK = ROOT / "park"

PURE = {
    "park.shared.actor", "park.shared.errors", "park.shared.spreadsheets", "park.shared.framework_errors", "park.shared.labels", "park.shared.reasons",
    "park.shared.timespan",
    "park.accounts.rules",
    "park.tenants.model", "park.tenants.rules",
    "park.notifications.rules",
    "park.priority.model", "park.priority.rules", "park.priority.changes", "park.priority.parser",
    "park.facilities.model", "park.facilities.hours",
    "park.bookings.model", "park.bookings.rules", "park.bookings.recurrence", "park.bookings.availability",
    "park.bookings.draws", "park.bookings.timeline", "park.bookings.terms",
    "park.allocation.model", "park.allocation.rules", "park.allocation.explanations", "park.allocation.whatif",
    "park.billing.model", "park.billing.rules", "park.billing.summary",
    "park.imports.columns",
    "park.reports.periods", "park.reports.occupancy", "park.reports.charts", "park.reports.export",
    "park.dashboard.model",
}
"""Decisions over plain data. A new rules.py / model.py belongs here."""
LIBRARIES = {"dateutil"}
"""Besides the standard library, what a pure module may import."""
EXTRA_LIBRARIES = {"park.reports.export": {"xlsxwriter"}, "park.shared.spreadsheets": {"xlsxwriter"}}
"""Its file format: xlsxwriter writes the workbook to memory, no I/O."""

LAYERS = [
    {"shared", "settings"},
    {"accounts", "tenants", "audit", "notifications"},
    {"priority"},
    {"facilities"},
    {"bookings"},
    {"allocation"},
    {"billing", "reports", "imports"},
    {"dashboard", "app", "cli", "jobs", "demo", "scheduling", "scheduled_runs", "startup", "piccolo_app", "piccolo_conf"},
]
"""Bottom to top, as README.md draws it. A package imports packages below it or beside it, never above."""
APART = {("allocation", "bookings")}
"""Packages that must not import each other although one lies below the other."""

ALLOWED: set[tuple[str, str]] = set()
"""Upward imports with a reason; none: a domain's commands use park.shared.commands."""

PENDING: set[tuple[str, str]] = set()
"""Upward imports a move in progress still needs; empty: the layering holds everywhere."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PARK.rglob("*.py")}


@cache
def imports_of(module: str) -> frozenset[tuple[str, int]]:
    """Every module `module` imports (with the line), at the top or inside a function; `from a import b`
    names the module a.b when b is one."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "__future__":
                continue
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
            found.update((name, node.lineno) for name in submodules or [base])
    return frozenset(found)


def park_module(name: str) -> str | None:
    """The Park module an import names (a module, or the package holding the imported name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def reads_the_clock(module: str) -> list[str]:
    """Calls of now(), utcnow() or today() on anything, and any use of datetime.now, date.today,
    time.time and the like (a value such as ctx.now is data, not the clock)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [
        f"{module}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and ((node.attr in {"now", "utcnow", "today"} and (id(node) in called or _names_a_clock(node.value)))
             or (node.attr in {"time", "monotonic", "perf_counter"} and isinstance(node.value, ast.Name)
                 and node.value.id == "time"))
    ]


def _names_a_clock(node: ast.expr) -> bool:
    """datetime or date (the class or the module), also as datetime.datetime."""
    if isinstance(node, ast.Attribute):
        return node.attr in {"datetime", "date"}
    return isinstance(node, ast.Name) and node.id in {"datetime", "date"}


def impure_imports(module: str) -> list[str]:
    """What `module` reaches, transitively, that a pure module may not: (importer, import, line)."""
    allowed_libraries = set(sys.stdlib_module_names) | LIBRARIES | EXTRA_LIBRARIES.get(module, set())
    offenders, seen, todo = [], set(), [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        # Importing a module runs its packages' __init__ first.
        parents = [".".join(current.split(".")[:i]) for i in range(1, current.count(".") + 1)]
        todo.extend(parents)
        for name, line in imports_of(current):
            target = park_module(name) if name.split(".")[0] == "park" else None
            if target is None:
                if name.split(".")[0] not in allowed_libraries:
                    offenders.append(f"{current}:{line} imports {name}")
            elif target in PURE or MODULES[target].name == "__init__.py":
                todo.append(target)
            else:
                offenders.append(f"{current}:{line} imports {target}, which is not pure")
    return sorted(offenders)


@pytest.mark.parametrize("module", sorted(PURE))
def test_a_pure_module_reaches_only_the_standard_library_dateutil_and_pure_park_modules(module):
    assert module in MODULES, f"{module} is listed as pure but does not exist"
    assert not impure_imports(module)
    assert not reads_the_clock(module), "rules take now as an argument"


def test_the_clock_check_tells_reading_the_clock_from_reading_a_value(tmp_path, monkeypatch):
    source = tmp_path / "sample.py"
    source.write_text("import datetime as dt\nimport time\n\n\ndef f(ctx):\n"
                      "    return ctx.now, dt.datetime.now(), time.time(), ctx.clock.today()\n")
    monkeypatch.setitem(MODULES, "park.sample", source)
    assert reads_the_clock("park.sample") == ["park.sample:6 .now", "park.sample:6 .time", "park.sample:6 .today"]


def test_the_purity_check_follows_imports_through_other_park_modules(monkeypatch):
    # bookings.rules imports bookings.availability; were that not pure, rules would not be either.
    monkeypatch.setattr(sys.modules[__name__], "PURE", PURE - {"park.bookings.availability"})
    assert any("park.bookings.availability, which is not pure" in line for line in impure_imports("park.bookings.rules"))


def _rank(package: str) -> int | None:
    return next((index for index, layer in enumerate(LAYERS) if package in layer), None)


def layering_violations() -> tuple[list[str], set[tuple[str, str]]]:
    """Imports that go up (or across APART) and are not ALLOWED or PENDING; and the edges seen."""
    violations, edges = [], set()
    for module in sorted(MODULES):
        if module == "park":
            continue
        source = package_of(module)
        for name, line in imports_of(module):
            target = park_module(name) if name.split(".")[0] == "park" else None
            if target is None or target == "park" or package_of(target) == source:
                continue
            edges.add((module, target))
            above = _rank(package_of(target)) > _rank(source)
            apart = (source, package_of(target)) in APART or (package_of(target), source) in APART
            if (above or apart) and (module, target) not in ALLOWED | PENDING:
                violations.append(f"{module}:{line} imports {target} ({package_of(target)} is "
                                  f"{'above ' + source if above else 'kept apart from ' + source})")
    return violations, edges


def test_every_package_has_its_place_in_the_layering():
    packages = {package_of(module) for module in MODULES if module != "park"}
    assert not [package for package in sorted(packages) if _rank(package) is None]


def test_no_package_imports_one_above_it():
    violations, _ = layering_violations()
    assert not violations, "\n".join(violations)


def test_every_pending_or_allowed_import_still_exists():
    # Once a parallel move lands, its PENDING lines go: the set only shrinks.
    _, edges = layering_violations()
    assert not sorted((ALLOWED | PENDING) - edges)


def test_an_upward_import_inside_a_function_is_caught(monkeypatch, tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def handler():\n    from park.allocation.rules import allocate\n    return allocate\n")
    monkeypatch.setitem(MODULES, "park.bookings.sample", sample)
    violations, _ = layering_violations()
    assert [line for line in violations if line.startswith("park.bookings.sample:")] == [
        "park.bookings.sample:2 imports park.allocation.rules (allocation is above bookings)"
    ]
