"""solve.py plan --deterministic: two runs, the same plan.json, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app


def test_two_deterministic_runs_write_identical_plans(tmp_path: Path) -> None:
    # 1.5 work seconds end Hami's solve on its limit (not at a proven optimum), where wall-clock runs differ.
    runner = CliRunner()
    plans = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(app, ["plan", "--region", "hami", "--time-limit", "1.5", "--deterministic",
                                     "--travel", "circuity", "--out", str(out)])
        assert result.exit_code == 0, result.output
        plans.append((out / "plan.json").read_bytes())
    assert plans[0] == plans[1]
    solve = json.loads(plans[0])["solve"]
    assert solve["status"] == "time_limit" and solve["gap"] > 0
