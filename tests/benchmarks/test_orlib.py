"""Readers of the OR-Library CFLP and p-median files used by the benchmarks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from network.errors import InputError

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "orlib.py"
_SPEC = importlib.util.spec_from_file_location("huishou_bench_orlib", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
orlib = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = orlib
_SPEC.loader.exec_module(orlib)

# 2 facilities, 3 customers; trailing dots and a customer's costs wrapped over lines.
CFLP_TEXT = """2 3
 100 7500.
 80 0.
 10 200. 300.
 20 400.
 500.
 30 600. 700.
"""


def test_cflp_parses_trailing_dots_and_wrapped_lines() -> None:
    inst = orlib.parse_cflp(CFLP_TEXT, source="tiny.txt")
    assert inst.name == "tiny"
    assert (inst.m, inst.n) == (2, 3)
    np.testing.assert_array_equal(inst.capacity, [100, 80])
    np.testing.assert_array_equal(inst.fixed_cost, [7500, 0])
    np.testing.assert_array_equal(inst.demand, [10, 20, 30])
    # assign_cost[i, j]: serving ALL of customer j from facility i.
    np.testing.assert_array_equal(inst.assign_cost, [[200, 400, 600], [300, 500, 700]])


def test_cflp_token_count_is_checked() -> None:
    with pytest.raises(InputError, match=r"expected 2 \+ 2m \+ n\(1\+m\) = 15 tokens for m=2, n=3, found 14"):
        orlib.parse_cflp(CFLP_TEXT.rsplit(" ", 1)[0], source="tiny.txt")


def test_cflp_bad_tokens_are_all_named() -> None:
    text = CFLP_TEXT.replace("7500.", "x").replace("600.", "-6")
    with pytest.raises(InputError) as info:
        orlib.parse_cflp(text, source="tiny.txt")
    message = str(info.value)
    assert "tiny.txt token 4 (facility 1 fixed cost): expected a number, got 'x'" in message
    assert "(customer 3 cost from facility 1): expected a non-negative number, got '-6'" in message


def test_pmed_duplicate_edges_last_occurrence_wins() -> None:
    # 1-2 first 5 then 2 (last wins); 2-3 = 1; 1-3 = 10 → d(1,3) = 2 + 1 = 3.
    text = "3 4 1\n1 2 5\n2 3 1\n1 3 10\n2 1 2\n"
    inst = orlib.parse_pmed(text, source="dup.txt")
    assert (inst.n, inst.p) == (3, 1)
    np.testing.assert_array_equal(inst.distance, [[0, 2, 3], [2, 0, 1], [3, 1, 0]])


def test_pmed_last_wins_even_when_longer() -> None:
    inst = orlib.parse_pmed("2 2 1\n1 2 1\n1 2 7\n", source="dup.txt")
    assert inst.distance[0, 1] == 7


def test_pmed_problems_are_named_by_line() -> None:
    with pytest.raises(InputError) as info:
        orlib.parse_pmed("3 3 4\n1 2 5\n1 9 1\n2 3\n", source="bad.txt")
    message = str(info.value)
    assert "bad.txt line 1: expected p <= n, got n=3, p=4" in message
    assert "bad.txt line 3: expected vertices in 1..3, got 1 and 9" in message
    assert "bad.txt line 4: expected 'i j cost', got '2 3'" in message


def test_bundled_instances_and_optima_are_complete() -> None:
    optima = orlib.read_optima()
    counts = {s: len(orlib.instance_names(s, optima)) for s in ("orlib_cap", "orlib_uncap", "orlib_pmed")}
    assert counts == {"orlib_cap": 37, "orlib_uncap": 12, "orlib_pmed": 40}
    cap = orlib.read_cflp(orlib.INSTANCES_DIR / "orlib_cap" / "cap41.txt")
    assert (cap.m, cap.n) == (16, 50)
    assert cap.fixed_cost[10] == 0.0  # cap41 has one free facility
    pmed = orlib.read_pmed(orlib.INSTANCES_DIR / "orlib_pmed" / "pmed1.txt")
    assert (pmed.n, pmed.p) == (100, 5)
    assert np.isfinite(pmed.distance).all()
    assert optima[("orlib_pmed", "pmed1")].value == 5819


def test_optima_rows_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "optima.csv"
    path.write_text("set,instance,known_value,is_optimal,source\nx,a,abc,yes,s\nx,b,1,maybe,s\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        orlib.read_optima(path)
    assert "optima.csv row 2, field 'known_value': expected a number, got 'abc'" in str(info.value)
    assert "optima.csv row 3, field 'is_optimal': expected yes or no, got 'maybe'" in str(info.value)
