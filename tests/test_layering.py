"""The layout's rules: packages import in one direction, modules in no cycle, checkers share no model code.

Direction: network ← geodata / solver ← maps ← batch ← cli. Inside
``solver/``, each model (``design``, ``routing``, ``bases``) imports only
``network``, the shared MathOpt layer ``solver.mip``, the solve clock ``solver.clock`` and itself; the checkers
in ``solver/check/`` import only ``network``, each other and the routing
problem and solution types, which themselves import nothing else of ``solver``.
Imports are read from the source (inside functions too), so a rule broken
only on some path is caught as well.
"""

from __future__ import annotations

import ast
import graphlib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"network", "geodata", "solver", "maps", "cli", "batch"}
ALLOWED = {
    "network": set(),
    "geodata": {"network"},
    "solver": {"network"},
    "maps": {"network", "geodata"},
    "batch": {"network", "geodata", "solver", "maps"},
    "cli": OURS - {"cli"},
}
MODELS = ("solver.design", "solver.routing", "solver.bases")
#: The array-level contract the routing checker reads: types, no algorithm.
CHECKED_TYPES = {"solver.routing.problem", "solver.routing.solution", "solver.routing.units"}
MAX_LINES = 450


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@cache
def _imported(module: str) -> frozenset[str]:
    """Our modules ``module`` imports anywhere in its source; ``from pkg import sub`` counts as ``pkg.sub``."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in _modules() else base)
    return frozenset(n for n in names if n in _modules() and n != module)


def _top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    bad = {}
    for module in _modules():
        if _top(module) == package:
            wrong = {_top(m) for m in _imported(module)} - ALLOWED[package] - {package}
            if wrong:
                bad[module] = sorted(wrong)
    assert bad == {}


def test_no_module_imports_itself_back_through_others() -> None:
    graph = {module: _imported(module) for module in _modules()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_cycle_check_finds_a_cycle() -> None:
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter({"a": {"b"}, "b": {"c"}, "c": {"a"}}).prepare()


@pytest.mark.parametrize("model", MODELS)
def test_a_model_imports_no_other_model_and_no_checker(model: str) -> None:
    may = {model, "solver.mip", "solver.clock"}
    bad = {m: sorted(n for n in _imported(m) if _top(n) == "solver" and not any(
               n == p or n.startswith(p + ".") for p in may))
           for m in _modules() if m == model or m.startswith(model + ".")}
    assert {m: v for m, v in bad.items() if v} == {}


def test_checkers_import_no_model_code() -> None:
    bad = {m: sorted(n for n in _imported(m) if _top(n) == "solver"
                     and not n.startswith("solver.check") and n not in CHECKED_TYPES)
           for m in _modules() if m.startswith("solver.check")}
    assert {m: v for m, v in bad.items() if v} == {}
    for types in CHECKED_TYPES:  # the types the checker may read carry no solver code in with them
        assert {n for n in _imported(types) if _top(n) == "solver"} <= CHECKED_TYPES


@pytest.mark.parametrize("package", ["solver", "geodata"])
def test_modules_stay_short_enough_to_read_in_one_sitting(package: str) -> None:
    long = {str(p.relative_to(ROOT)): n for m, p in _modules().items() if _top(m) == package
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
