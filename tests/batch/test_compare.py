"""Comparison of a batch: sorting, best mark, Pareto sets, HTML links, Excel sheets."""

from __future__ import annotations

from pathlib import Path

from batch.compare import kpi_table, pareto_mask, ranking_notes, write_comparison


def _manifest(name: str, total: float, coverage: float, co2: float, *, passed: bool = True,
              files: tuple[str, ...] = ("plan.json", "map.html")) -> dict:
    return {"name": name, "status": "ok", "check": {"passed": passed, "violations": [] if passed else ["x"]},
            "costs_cny": {"total": total, "fixed": total / 2, "transport": total / 2},
            "kpis": {"coverage_share": coverage, "co2_t": co2, "t_km": co2 * 1000, "open_collection_point": 3},
            "solve": {"status": "optimal", "gap": 0.0}, "timings_s": {"total": 1.0},
            "parameters": {"overrides": {"params.x": 1}, "params": {"x": 1}, "cost_overrides": {}},
            "files": [{"path": f} for f in files]}


MANIFESTS = {
    "aaa": _manifest("A", 100.0, 0.90, 50.0),   # cheapest: best, on both fronts
    "bbb": _manifest("B", 120.0, 0.95, 60.0),   # more coverage for more money: on the coverage front
    "ccc": _manifest("C", 130.0, 0.90, 40.0),   # less CO2 for more money: on the CO2 front
    "ddd": _manifest("D", 140.0, 0.85, 70.0),   # dominated on both
    "eee": _manifest("E", 90.0, 1.00, 10.0, passed=False),  # cheaper but fails the checker: not usable
    "fff": {"name": "F", "status": "failed", "error": {"type": "InfeasibleError", "message": "no plan"},
            "parameters": {}, "timings_s": {"total": 0.1}, "files": []},
}


def test_pareto_mask_by_hand() -> None:
    # (cost, other) both minimised; (2, 2) is dominated by (1, 2); the unusable (0, 0) takes no part.
    assert pareto_mask([1, 2, 3, 0], [2, 2, 1, 0], [True, True, True, False]) == [True, False, True, False]


def test_table_sorted_best_marked_and_fronts() -> None:
    frame = kpi_table(MANIFESTS)
    assert list(frame["name"]) == ["A", "B", "C", "D", "E", "F"]  # usable by cost, then the rest
    assert list(frame["best"]) == ["★", "", "", "", "", ""]
    assert list(frame["pareto_coverage"]) == [True, True, False, False, False, False]
    assert list(frame["pareto_co2"]) == [True, False, True, False, False, False]
    assert frame.loc[5, "status"] == "failed"


def test_comparison_files(tmp_path: Path) -> None:
    files = write_comparison(tmp_path, MANIFESTS, title="demo")
    page = files["html"].read_text(encoding="utf-8")
    assert 'href="aaa/map.html"' in page and 'href="aaa/plan.json"' in page
    assert "InfeasibleError: no plan" in page
    assert 'src="pareto.png"' in page
    assert files["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from openpyxl import load_workbook

    wb = load_workbook(files["excel"], read_only=True)
    assert wb.sheetnames == ["指标对比 KPIs", "帕累托 Pareto", "参数 Parameters", "错误 Errors"]
    rows = list(wb["帕累托 Pareto"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["A", "B", "C"]


def _bounded(name: str, total: float, bound: float) -> dict:
    m = _manifest(name, total, 1.0, 10.0)
    m["solve"] = {"status": "time_limit", "bound": bound, "gap": (total - bound) / total}
    return m


def test_differences_within_the_gaps_are_not_significant() -> None:
    # Optima lie in [bound, cost]: A [95, 100], B [99, 102] overlap with A; C [103, 110] is above A and B.
    frame = kpi_table({"a": _bounded("A", 100.0, 95.0), "b": _bounded("B", 102.0, 99.0),
                       "c": _bounded("C", 110.0, 103.0), "d": _bounded("D", 111.0, 104.0)})
    assert list(frame["vs_above"]) == ["", "不显著 not significant", "显著 significant", "不显著 not significant"]
    notes = ranking_notes(frame)
    assert len(notes) == 2
    assert "Rows 1–2 (A, B)" in notes[0] and "not significant" in notes[0]
    assert "Rows 3–4 (C, D)" in notes[1]


def test_every_step_proven_says_so_and_the_page_carries_the_words(tmp_path: Path) -> None:
    manifests = {"a": _bounded("A", 100.0, 99.0), "b": _bounded("B", 120.0, 119.0)}
    frame = kpi_table(manifests)
    assert list(frame["vs_above"]) == ["", "显著 significant"]
    assert ranking_notes(frame) == ["每一步差别均显著。 Every step of the ranking is significant: each plan costs "
                                    "less than the proven bound of the next."]
    page = write_comparison(tmp_path, {"a": _bounded("A", 100.0, 95.0), "b": _bounded("B", 102.0, 99.0)},
                            title="t")["html"].read_text(encoding="utf-8")
    assert "their order is not significant" in page and "不显著 not significant" in page
