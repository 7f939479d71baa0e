"""Material streams (品类) that flow through the network.

Each stream carries a bulk density used to turn tonnes into the cubic metres a
vehicle body holds (appliances are bulky: a van fills by volume before weight).
Densities are stated assumptions for loose, uncompacted loads as collected,
not measurements; a scenario can override them through ``CostParams``.
"""

from __future__ import annotations

from enum import StrEnum


class MaterialStream(StrEnum):
    """A material stream, with its Chinese name and default bulk density."""

    GENERAL_RECYCLABLES = "general_recyclables"
    APPLIANCES = "appliances"
    SCRAP_VEHICLES = "scrap_vehicles"
    PV_MODULES = "pv_modules"
    WIND_BLADES = "wind_blades"
    TOWERS_STEEL = "towers_steel"

    @property
    def name_zh(self) -> str:
        return _NAME_ZH[self]

    @property
    def label(self) -> str:
        """Chinese and English side by side, for tables and maps."""
        return f"{_NAME_ZH[self]} {self.value.replace('_', ' ')}"

    @property
    def bulk_density_t_per_m3(self) -> float:
        return _DENSITY_T_PER_M3[self]


_NAME_ZH = {
    MaterialStream.GENERAL_RECYCLABLES: "一般再生资源",
    MaterialStream.APPLIANCES: "废旧家电",
    MaterialStream.SCRAP_VEHICLES: "报废机动车",
    MaterialStream.PV_MODULES: "退役光伏组件",
    MaterialStream.WIND_BLADES: "退役风机叶片",
    MaterialStream.TOWERS_STEEL: "塔筒及钢材",
}

# Loose mixed paper/plastic/metal as collected ~0.15 t/m3; appliances in a van
# ~0.10 t/m3 (a 60 kg fridge fills ~0.6 m3); an end-of-life car ~1.2 t in an
# ~9 m3 envelope; palletised PV modules ~0.25 t/m3 (20 kg module, 2 m x 1 m x
# 4 cm, stacked with packing); cut blade segments ~0.2 t/m3; cut tower sections
# and nacelle steel ~0.6 t/m3. All are assumptions stated here, not standards.
_DENSITY_T_PER_M3 = {
    MaterialStream.GENERAL_RECYCLABLES: 0.15,
    MaterialStream.APPLIANCES: 0.10,
    MaterialStream.SCRAP_VEHICLES: 0.13,
    MaterialStream.PV_MODULES: 0.25,
    MaterialStream.WIND_BLADES: 0.20,
    MaterialStream.TOWERS_STEEL: 0.60,
}

#: Streams of the three-tier collection network (县乡村三级回收体系).
COLLECTION_STREAMS: tuple[MaterialStream, ...] = (
    MaterialStream.GENERAL_RECYCLABLES,
    MaterialStream.APPLIANCES,
    MaterialStream.SCRAP_VEHICLES,
)

#: Streams of retired wind and PV equipment (退役风电光伏设备).
EQUIPMENT_STREAMS: tuple[MaterialStream, ...] = (
    MaterialStream.PV_MODULES,
    MaterialStream.WIND_BLADES,
    MaterialStream.TOWERS_STEEL,
)
