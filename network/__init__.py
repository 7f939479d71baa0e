"""huishou's domain model: the types every other package speaks.

This package imports none of the project's other packages.
"""

from network.admin import County, Plant, RailStation, Township
from network.demand import SettlementType, Village
from network.errors import HuishouError, InfeasibleError, InputError, SolverError
from network.fleet import DEFAULT_VEHICLE_TYPES, VehicleType
from network.geo import GeoPoint
from network.matrix import TableTravelModel, TravelMatrix, TravelModel
from network.params import CostParams, params_from_mapping, params_to_mapping
from network.plan import Assignment, Flow, OpenSite, Plan, Route, RouteStop, SizeStep, SolveInfo, Unserved
from network.scenario import Scenario
from network.sites import (
    COLLECTION_TIERS,
    DEFAULT_SIZE_LEVELS,
    CandidateSite,
    OutletKind,
    SiteStatus,
    SizeLevel,
    Tier,
)
from network.streams import COLLECTION_STREAMS, EQUIPMENT_STREAMS, MaterialStream

__all__ = [
    "COLLECTION_STREAMS", "COLLECTION_TIERS", "DEFAULT_SIZE_LEVELS", "DEFAULT_VEHICLE_TYPES",
    "EQUIPMENT_STREAMS", "Assignment", "CandidateSite", "CostParams", "County", "Flow", "GeoPoint",
    "HuishouError", "InfeasibleError", "InputError", "MaterialStream", "OpenSite", "OutletKind",
    "Plan", "Plant", "RailStation", "Route", "RouteStop", "Scenario", "SettlementType", "SiteStatus",
    "SizeLevel", "SizeStep", "SolveInfo", "SolverError", "TableTravelModel", "Tier", "Township",
    "TravelMatrix", "TravelModel", "Unserved", "VehicleType", "Village", "params_from_mapping",
    "params_to_mapping",
]
