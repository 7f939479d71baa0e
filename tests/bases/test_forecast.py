"""Retirement forecast: IRENA Weibull curves, mass conservation, repowering."""

from __future__ import annotations

import math

import pytest

from network.admin import Plant
from network.bases_params import ForecastParams, pv_t_per_mw
from network.errors import InputError
from network.streams import MaterialStream
from solver.bases.forecast import (
    failure_cdf,
    forecast_records,
    forecast_retirements,
    plant_retirements,
    weibull_cdf,
    write_forecast_chart,
)

# IRENA & IEA-PVPS (2016): beta = 30 yr. By hand, F(t) = 1 - exp(-(t/30)^alpha):
#   alpha 5.3759: (10/30)^a = exp(5.3759 * ln(1/3)) = exp(-5.9060) = 0.002723 -> F = 0.002719
#                 (20/30)^a = exp(5.3759 * -0.405465) = exp(-2.17973) = 0.113071 -> F = 0.106913
#                 (30/30)^a = 1 -> F = 1 - 1/e = 0.632121
#                 (40/30)^a = exp(5.3759 * 0.287682) = exp(1.54657) = 4.695244 -> F = 0.990861
#   alpha 2.4928: 0.064659 -> 0.062613; 0.363948 -> 0.305073; 1 -> 0.632121; 2.048553 -> 0.871079
IRENA_REGULAR = {10: 0.002719, 20: 0.106913, 30: 0.632121, 40: 0.990861}
IRENA_EARLY = {10: 0.062613, 20: 0.305073, 30: 0.632121, 40: 0.871079}


@pytest.mark.parametrize(("scenario", "expected"), [("regular", IRENA_REGULAR), ("early", IRENA_EARLY)])
def test_pv_weibull_reproduces_irena_curves(scenario: str, expected: dict[int, float]) -> None:
    params = ForecastParams(pv_loss_scenario=scenario)
    for age, share in expected.items():
        assert failure_cdf("solar", age, params) == pytest.approx(share, abs=2e-6)
    assert weibull_cdf(0, alpha=2.0, beta=30.0) == 0.0


def _plant(pid: str, tech: str, mw: float, year: int, status: str = "construction") -> Plant:
    return Plant(pid, pid, tech, mw, year, status, 93.5, 42.8, "650502", "6505", "test")


def test_pv_mass_per_mw_by_cohort() -> None:
    assert pv_t_per_mw(2000) == pytest.approx(12.0 / 0.13)  # 92.3 t/MW
    assert pv_t_per_mw(2020) == pytest.approx(11.5 / 0.195)  # 59.0 t/MW
    # Linear in mass and efficiency between anchors: 2012 = 2/5 of the way from 2010 to 2015.
    assert pv_t_per_mw(2012) == pytest.approx((11.8 + 0.4 * (11.6 - 11.8)) / (0.15 + 0.4 * 0.015))
    assert pv_t_per_mw(1990) == pv_t_per_mw(2000)


def test_mass_is_conserved_over_a_long_horizon() -> None:
    plants = [_plant("w1", "wind", 100.0, 2010, "operating"), _plant("s1", "solar", 50.0, 2015, "operating"),
              _plant("w2", "wind", 49.5, 2024), _plant("s2", "solar", 20.0, 2026)]
    params = ForecastParams(start_year=2025, end_year=2200)
    forecast = forecast_retirements(plants, params=params)
    installed = 149.5 * (10 + 95) + 50 * pv_t_per_mw(2015) + 20 * pv_t_per_mw(2026)
    assert forecast.installed_t == pytest.approx(installed)
    assert forecast.total_t() + forecast.beyond_t == pytest.approx(installed, rel=1e-9)
    assert forecast.beyond_t < 1e-6 * installed
    # Operating plants are known to stand in 2024: nothing retires before 2025.
    assert min(r.year for r in forecast.rows) >= 2025
    # Blades and steel keep the ratio 10 : 95.
    blades = forecast.total_t(stream=MaterialStream.WIND_BLADES)
    steel = forecast.total_t(stream=MaterialStream.TOWERS_STEEL)
    assert steel / blades == pytest.approx(9.5)


