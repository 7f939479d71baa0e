"""The aggregate capacity cuts of the model: on which tiers they hold."""

import numpy as np

from solver.design.arrays import tiers_all_flow_crosses
from tests.design.instances import hand_chain


def test_every_tier_of_a_plain_chain_is_crossed() -> None:
    assert tiers_all_flow_crosses(hand_chain()) == [0, 1, 2]


def test_mobile_collection_skips_the_point_tier() -> None:
    a = hand_chain()
    a.arc_cli, a.arc_fac = np.append(a.arc_cli, 0), np.append(a.arc_fac, 2)
    a.arc_cost, a.arc_co2 = np.append(a.arc_cost, 9.0), np.append(a.arc_co2, 0.0)
    assert tiers_all_flow_crosses(a) == [1, 2]


def test_an_upper_arc_past_the_stations_skips_them() -> None:
    a = hand_chain()
    a.up_from, a.up_to = np.append(a.up_from, 0), np.append(a.up_to, 3)
    a.up_cost, a.up_co2 = np.append(a.up_cost, 9.0), np.append(a.up_co2, 0.0)
    assert tiers_all_flow_crosses(a) == [0, 2]


def test_a_site_that_passes_nothing_on_ends_flow_below() -> None:
    a = hand_chain()
    keep = a.up_from != 1  # point 1 loses its way up
    a.up_from, a.up_to, a.up_cost, a.up_co2 = a.up_from[keep], a.up_to[keep], a.up_cost[keep], a.up_co2[keep]
    assert tiers_all_flow_crosses(a) == [0]
