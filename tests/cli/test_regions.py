"""The regions and inspect subcommands, run in-process."""

from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from network.errors import InputError

runner = CliRunner()


def test_regions_lists_hami_and_datong_with_counts() -> None:
    result = runner.invoke(app, ["regions"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "hami" in result.output and "datong" in result.output and "1,827" in result.output


def test_inspect_datong_prints_the_nbs_counts_and_the_travel_model(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", "--region", "datong"],
                           env={"COLUMNS": "200", "HUISHOU_CACHE_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "10 / 127" in result.output and "1,827" in result.output
    assert "circuity 1.25" in result.output  # no cached road graph: says so


def test_inspect_user_files_reports_bad_rows(tmp_path: Path) -> None:
    villages = tmp_path / "villages.csv"
    villages.write_text("village_id,name,county_code,township_code,lon,lat,settlement,households\n"
                        "v1,甲村,650502,650502100,93.5,42.8,rural,-4\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", "--villages", str(villages), "--crs", "gcj02"])
    assert isinstance(result.exception, InputError)
    assert "villages.csv row 2, field 'households'" in str(result.exception)
    villages.write_text(villages.read_text(encoding="utf-8").replace("-4", "40"), encoding="utf-8")
    result = runner.invoke(app, ["inspect", "--villages", str(villages), "--crs", "gcj02"],
                           env={"COLUMNS": "200", "HUISHOU_CACHE_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
