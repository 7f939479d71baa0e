"""Wind and PV plant inventory from the bundled GEM, WRI and OSM files (user lists: ``geodata.user_plants``).

Sources (attribution carried into every plan and report that uses them):

* **GEM** Global Wind Power Tracker, Global Energy Monitor, May 2023 release (CC BY 4.0):
  the primary wind source, one row per project phase.
* **WRI** Global Power Plant Database 1.3.0 (Global Energy Observatory, Google, KTH,
  Enipedia, World Resources Institute, 2018; CC BY 4.0): a cross-check for wind and the
  point source for solar. It has no commissioning dates.
* **OSM** solar plant polygons, © OpenStreetMap contributors (ODbL), extract by
  OpenQGIS/OMap-GeoDB: solar plants not in WRI.

Rules (documented in ``docs/bases.md``):

1. **Wrong rows.** A GEM row with ``coord_in_labelled_province`` False (its coordinates
   lie in another province, e.g. Shanxi Pinglu Wolongdong at 24.79 N in Guangdong) is
   excluded and listed with reason ``coord_outside_labelled_province``. GEM ``retired``
   phases are excluded (already gone) unless their status is asked for.
2. **Missing commissioning years** (``commissioning_year_imputed=True``):
   GEM ``operating`` → median start year of the operating phases of the same
   prefecture (whole file if none); ``construction`` → 2024; ``pre-construction`` → 2026;
   ``announced`` → 2027; ``shelved`` → 2028. WRI rows (all undated; most are CDM
   projects registered 2006–2013) → 2010, the midpoint of that window. OSM solar
   polygons (undated, mapped by 2025) → 2017, the middle of China's 2013–2021
   utility-PV build-out. All are stated assumptions.
3. **Duplicates.** A WRI wind row within 15 km of a GEM phase whose capacity is within
   ±30 % (or ±10 MW) is the same farm: GEM is kept and flagged ``wri_match:<id>``, the WRI
   row is excluded (``duplicate_of_gem``). WRI wind rows with no GEM match are excluded
   too (``wri_wind_not_in_gem``): GEM tracks every phase ≥ 10 MW, so an unmatched CDM-era
   WRI row is more likely a GEM phase under another name or location than a missing farm;
   pass ``include_unmatched_wri_wind=True`` to keep them (flagged). An OSM solar polygon
   whose representative point is within 5 km of a WRI solar point is the same plant: WRI
   is kept (it has a capacity) and flagged ``osm_match``, the OSM row is excluded.
4. **OSM capacity.** From the ``output`` tag where it gives a power ("100 MW", "3.5 GW"),
   else area × 34 MW/km² (``capacity_from_area`` flag): the capacity-weighted total-area
   land use of large fixed-tilt PV in Ong et al. (2013), *Land-Use Requirements for Solar
   Power Plants in the United States*, NREL/TP-6A20-56290: 7.3 acres/MWac ≈ 2.95 ha/MW.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.table import number_or_nan
from network.admin import Plant
from network.errors import InputError

DATA_DIR = Path(__file__).resolve().parent / "data" / "power_plants"

#: Attribution lines for the bundled plant sources.
ATTRIBUTION: Mapping[str, str] = {
    "gem": "Global Wind Power Tracker, Global Energy Monitor, May 2023 release (CC BY 4.0).",
    "wri": ("Global Energy Observatory, Google, KTH Royal Institute of Technology in Stockholm, "
            "Enipedia, World Resources Institute. 2018. Global Power Plant Database (CC BY 4.0)."),
    "osm": ("© OpenStreetMap contributors, available under the Open Database License (ODbL); "
            "extract by OpenQGIS/OMap-GeoDB."),
}

#: Province code prefix (2 digits) → file stem suffix.
_PROVINCE_FILES = {"65": "xinjiang_shanxi", "14": "xinjiang_shanxi", "15": "innermongolia"}

#: Imputed commissioning years by GEM status (operating is imputed from the data).
STATUS_IMPUTED_YEAR: Mapping[str, int] = {
    "construction": 2024, "pre-construction": 2026, "announced": 2027, "shelved": 2028}
WRI_IMPUTED_YEAR = 2010
OSM_IMPUTED_YEAR = 2017
#: PV land use, MW per km² of plant area (Ong et al. 2013, NREL/TP-6A20-56290).
PV_MW_PER_KM2 = 34.0
WRI_GEM_MATCH_KM = 15.0
WRI_GEM_CAPACITY_TOLERANCE = 0.30
WRI_GEM_CAPACITY_TOLERANCE_MW = 10.0
OSM_WRI_MATCH_KM = 5.0

STATUSES = ("operating", "construction", "pre-construction", "announced", "shelved", "retired")
TECHNOLOGIES = ("wind", "solar")


@dataclass(frozen=True, slots=True)
class ExcludedRow:
    """A source row left out of the inventory, and why."""

    source: str
    row: int
    name: str
    capacity_mw: float
    reason: str
    prefecture_code: str = ""


@dataclass(frozen=True, slots=True)
class PlantInventory:
    """Plants kept and rows excluded, for one set of prefectures."""

    plants: tuple[Plant, ...]
    excluded: tuple[ExcludedRow, ...]
    attribution: tuple[str, ...]

    def capacity_mw(self, technology: str | None = None) -> float:
        return sum(p.capacity_mw for p in self.plants if technology in (None, p.technology))


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in km (spherical earth, R = 6371.0088 km); broadcasts."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _prefix4(codes: Iterable[str]) -> tuple[str, ...]:
    out = []
    for code in codes:
        text = str(code).strip()
        if not re.fullmatch(r"\d{4}(\d{2})?", text):
            raise InputError(f"prefecture code {code!r}: expected 4 digits such as '6505' (Hami) "
                             "or 6 digits such as '650500'")
        out.append(text[:4])
    return tuple(dict.fromkeys(out))


def plant_inventory(prefecture_codes: Iterable[str], *,
                    statuses: Iterable[str] = ("operating", "construction"),
                    include_flagged: bool = False,
                    include_unmatched_wri_wind: bool = False,
                    data_dir: Path = DATA_DIR) -> PlantInventory:
    """The bundled inventory for some prefectures, with the rows excluded and why.

    Parameters
    ----------
    prefecture_codes
        Prefecture codes, 4-digit (``"6505"`` Hami) or 6-digit (``"650500"``).
    statuses
        GEM statuses to keep (default operating and construction); WRI and OSM rows
        count as ``operating``.
    include_flagged
        Keep rows whose coordinates lie outside the labelled province (flagged).
    include_unmatched_wri_wind
        Keep WRI wind rows with no GEM match (flagged ``wri_wind_not_in_gem``).
    data_dir
        Directory of the bundled files.

    Raises
    ------
    InputError
        On a malformed prefecture code, an unknown status, or a province with no bundled file.
    """
    prefixes = _prefix4(prefecture_codes)
    wanted = tuple(statuses)
    bad = [s for s in wanted if s not in STATUSES]
    if bad:
        raise InputError(f"plant statuses {bad}: expected some of {', '.join(STATUSES)}")
    stems = set()
    for p in prefixes:
        if p[:2] not in _PROVINCE_FILES:
            raise InputError(f"prefecture {p}: no bundled plant data (bundled: Xinjiang 65xx, "
                             "Shanxi 14xx, Inner Mongolia 15xx); give your own list with read_plants")
        stems.add(_PROVINCE_FILES[p[:2]])
    plants: list[Plant] = []
    excluded: list[ExcludedRow] = []
    for stem in sorted(stems):
        kept, dropped = _load_province(stem, data_dir, include_flagged=include_flagged,
                                       include_unmatched_wri_wind=include_unmatched_wri_wind)
        plants += [p for p in kept if p.prefecture_code in prefixes and p.status in wanted]
        excluded += [e for e in dropped if e.prefecture_code in prefixes
                     or (e.reason == "coord_outside_labelled_province"
                         and e.prefecture_code[:2] in {p[:2] for p in prefixes})]
    return PlantInventory(tuple(plants), tuple(excluded), tuple(ATTRIBUTION.values()))


def load_plants(prefecture_codes: Iterable[str], *,
                statuses: Iterable[str] = ("operating", "construction"),
                include_flagged: bool = False) -> tuple[Plant, ...]:
    """Wind and solar plants of some prefectures from the bundled GEM, WRI and OSM data.

    See the module docstring for the rules on missing years, duplicates and flagged rows,
    and ``plant_inventory`` for the parameters and the rows left out.

    Raises
    ------
    InputError
        On a malformed prefecture code or unknown status.
    """
    return plant_inventory(prefecture_codes, statuses=statuses, include_flagged=include_flagged).plants


# -- the bundled files ------------------------------------------------------------
def _load_province(stem: str, data_dir: Path, *, include_flagged: bool,
                   include_unmatched_wri_wind: bool) -> tuple[list[Plant], list[ExcludedRow]]:
    gem_path = data_dir / f"gem_gwpt_2023-05_wind_{stem}.csv"
    wri_path = data_dir / f"wri_gppd_raw_china_wind_solar_{stem}.csv"
    osm_path = data_dir / f"osm_power_plants_solar_wind_{stem}.geojson"
    gem, excluded = _gem_plants(pd.read_csv(gem_path, dtype=str), gem_path.name,
                                include_flagged=include_flagged)
    wri_wind, wri_solar = _wri_plants(pd.read_csv(wri_path, dtype=str), wri_path.name)
    osm = _osm_plants(json.loads(osm_path.read_text(encoding="utf-8")), osm_path.name)

    # WRI wind vs GEM: keep GEM, flag it, drop the WRI row.
    gem_by_id = {p.plant_id: p for p in gem}
    gem_list = [p for p in gem if p.status == "operating"]
    if gem_list:
        g_lon = np.array([p.lon for p in gem_list])
        g_lat = np.array([p.lat for p in gem_list])
        g_cap = np.array([p.capacity_mw for p in gem_list])
    for plant, row in wri_wind:
        match = None
        if gem_list:
            km = haversine_km(plant.lon, plant.lat, g_lon, g_lat)
            close = (km <= WRI_GEM_MATCH_KM) & (
                (np.abs(g_cap - plant.capacity_mw) <= WRI_GEM_CAPACITY_TOLERANCE_MW)
                | (np.abs(g_cap - plant.capacity_mw) <= WRI_GEM_CAPACITY_TOLERANCE * g_cap))
            if close.any():
                match = gem_list[int(np.argmin(np.where(close, km, np.inf)))]
        if match is not None:
            old = gem_by_id[match.plant_id]
            gem_by_id[match.plant_id] = _with_flags(old, f"wri_match:{plant.plant_id}")
            excluded.append(ExcludedRow(wri_path.name, row, plant.name, plant.capacity_mw,
                                        f"duplicate_of_gem:{match.plant_id}", plant.prefecture_code))
        elif include_unmatched_wri_wind:
            gem_by_id[plant.plant_id] = _with_flags(plant, "wri_wind_not_in_gem")
        else:
            excluded.append(ExcludedRow(wri_path.name, row, plant.name, plant.capacity_mw,
                                        "wri_wind_not_in_gem", plant.prefecture_code))
    # OSM solar vs WRI solar: keep WRI, flag it, drop the OSM polygon.
    solar = {p.plant_id: p for p, _ in wri_solar}
    s_lon = np.array([p.lon for p, _ in wri_solar])
    s_lat = np.array([p.lat for p, _ in wri_solar])
    for plant, row in osm:
        if len(wri_solar):
            km = haversine_km(plant.lon, plant.lat, s_lon, s_lat)
            j = int(np.argmin(km))
            if km[j] <= OSM_WRI_MATCH_KM:
                wri_id = wri_solar[j][0].plant_id
                solar[wri_id] = _with_flags(solar[wri_id], f"osm_match:{plant.plant_id}")
                excluded.append(ExcludedRow(osm_path.name, row, plant.name, plant.capacity_mw,
                                            f"duplicate_of_wri:{wri_id}", plant.prefecture_code))
                continue
        solar[plant.plant_id] = plant
    return [*gem_by_id.values(), *solar.values()], excluded


def _with_flags(plant: Plant, *flags: str) -> Plant:
    import dataclasses

    return dataclasses.replace(plant, flags=tuple(dict.fromkeys((*plant.flags, *flags))))


def _gem_plants(table: pd.DataFrame, source: str, *,
                include_flagged: bool) -> tuple[list[Plant], list[ExcludedRow]]:
    years = pd.to_numeric(table["Start year"], errors="coerce")
    operating = table["Status"] == "operating"
    pref4 = table["prefecture_code"].str[:4]
    median_by_pref = years[operating].groupby(pref4[operating]).median()
    file_median = float(years[operating].median())
    plants: list[Plant] = []
    excluded: list[ExcludedRow] = []
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2
        name = rec.get("Project Name in Local Language / Script") or rec["Project Name"]
        if isinstance(rec.get("Phase Name"), str):
            name = f"{name} ({rec['Phase Name']})"
        capacity = number_or_nan(rec["Capacity (MW)"])
        flags: list[str] = []
        if rec.get("coord_in_labelled_province") != "True":
            if not include_flagged:
                labelled = {"Xinjiang": "65", "Shanxi": "14", "Inner Mongolia": "15"}.get(
                    str(rec.get("State/Province")), "")
                excluded.append(ExcludedRow(source, row, name, capacity, "coord_outside_labelled_province",
                                            labelled))
                continue
            flags.append("coord_outside_labelled_province")
        if rec.get("Installation Type") not in (None, "onshore") and isinstance(rec.get("Installation Type"), str):
            flags.append(f"installation_type:{rec['Installation Type']}")
        if rec.get("Location accuracy") == "approximate":
            flags.append("location_approximate")
        status = str(rec["Status"])
        year = years.iloc[i]
        imputed = False
        if math.isnan(year):
            imputed = True
            if status in ("operating", "retired"):
                year = float(median_by_pref.get(pref4.iloc[i], file_median))
                year = math.floor(year) if not math.isnan(year) else math.floor(file_median)
            else:
                year = STATUS_IMPUTED_YEAR.get(status, 2027)
        plants.append(Plant(
            plant_id=str(rec["GEM phase ID"]), name=str(name), technology="wind",
            capacity_mw=capacity, commissioning_year=int(year), status=status,
            lon=number_or_nan(rec["Longitude"]), lat=number_or_nan(rec["Latitude"]),
            county_code=str(rec["county_code"]), prefecture_code=str(rec["prefecture_code"])[:4],
            source="gem", commissioning_year_imputed=imputed, flags=tuple(flags)))
    return plants, excluded


def _wri_plants(table: pd.DataFrame, source: str
                ) -> tuple[list[tuple[Plant, int]], list[tuple[Plant, int]]]:
    wind: list[tuple[Plant, int]] = []
    solar: list[tuple[Plant, int]] = []
    for i, rec in enumerate(table.to_dict("records")):
        fuel = str(rec["Fuel"]).lower()
        if fuel not in ("wind", "solar"):
            continue
        flags = () if rec.get("Operational Status") == "Operational" else ("status_assumed_operating",)
        plant = Plant(
            plant_id=f"WRI{rec['Power Plant ID']}", name=str(rec["Name"]), technology=fuel,
            capacity_mw=number_or_nan(rec["Capacity (MW)"]), commissioning_year=WRI_IMPUTED_YEAR,
            status="operating", lon=number_or_nan(rec["Longitude"]), lat=number_or_nan(rec["Latitude"]),
            county_code=str(rec["county_code"]), prefecture_code=str(rec["prefecture_code"])[:4],
            source="wri", commissioning_year_imputed=True, flags=flags)
        (wind if fuel == "wind" else solar).append((plant, i + 2))
    return wind, solar


def parse_output_mw(text: Any) -> float | None:
    """Capacity in MW from an OSM ``output`` tag (``"100 MW"``, ``"3.5 GW"``), else None."""
    if not isinstance(text, str):
        return None
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kMG])W[p]?\s*", text)
    if not m:
        return None
    return float(m.group(1)) * {"k": 1e-3, "M": 1.0, "G": 1e3}[m.group(2)]


def _osm_plants(geojson: Mapping[str, Any], source: str) -> list[tuple[Plant, int]]:
    stem = source.removeprefix("osm_power_plants_solar_wind_").split(".")[0]
    out = []
    for i, feature in enumerate(geojson["features"]):
        props = feature["properties"]
        if props.get("source") != "solar":
            continue
        mw = parse_output_mw(props.get("output"))
        flags = ["year_unknown"]
        if mw is None:
            mw = round(float(props["area_km2"]) * PV_MW_PER_KM2, 1)
            flags.append("capacity_from_area")
        if mw <= 0:
            continue
        out.append((Plant(
            plant_id=f"OSM-{stem}-{i + 1}", name=str(props.get("name") or f"OSM solar {stem} #{i + 1}"),
            technology="solar", capacity_mw=mw, commissioning_year=OSM_IMPUTED_YEAR, status="operating",
            lon=float(props["lon"]), lat=float(props["lat"]), county_code=str(props["county_code"]),
            prefecture_code=str(props["prefecture_code"])[:4], source="osm",
            commissioning_year_imputed=True, flags=tuple(flags)), i + 1))
    return out