def test_wind_normal_life_is_centred_on_the_design_life() -> None:
    params = ForecastParams(start_year=2025, end_year=2100, wind_design_life_yr=25, wind_life_sd_yr=3)
    by_year, mass = plant_retirements(_plant("w", "wind", 10.0, 2030), params, last_year=2100)
    years = {y: t for (y, s), t in by_year.items() if s is MaterialStream.WIND_BLADES}
    assert max(years, key=years.get) in (2054, 2055, 2056)
    # Truncated normal: F(25) = 0.5 up to the truncation below 0 (negligible at 8 sd).
    assert failure_cdf("wind", 25, params) == pytest.approx(0.5, abs=1e-9)
    weib = ForecastParams(wind_life_model="weibull", wind_weibull_alpha=5.0, wind_design_life_yr=20)
    beta = 20 / math.gamma(1.2)
    assert failure_cdf("wind", 20, weib) == pytest.approx(1 - math.exp(-((20 / beta) ** 5)))


def test_repowering_retires_the_share_at_the_design_life_and_starts_a_new_cohort() -> None:
    plant = _plant("w", "wind", 100.0, 2030)
    base = ForecastParams(start_year=2025, end_year=2300, wind_life_sd_yr=3.0)
    half = ForecastParams(start_year=2025, end_year=2300, wind_life_sd_yr=3.0, wind_repower_share=0.5)
    only = ForecastParams(start_year=2025, end_year=2300, wind_life_sd_yr=3.0, wind_repower_share=0.5,
                          wind_repower_new_cohort=False)
    plain, m0 = plant_retirements(plant, base, last_year=2300)
    rep, m1 = plant_retirements(plant, half, last_year=2300)
    rep_only, m2 = plant_retirements(plant, only, last_year=2300)
    at = 2050  # 2030 + 20
    failed_before = failure_cdf("wind", 19, base)  # share failed by the end of 2049
    blades = MaterialStream.WIND_BLADES
    expected = 1000 * (0.5 * (failure_cdf("wind", 20, base) - failed_before) + 0.5 * (1 - failed_before))
    assert rep_only[(at, blades)] == pytest.approx(expected)
    assert rep_only[(at, blades)] > 2 * plain[(at, blades)]
    # Without a new cohort mass is the same; with it, the repowered MW is installed again.
    assert m2 == pytest.approx(m0)
    assert m1 == pytest.approx(m0 * (1 + 0.5 * (1 - failed_before)))
    assert sum(rep.values()) == pytest.approx(m1)
    assert sum(rep_only.values()) == pytest.approx(m0)
    # The new cohort's blades retire around 2070.
    assert sum(t for (y, s), t in rep.items() if s is blades and y > 2062) > 0.4 * 1000 * 0.5


def test_forecast_table_and_chart(tmp_path) -> None:
    plants = [_plant("w1", "wind", 100.0, 2008, "operating"), _plant("s1", "solar", 50.0, 2012, "operating")]
    forecast = forecast_retirements(plants)
    assert forecast.years[0] == 2025 and forecast.years[-1] == 2050
    records = forecast_records(forecast, prefecture_names={"6505": "哈密市"})
    assert records and records[0]["prefecture 地市"] == "哈密市"
    assert sum(r["t 吨"] for r in records) == pytest.approx(forecast.total_t(), abs=0.01 * len(records))
    assert forecast.by_prefecture([2030])["6505"][2030] == pytest.approx(forecast.total_t(year=2030))
    path = tmp_path / "chart.png"
    write_forecast_chart(forecast, path)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_bad_parameters_and_technology() -> None:
    with pytest.raises(InputError, match="pv_loss_scenario"):
        ForecastParams(pv_loss_scenario="late")
    with pytest.raises(InputError, match="wind_repower_share"):
        ForecastParams(wind_repower_share=1.5)
    with pytest.raises(InputError, match="expected wind or solar"):
        failure_cdf("hydro", 10, ForecastParams())


def test_parameters_round_trip_and_load_from_a_table() -> None:
    from network.bases_params import BasesParams
    from network.params import params_from_mapping, params_to_mapping

    for cls in (ForecastParams, BasesParams):
        assert params_from_mapping(cls, params_to_mapping(cls()), source="x") == cls()
    custom = params_from_mapping(ForecastParams, {"pv_mass_anchors": [[2000, 12, 0.13], [2020, 11.5, 0.195]],
                                                  "wind_design_life_yr": 25}, source="p.toml [forecast]")
    assert pv_t_per_mw(2010, custom.pv_mass_anchors) == pytest.approx(11.75 / 0.1625)
    with pytest.raises(InputError, match="p.toml: key 'period_start' is unknown"):
        params_from_mapping(BasesParams, {"period_start": [2025]}, source="p.toml")
