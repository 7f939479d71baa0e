"""The models a batch can run, registered by name.

A batch scenario names its model: ``"network"`` (the three-tier design of
``solver.design.solve``) or ``"package.module:attribute"`` for a model of
your own, where the attribute is a :class:`BatchModel` (or a function returning
one). A model is loaded inside each Dask worker by that name, so the module
must be importable on the workers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from network.errors import InputError
from network.plan import Plan
from network.scenario import Scenario


@dataclass(frozen=True, slots=True)
class BatchModel:
    """What a batch needs to know about a model.

    Parameters
    ----------
    name
        Registry name, e.g. ``"network"``.
    params_cls
        Frozen parameter dataclass, default-constructible (``NetworkParams``).
    load_scenario
        ``(region, seed) -> Scenario``: the bundled region with its generated
        parts drawn with ``seed``.
    solve
        ``(scenario, *, params, time_limit_s) -> Plan``.
    check
        ``(scenario, plan, params) -> list[str]``: the independent checker;
        an empty list means the plan passes.
    write_files
        ``(scenario, plan, out_dir, checks) -> None``: extra files per
        scenario (GeoPackage, CSV, map, report); ``plan.json`` and the
        manifest are always written by the batch.
    """

    name: str
    params_cls: type
    load_scenario: Callable[[str, int], Scenario]
    solve: Callable[..., Plan]
    check: Callable[[Scenario, Plan, Any], list[str]]
    write_files: Callable[[Scenario, Plan, Path, Sequence[str]], None] | None = None


# -- the shipped three-tier network model ------------------------------------------
def _load_region(region: str, seed: int) -> Scenario:
    from geodata.regions import load_region

    return load_region(region, seed=seed)


def _solve_network(scenario: Scenario, *, params: Any, time_limit_s: float) -> Plan:
    from solver.design import solve_network

    return solve_network(scenario, params=params, time_limit_s=time_limit_s)


def _check_network(scenario: Scenario, plan: Plan, params: Any) -> list[str]:
    from solver.check import check_network_plan

    return list(check_network_plan(scenario, plan, params))


def _write_network_files(scenario: Scenario, plan: Plan, out_dir: Path, checks: Sequence[str]) -> None:
    from geodata.write import write_plan_files
    from maps.report import write_report

    write_plan_files(scenario, plan, out_dir)
    write_report(scenario, plan, out_dir, checks=list(checks))


def network_model() -> BatchModel:
    """The three-tier network design (``solve.py plan``) as a batch model."""
    from network.network_params import NetworkParams

    return BatchModel("network", NetworkParams, _load_region, _solve_network, _check_network,
                      _write_network_files)


#: Registered model names and the functions that build them.
MODELS: dict[str, Callable[[], BatchModel]] = {"network": network_model}


@cache
def get_model(name: str) -> BatchModel:
    """The model registered as ``name``, or imported from ``"module:attribute"``.

    Raises
    ------
    InputError
        If the name is neither registered nor an importable ``module:attribute``
        giving a ``BatchModel``.
    """
    if name in MODELS:
        return MODELS[name]()
    if ":" not in name:
        raise InputError(f"unknown model '{name}'; expected one of {', '.join(sorted(MODELS))} "
                         "or 'package.module:attribute'")
    module_name, _, attr = name.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"model '{name}': cannot import it ({exc})") from None
    model = target() if callable(target) and not isinstance(target, BatchModel) else target
    if not isinstance(model, BatchModel):
        raise InputError(f"model '{name}': expected a batch.models.BatchModel, got {type(model).__name__}")
    return model


def params_class(name: str) -> type:
    """The parameter dataclass of model ``name`` (see :func:`get_model`).

    Raises
    ------
    InputError
        As :func:`get_model`.
    """
    return get_model(name).params_cls
