"""Cohort retirement forecast of wind and PV equipment (退役风电光伏设备预测).

Formulation
-----------
Each plant is a cohort of capacity C (MW) installed in year c. Its equipment of
class k (PV modules; wind blades; towers, nacelles and hubs) has mass
M_k = C · m_k(c) tonnes, with m_k the mass per MW of the cohort. The age at
retirement follows a survival model with cumulative failure F(t):

* PV: Weibull F(t) = 1 − exp(−(t/β)^α), β = 30 yr, α = 5.3759 (regular loss) or
  2.4928 (early loss) — IRENA & IEA-PVPS (2016), *End-of-Life Management: Solar
  Photovoltaic Panels*, IRENA/IEA-PVPS Task 12, Table 3.
* Wind: Normal(design life L, σ) truncated at 0 (default L = 20 yr, σ = 3 yr), or a
  Weibull with shape α_w and scale L / Γ(1 + 1/α_w) (mean L).

Tonnes retired in year y are M_k · (F(y − c) − F(y − 1 − c)) / (1 − F(a₀)), where a₀ is
the cohort's age in the year it is known to be standing (``ForecastParams.alive_in_year``
for operating plants; 0 otherwise), and retirements before that year are zero. Summed
over all years the fractions telescope to 1, so installed mass is conserved.

Repowering: a share r of each wind cohort is repowered at age L: that share's whole
mass retires in year c + L (if it has not yet failed: the share applies to the
survivors at that age), and optionally a new cohort of the same MW starts then.

Mass per MW: PV from NREL PV_ICE baselines (``network.bases_params.pv_t_per_mw``);
blades 10 t/MW (Liu & Barlow 2017, *Waste Management* 62:229–240); towers, nacelles
and hubs 95 t/MW (stated assumption from 2 MW turbine LCAs). See ``docs/bases.md``.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from network.admin import Plant
from network.bases_params import ForecastParams, pv_t_per_mw
from network.errors import InputError
from network.streams import MaterialStream

PV = MaterialStream.PV_MODULES
BLADES = MaterialStream.WIND_BLADES
STEEL = MaterialStream.TOWERS_STEEL


def weibull_cdf(t: float, *, alpha: float, beta: float) -> float:
    """Weibull cumulative failure F(t) = 1 − exp(−(t/β)^α); 0 for t ≤ 0."""
    if t <= 0:
        return 0.0
    return 1.0 - math.exp(-((t / beta) ** alpha))


def normal_cdf_truncated(t: float, *, mean: float, sd: float) -> float:
    """Normal(mean, sd) cumulative distribution truncated to t > 0 (so F(0) = 0)."""
    if t <= 0:
        return 0.0
    low = 0.5 * (1.0 + math.erf((0.0 - mean) / (sd * math.sqrt(2.0))))
    cdf = 0.5 * (1.0 + math.erf((t - mean) / (sd * math.sqrt(2.0))))
    return (cdf - low) / (1.0 - low)


def failure_cdf(technology: str, age_yr: float, params: ForecastParams) -> float:
    """Cumulative share of a cohort failed at ``age_yr`` (years) for ``wind`` or ``solar``.

    Raises
    ------
    InputError
        If ``technology`` is neither wind nor solar.
    """
    if technology == "solar":
        return weibull_cdf(age_yr, alpha=params.pv_alpha, beta=params.pv_weibull_beta_yr)
    if technology == "wind":
        if params.wind_life_model == "normal":
            return normal_cdf_truncated(age_yr, mean=params.wind_design_life_yr, sd=params.wind_life_sd_yr)
        alpha = params.wind_weibull_alpha
        beta = params.wind_design_life_yr / math.gamma(1.0 + 1.0 / alpha)
        return weibull_cdf(age_yr, alpha=alpha, beta=beta)
    raise InputError(f"technology {technology!r}: expected wind or solar")


def mass_t_per_mw(technology: str, cohort_year: int, params: ForecastParams) -> dict[MaterialStream, float]:
    """Equipment mass per MW by class for a cohort, t/MW."""
    if technology == "solar":
        return {PV: pv_t_per_mw(cohort_year, params.pv_mass_anchors)}
    return {BLADES: params.blade_t_per_mw, STEEL: params.tower_nacelle_t_per_mw}


@dataclass(frozen=True, slots=True)
class ForecastRow:
    """Tonnes of one equipment class retiring in one county in one year."""

    year: int
    county_code: str
    prefecture_code: str
    stream: MaterialStream
    t: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """The retirement forecast: tidy rows (year, county, prefecture, class, t).

    ``installed_t`` is the equipment mass of all cohorts (including repowered ones),
    ``beyond_t`` the part that retires after ``end_year``.
    """

    rows: tuple[ForecastRow, ...]
    start_year: int
    end_year: int
    installed_t: float
    beyond_t: float
    params: ForecastParams

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.end_year + 1))

    def total_t(self, *, year: int | None = None, stream: MaterialStream | None = None,
                county_code: str | None = None, prefecture_code: str | None = None) -> float:
        """Tonnes retired, filtered by any of year, class, county and prefecture."""
        return sum(r.t for r in self.rows
                   if (year is None or r.year == year) and (stream is None or r.stream is stream)
                   and (county_code is None or r.county_code == county_code)
                   and (prefecture_code is None or r.prefecture_code == prefecture_code))

    def by_prefecture(self, years: Sequence[int]) -> dict[str, dict[int, float]]:
        """``{prefecture_code: {year: t}}`` for the given years, all classes."""
        out: dict[str, dict[int, float]] = defaultdict(lambda: dict.fromkeys(years, 0.0))
        wanted = set(years)
        for r in self.rows:
            if r.year in wanted:
                out[r.prefecture_code][r.year] += r.t
        return dict(out)

    def counties(self) -> tuple[str, ...]:
        return tuple(sorted({r.county_code for r in self.rows}))


def plant_retirements(plant: Plant, params: ForecastParams, *, last_year: int
                      ) -> tuple[dict[tuple[int, MaterialStream], float], float]:
    """Tonnes retiring per (year, class) from one plant up to ``last_year``, and installed mass.

    Retirements come from the first year the plant is not known to be standing on;
    with repowering, the repowered share retires at the design life and (optionally)
    a new cohort starts then.
    """
    out: dict[tuple[int, MaterialStream], float] = defaultdict(float)
    installed = 0.0
    cohorts = [(plant.commissioning_year, 1.0, plant.status == "operating", True)]
    while cohorts:
        year0, share, observed, may_repower = cohorts.pop()
        per_mw = mass_t_per_mw(plant.technology, year0, params)
        mass = {k: plant.capacity_mw * share * v for k, v in per_mw.items()}
        installed += sum(mass.values())
        first = year0 + 1
        condition = 1.0
        if observed and params.observed_year >= year0:
            first = max(first, params.observed_year + 1)
            condition = 1.0 - failure_cdf(plant.technology, params.observed_year - year0, params)
        repower_year = None
        if (plant.technology == "wind" and may_repower and params.wind_repower_share > 0):
            repower_year = year0 + round(params.wind_design_life_yr)
            repower_year = max(repower_year, first)
        fractions: dict[int, float] = {}
        if condition <= 1e-12:  # all failed by the observed year yet still standing: retire now
            fractions[first] = 1.0
        else:
            prev = failure_cdf(plant.technology, first - 1 - year0, params)
            for y in range(first, last_year + 1):
                cur = failure_cdf(plant.technology, y - year0, params)
                fractions[y] = (cur - prev) / condition
                prev = cur
        if repower_year is not None:
            r = params.wind_repower_share
            # Before repowering, all of the cohort follows the curve; at it, a share r
            # of the survivors goes at once and the rest keeps following the curve.
            before = sum(f for y, f in fractions.items() if y < repower_year)
            survivors = max(0.0, 1.0 - before)
            fractions = {y: (f if y < repower_year else f * (1 - r)) for y, f in fractions.items()}
            fractions[repower_year] = fractions.get(repower_year, 0.0) + r * survivors
            if params.wind_repower_new_cohort:
                cohorts.append((repower_year, share * r * survivors, False, False))
        for y, f in fractions.items():
            if f > 0:
                for k, m in mass.items():
                    out[(y, k)] += m * f
    return dict(out), installed


def forecast_retirements(plants: Iterable[Plant], *, params: ForecastParams = ForecastParams()) -> Forecast:
    """Tonnes of retired equipment per year, county and class, ``start_year``–``end_year``.

    Parameters
    ----------
    plants
        Wind and solar plants (capacity MW, commissioning year, status, county).
    params
        Survival models, mass per MW, repowering and the horizon.

    Returns
    -------
    Forecast
        Tidy rows (year, county_code, prefecture_code, stream, t) with t > 0, years
        ``start_year``–``end_year``; retirements after ``end_year`` are counted in ``beyond_t``.

    Raises
    ------
    InputError
        If a plant's technology is neither wind nor solar.
    """
    horizon_end = params.end_year + 200  # far enough for every curve's tail
    table: dict[tuple[int, str, str, MaterialStream], float] = defaultdict(float)
    installed = 0.0
    beyond = 0.0
    for plant in plants:
        by_year, mass = plant_retirements(plant, params, last_year=horizon_end)
        installed += mass
        for (y, stream), t in by_year.items():
            if y > params.end_year:
                beyond += t
            elif y >= params.start_year:
                table[(y, plant.county_code, plant.prefecture_code, stream)] += t
    rows = tuple(ForecastRow(y, c, p, s, t) for (y, c, p, s), t in sorted(table.items()) if t > 1e-9)
    return Forecast(rows, params.start_year, params.end_year, installed, beyond, params)


def forecast_records(forecast: Forecast, *, prefecture_names: Mapping[str, str] | None = None,
                     county_names: Mapping[str, str] | None = None) -> list[dict[str, object]]:
    """The forecast as plain records for tables (Chinese and English column names)."""
    prefecture_names = prefecture_names or {}
    county_names = county_names or {}
    return [{"year 年份": r.year, "county_code 县代码": r.county_code,
             "county 县": county_names.get(r.county_code, r.county_code),
             "prefecture 地市": prefecture_names.get(r.prefecture_code, r.prefecture_code),
             "class 类别": r.stream.label, "t 吨": round(r.t, 3)} for r in forecast.rows]


def write_forecast_chart(forecast: Forecast, path: Path, *, title: str = "",
                         prefecture_names: Mapping[str, str] | None = None) -> None:
    """Stacked bars of tonnes retired per year by class, and lines per prefecture, as a PNG (atomic).

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("Noto Sans CJK", "WenQuanYi", "SimHei", "Source Han", "AR PL"))]
    use_zh = bool(cjk)
    rc = {"font.family": [cjk[0], "DejaVu Sans"]} if use_zh else {}
    prefecture_names = prefecture_names or {}
    years = list(forecast.years)
    with plt.rc_context(rc):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
        bottom = [0.0] * len(years)
        colours = {PV: "#f2b701", BLADES: "#3969ac", STEEL: "#7f7f7f"}
        for stream in (STEEL, BLADES, PV):
            values = [forecast.total_t(year=y, stream=stream) / 1000 for y in years]
            label = stream.label if use_zh else stream.value.replace("_", " ")
            ax1.bar(years, values, bottom=bottom, color=colours[stream], label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax1.set_xlabel("year 年份" if use_zh else "year")
        ax1.set_ylabel("kt retired per year 千吨/年" if use_zh else "kt retired per year")
        ax1.legend()
        ax1.set_title(title or ("Retirements by class 按类别" if use_zh else "Retirements by class"))
        per_pref = forecast.by_prefecture(years)
        for code, series in sorted(per_pref.items()):
            name = prefecture_names.get(code, code)
            ax2.plot(years, [series[y] / 1000 for y in years], marker="o", ms=3,
                     label=name if use_zh else code)
        ax2.set_xlabel("year 年份" if use_zh else "year")
        ax2.set_ylabel("kt per year 千吨/年" if use_zh else "kt per year")
        ax2.set_title("By prefecture 按地市" if use_zh else "By prefecture")
        ax2.legend(fontsize=8)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        plt.close(fig)
    write_bytes_atomic(Path(path), buffer.getvalue())


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp leaves 0600; give the usual new-file mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
