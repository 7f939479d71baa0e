"""The size estimate before a model is built, and the refusal of one that would not fit."""

from __future__ import annotations

import dataclasses

import pytest

from geodata.regions import load_region
from network.errors import TooLargeError
from network.network_params import NetworkParams
from solver.design import build_network_data, solve_network
from solver.design.size import estimate_size, peak_rss_gb


@pytest.fixture(scope="module")
def hami():
    return load_region("hami", travel="circuity")


def test_the_estimate_counts_at_least_the_arcs_the_model_gets(hami) -> None:
    size = estimate_size(hami, NetworkParams())
    data = build_network_data(hami, NetworkParams())
    assert size.villages == data.arrays.n_cli
    assert size.pairs >= len(data.arrays.arc_cli) + len(data.arrays.up_from)
    assert size.arcs >= len(data.arrays.arc_cli)
    assert size.fits and 0 < size.peak_gb < 2
    assert peak_rss_gb() > 0.05


def test_a_model_over_the_memory_limit_is_refused_before_it_is_built(hami) -> None:
    params = NetworkParams(max_memory_gb=0.01)
    with pytest.raises(TooLargeError, match=r"307 villages and 319 candidate sites.*over the limit of 0.0 GB.*"
                                            r"--counties"):
        solve_network(hami, params=params)


def test_a_time_limit_too_short_for_the_model_is_refused_with_the_time_it_needs(hami) -> None:
    size = estimate_size(hami, NetworkParams())
    params = dataclasses.replace(NetworkParams(), time_limit_s=size.least_s / 2)
    with pytest.raises(TooLargeError, match=r"too large for the time limit.*Raise --time-limit"):
        solve_network(hami, params=params)
