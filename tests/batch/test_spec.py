"""Batch files expand into scenarios: grids, variants, explicit lists, stable ids, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.excel import read_batch_excel, write_template
from batch.read import read_batch
from batch.spec import parse_batch
from network import InputError

TINY = "tests.batch.test_tinymodel:TINY"
BASE = {"model": TINY, "region": "tiny", "time_limit_s": 5}


def test_grid_is_crossed_with_every_variant_and_explicit_scenarios_are_added() -> None:
    spec = parse_batch({
        "name": "sweep",
        "base": BASE,
        "grid": {"params.fixed_cost_cny": [50, 100, 200], "params.rate_cny_per_t_km": [1, 2]},
        "variants": [{"name": "plain"}, {"name": "slow", "params": {"delay_s": 0.1}}],
        "scenarios": [{"name": "boom", "params.fail": True}],
    }, source="sweep.toml")
    assert spec.name == "sweep"
    assert len(spec.scenarios) == 2 * 3 * 2 + 1
    names = [s.name for s in spec.scenarios]
    assert names[0] == "plain | fixed_cost_cny=50, rate_cny_per_t_km=1"
    assert names[-1] == "boom"
    slow = [s for s in spec.scenarios if s.name.startswith("slow")]
    assert {s.params["delay_s"] for s in slow} == {0.1}
    assert {(s.params["fixed_cost_cny"], s.params["rate_cny_per_t_km"]) for s in slow} == {
        (f, r) for f in (50.0, 100.0, 200.0) for r in (1.0, 2.0)}
    boom = spec.scenarios[-1]
    assert boom.params["fail"] is True and boom.params["fixed_cost_cny"] == 100.0  # base, not the grid
    assert len({s.scenario_id for s in spec.scenarios}) == len(spec.scenarios)


def test_ids_depend_on_content_only() -> None:
    a = parse_batch({"base": BASE, "grid": {"params.fixed_cost_cny": [50, 100]}}, source="a.toml")
    # Same content written differently: explicit scenarios, other order, 100 as a float,
    # and a default value spelled out.
    b = parse_batch({"base": {**BASE, "params": {"rate_cny_per_t_km": 2.0}},
                     "scenarios": [{"name": "x", "params.fixed_cost_cny": 100.0},
                                   {"name": "y", "params": {"fixed_cost_cny": 50}}]}, source="b.yaml")
    assert sorted(s.scenario_id for s in a.scenarios) == sorted(s.scenario_id for s in b.scenarios)
    c = parse_batch({"base": {**BASE, "seed": 1}, "grid": {"params.fixed_cost_cny": [50, 100]}}, source="c")
    assert not {s.scenario_id for s in a.scenarios} & {s.scenario_id for s in c.scenarios}
    assert all(len(s.scenario_id) == 12 and int(s.scenario_id, 16) >= 0 for s in a.scenarios)


def test_model_seed_time_limit_and_threads_reach_the_model_params() -> None:
    spec = parse_batch({"base": {**BASE, "seed": 3, "time_limit_s": 7}}, source="x.toml")
    params = spec.scenarios[0].params
    assert (params["seed"], params["time_limit_s"], params["threads"]) == (3, 7.0, 1)


def test_cost_overrides_merge_into_mapping_fields() -> None:
    spec = parse_batch({"base": BASE, "grid": {
        "costs.transport_rate_cny_per_t_km.village_to_point": [1.5, 3]}}, source="x.toml")
    assert [s.cost_overrides for s in spec.scenarios] == [
        {"transport_rate_cny_per_t_km.village_to_point": 1.5},
        {"transport_rate_cny_per_t_km.village_to_point": 3.0}]


def test_unknown_keys_are_named_with_the_file_all_at_once() -> None:
    with pytest.raises(InputError) as info:
        parse_batch({"base": {**BASE, "regoin": "hami"},
                     "variants": [{"name": "v", "params": {"fixed_cost": 1}},
                                  {"name": "w", "costs": {"discount_rat": 0.1}}],
                     "grids": {}}, source="sweep.toml")
    text = str(info.value)
    assert "sweep.toml: section 'grids' is unknown" in text
    assert "sweep.toml section base: key 'regoin' is unknown" in text
    with pytest.raises(InputError) as info:
        parse_batch({"base": BASE, "variants": [{"name": "v", "params": {"fixed_cost": 1}},
                                                {"name": "w", "costs": {"discount_rat": 0.1}}]},
                    source="sweep.toml")
    text = str(info.value)
    assert "sweep.toml variant 'v' params: key 'fixed_cost' is unknown" in text
    assert "sweep.toml variant 'w' costs: key 'discount_rat' is unknown" in text


def test_wrong_values_conflicts_and_duplicates_are_errors() -> None:
    with pytest.raises(InputError, match=r"field 'time_limit_s': expected a positive number"):
        parse_batch({"base": {**BASE, "time_limit_s": 0}}, source="x.toml")
    with pytest.raises(InputError, match=r"key 'fixed_cost_cny': expected a number, got 'cheap'"):
        parse_batch({"base": BASE, "grid": {"params.fixed_cost_cny": ["cheap"]}}, source="x.toml")
    with pytest.raises(InputError, match=r"'v' field 'params.fixed_cost_cny': is also swept in the grid section"):
        parse_batch({"base": BASE, "grid": {"params.fixed_cost_cny": [1, 2]},
                     "variants": [{"name": "v", "params.fixed_cost_cny": 3}]}, source="x.toml")
    with pytest.raises(InputError, match=r"scenario 'b' has the same content as 'a'"):
        parse_batch({"base": BASE, "scenarios": [{"name": "a"}, {"name": "b"}]}, source="x.toml")
    with pytest.raises(InputError, match=r"field 'model': unknown model 'nope'"):
        parse_batch({"base": {**BASE, "model": "nope"}}, source="x.toml")


def test_toml_and_yaml_files_read_alike(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text(f'name = "s"\n[base]\nmodel = "{TINY}"\nregion = "tiny"\n'
                    '[grid]\n"params.fixed_cost_cny" = [50, 100]\n', encoding="utf-8")
    yaml = tmp_path / "s.yaml"
    yaml.write_text(f"name: s\nbase: {{model: '{TINY}', region: tiny}}\n"
                    "grid: {params.fixed_cost_cny: [50, 100]}\n", encoding="utf-8")
    assert [s.scenario_id for s in read_batch(toml).scenarios] == [s.scenario_id for s in read_batch(yaml).scenarios]
    bad = tmp_path / "bad.toml"
    bad.write_text("[base\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.toml: not valid TOML"):
        read_batch(bad)


def test_excel_template_round_trips_and_names_bad_rows(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    spec = read_batch_excel(path)
    # 2 grid values × 2 variants + 1 explicit scenario
    assert len(spec.scenarios) == 5
    assert spec.name == "my-batch"
    assert {s.model for s in spec.scenarios} == {"network"}
    shared = [s for s in spec.scenarios if s.name.startswith("两网融合")]
    assert {s.params["min_shared_point_share"] for s in shared} == {0.3}
    assert {s.cost_overrides["mobile_visit_cost_cny"] for s in shared} == {80.0, 160.0}
    explicit = [s for s in spec.scenarios if s.name == "无流动收运 no mobile"]
    assert explicit[0].params["allow_mobile_collection"] is False

    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["基础参数 base"].append(["params.k_nearst", 3, ""])
    wb.save(path)
    with pytest.raises(InputError, match=r"template.xlsx section base params: key 'k_nearst' is unknown"):
        read_batch_excel(path)
    wb["变化 variations"].append(["sweep", "x", "params.k_nearest", 3])
    wb["变化 variations"].append(["variant", None, "params.k_nearest", 3])
    wb.save(path)
    with pytest.raises(InputError) as info:
        read_batch_excel(path)
    text = str(info.value)
    assert "template.xlsx sheet '变化 variations' row 6, field '类型 type': expected one of" in text
    assert "template.xlsx sheet '变化 variations' row 7, field '名称 name': a variant row needs a name" in text


def test_shipped_examples_expand(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "batch" / "examples"
    sweep = read_batch(examples / "hami_sweep.toml")
    assert len(sweep.scenarios) >= 12
    assert {s.region for s in sweep.scenarios} == {"hami"} and {s.model for s in sweep.scenarios} == {"network"}
    assert all(s.params["threads"] == 1 for s in sweep.scenarios)
    shipped = read_batch(examples / "batch_template.xlsx")
    fresh = read_batch_excel(write_template(tmp_path / "fresh.xlsx"))
    assert [s.scenario_id for s in shipped.scenarios] == [s.scenario_id for s in fresh.scenarios]


def test_cli_writes_the_template_and_reports_a_bad_batch_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["batch", "--template", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0, result.output
    assert len(read_batch(tmp_path / "t.xlsx").scenarios) == 5
    bad = tmp_path / "bad.toml"
    bad.write_text('[base]\nregoin = "hami"\n', encoding="utf-8")
    result = runner.invoke(app, ["batch", str(bad)])
    assert isinstance(result.exception, InputError)
    assert "bad.toml section base: key 'regoin' is unknown" in str(result.exception)
