"""Input data: readers, coordinate systems, road networks, travel matrices, bundled regions.

Importing ``geodata`` registers its travel models (``"circuity"``, ``"osm"``)
with ``network.scenario.TRAVEL_MODEL_FACTORIES``, so scenario and plan JSON
that name them can be read back.
"""

from geodata import travel as _travel  # noqa: F401  (registers the travel models)
from geodata.regions import list_regions, load_region

__all__ = ["list_regions", "load_region"]
