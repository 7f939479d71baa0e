"""Batch files: many scenarios described once, expanded into a list with stable ids.

A batch file (TOML, YAML or the Excel template) holds

- ``name``: the batch name (the output folder's default name);
- ``base``: parameters every scenario starts from;
- ``grid``: parameter → list of values; the cartesian product of all lists is
  applied to every variant (a sweep);
- ``variants``: named policy variants (e.g. "free" vs "shared sites"), each a
  set of overrides of the base; with no variants there is one, ``base``;
- ``scenarios``: explicit scenarios, each base + its overrides, not crossed
  with the grid.

A parameter is addressed as ``region``, ``seed``, ``model``,
``time_limit_s``, ``params.<field>`` (the model's parameter dataclass, e.g.
``NetworkParams``) or ``costs.<field>`` (``CostParams``); a mapping field is
addressed one key deeper, e.g. ``costs.transport_rate_cny_per_t_km.village_to_point``.
Unknown keys are errors naming the file and key.

Each expanded scenario gets ``scenario_id``: the first 12 hex digits of the
SHA-256 of the canonical JSON (sorted keys) of its model, region, seed, time
limit, full model parameters and cost overrides. Equal content, equal id — in
any file, in any order.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from network.errors import InputError, ProblemCollector
from network.params import CostParams, params_from_mapping, params_to_mapping

#: Top-level keys of a scenario and their defaults.
SCENARIO_KEYS: dict[str, Any] = {"region": "hami", "seed": 0, "model": "network", "time_limit_s": 60.0}
#: Sections of a batch file.
BATCH_SECTIONS = ("name", "base", "grid", "variants", "scenarios")


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioSpec:
    """One expanded scenario of a batch.

    Parameters
    ----------
    scenario_id
        Stable 12-hex id derived from the content (see module docstring).
    name
        Readable name: the variant name and the grid values.
    model
        Model name in ``batch.models`` (``"network"``) or ``"module:attribute"``.
    region
        Bundled region id passed to the model's scenario loader.
    seed
        Seed of the region's generated parts (and of seeded solvers).
    time_limit_s
        Solver time limit per scenario, seconds.
    params
        The model's parameters, complete (``params_to_mapping``).
    cost_overrides
        Changes to the region's ``CostParams``, flat dotted keys.
    overrides
        The keys this scenario changes relative to the base (for tables).
    """

    scenario_id: str
    name: str
    model: str
    region: str
    seed: int
    time_limit_s: float
    params: Mapping[str, Any]
    cost_overrides: Mapping[str, Any]
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (what a manifest stores and a worker receives)."""
        return {"scenario_id": self.scenario_id, "name": self.name, "model": self.model,
                "region": self.region, "seed": self.seed, "time_limit_s": self.time_limit_s,
                "params": dict(self.params), "cost_overrides": dict(self.cost_overrides),
                "overrides": dict(self.overrides)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioSpec:
        return cls(**{k: data[k] for k in ("scenario_id", "name", "model", "region", "seed",
                                           "time_limit_s", "params", "cost_overrides", "overrides")})


@dataclass(frozen=True, slots=True, eq=False)
class BatchSpec:
    """A batch: its name, where it was read from and its expanded scenarios."""

    name: str
    source: str
    scenarios: tuple[ScenarioSpec, ...]

    def by_id(self) -> dict[str, ScenarioSpec]:
        return {s.scenario_id: s for s in self.scenarios}


def content_id(*, model: str, region: str, seed: int, time_limit_s: float,
               params: Mapping[str, Any], cost_overrides: Mapping[str, Any]) -> str:
    """The stable 12-hex id of a scenario's content (canonical JSON, SHA-256)."""
    blob = json.dumps({"model": model, "region": region, "seed": seed, "time_limit_s": time_limit_s,
                       "params": params, "cost_overrides": cost_overrides},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def parse_batch(data: Mapping[str, Any], *, source: str, default_name: str = "batch") -> BatchSpec:
    """Expand a batch mapping (as read from a file) into scenarios.

    Parameters
    ----------
    data
        Sections ``name``, ``base``, ``grid``, ``variants``, ``scenarios``.
    source
        File name used in error messages.
    default_name
        Batch name when ``name`` is absent.

    Raises
    ------
    InputError
        On unknown sections or keys, wrong values, conflicts between a variant
        and the grid, or two scenarios with the same content.
    """
    problems = ProblemCollector()
    for key in data:
        if key not in BATCH_SECTIONS:
            problems.add(source, None, None, f"section '{key}' is unknown; expected one of "
                         f"{', '.join(BATCH_SECTIONS)}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        problems.add(source, None, "name", f"expected a non-empty batch name, got {name!r}")
        name = default_name
    base = _flat(data.get("base", {}), f"{source} section base", problems)
    grid_raw = _flat(data.get("grid", {}), f"{source} section grid", problems)
    grid: dict[str, list[Any]] = {}
    for key, values in grid_raw.items():
        if not isinstance(values, list) or not values:
            problems.add(f"{source} section grid", None, key, f"expected a non-empty list of values, got {values!r}")
        else:
            grid[key] = values
    variants = _named_list(data.get("variants", []), f"{source} variant", problems)
    explicit = _named_list(data.get("scenarios", []), f"{source} scenario", problems)
    problems.raise_if_any()
    if not variants and (grid or not explicit):
        variants = [("base", {}, f"{source} section base")]

    rows: list[tuple[str, dict[str, Any], str]] = []
    keys = list(grid)
    for vname, overrides, where in variants:
        for key in keys:
            if key in overrides:
                problems.add(where, None, key, "is also swept in the grid section; set it in one place only")
        for combo in itertools.product(*(grid[k] for k in keys)):
            point = dict(zip(keys, combo, strict=True))
            label = vname if not point else vname + " | " + ", ".join(
                f"{k.rsplit('.', 1)[-1]}={_show(v)}" for k, v in point.items())
            rows.append((label, {**overrides, **point}, where))
    rows.extend(explicit)
    problems.raise_if_any()

    _resolve("base", base, {}, f"{source} section base")  # a bad base is reported once, not per scenario
    scenarios: list[ScenarioSpec] = []
    seen: dict[str, str] = {}
    for label, overrides, where in rows:
        try:
            spec = _resolve(label, base, overrides, where)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if spec.scenario_id in seen:
            problems.add(where, None, None, f"scenario '{label}' has the same content as "
                         f"'{seen[spec.scenario_id]}' (id {spec.scenario_id}); remove one")
            continue
        seen[spec.scenario_id] = label
        scenarios.append(spec)
    problems.raise_if_any()
    return BatchSpec(name=name.strip(), source=source, scenarios=tuple(scenarios))


# -- expansion helpers ------------------------------------------------------------
def _flat(section: Any, where: str, problems: ProblemCollector) -> dict[str, Any]:
    """Flatten ``{params: {a: 1}}`` into ``{"params.a": 1}``; check top-level keys."""
    if not isinstance(section, Mapping):
        problems.add(where, None, None, f"expected a table of key = value, got {section!r}")
        return {}
    flat: dict[str, Any] = {}
    for key, value in section.items():
        key = str(key)
        if key in ("params", "costs") and isinstance(value, Mapping):
            for sub, subvalue in value.items():
                flat[f"{key}.{sub}"] = subvalue
            continue
        head = key.split(".", 1)[0]
        if head in ("params", "costs") and "." in key or key in SCENARIO_KEYS:
            flat[key] = value
        else:
            problems.add(where, None, None, f"key '{key}' is unknown; expected one of "
                         f"{', '.join(SCENARIO_KEYS)}, params.<field>, costs.<field>")
    return flat


def _named_list(items: Any, where: str, problems: ProblemCollector) -> list[tuple[str, dict[str, Any], str]]:
    if not isinstance(items, Sequence) or isinstance(items, str):
        problems.add(where, None, None, f"expected a list of tables, got {items!r}")
        return []
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.add(where, None, None, f"item {i}: expected a table, got {item!r}")
            continue
        item = dict(item)
        name = item.pop("name", None)
        here = f"{where} '{name}'" if name else f"{where} item {i}"
        if not isinstance(name, str) or not name.strip():
            problems.add(here, None, "name", f"expected a non-empty name, got {name!r}")
            continue
        out.append((name.strip(), _flat(item, here, problems), here))
    return out


def _resolve(label: str, base: Mapping[str, Any], overrides: Mapping[str, Any], where: str) -> ScenarioSpec:
    """Turn base + overrides into a validated ``ScenarioSpec``."""
    from batch.models import params_class

    merged = {**base, **overrides}
    problems = ProblemCollector()
    top = {k: merged.get(k, d) for k, d in SCENARIO_KEYS.items()}
    region, model, seed, limit = top["region"], top["model"], top["seed"], top["time_limit_s"]
    if not isinstance(region, str) or not region:
        problems.add(where, None, "region", f"expected a region id such as 'hami', got {region!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        problems.add(where, None, "seed", f"expected a whole number, got {seed!r}")
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
        problems.add(where, None, "time_limit_s", f"expected a positive number of seconds, got {limit!r}")
    cls = None
    if not isinstance(model, str) or not model:
        problems.add(where, None, "model", f"expected a model name such as 'network', got {model!r}")
    else:
        try:
            cls = params_class(model)
        except InputError as exc:
            problems.add(where, None, "model", str(exc))
    problems.raise_if_any()

    param_keys = {k[len("params."):]: v for k, v in merged.items() if k.startswith("params.")}
    cost_keys = {k[len("costs."):]: v for k, v in merged.items() if k.startswith("costs.")}
    params_map = params_to_mapping(cls()) if cls is not None else {}
    # The scenario-level time limit and seed reach the model's own fields of those
    # names; one solver thread per task, since the cores are shared by workers.
    for key, value in (("time_limit_s", limit), ("seed", seed), ("threads", 1)):
        if key in params_map and key not in param_keys:
            param_keys[key] = value
    params_map = _apply(params_map, param_keys)
    costs_map = _apply(params_to_mapping(CostParams()), cost_keys)
    params_plain: dict[str, Any] = {}
    cost_overrides: dict[str, Any] = {}
    try:
        params_plain = params_to_mapping(params_from_mapping(cls, params_map, source=f"{where} params"))
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        costs_plain = params_to_mapping(params_from_mapping(CostParams, costs_map, source=f"{where} costs"))
        cost_overrides = {k: _get(costs_plain, k) for k in sorted(cost_keys)}
    except InputError as exc:
        problems.extend(exc.problems)
    problems.raise_if_any()
    sid = content_id(model=model, region=region, seed=seed, time_limit_s=float(limit),
                     params=params_plain, cost_overrides=cost_overrides)
    return ScenarioSpec(scenario_id=sid, name=label, model=model, region=region, seed=seed,
                        time_limit_s=float(limit), params=params_plain, cost_overrides=cost_overrides,
                        overrides={k: overrides[k] for k in sorted(overrides)})


def _apply(defaults: Mapping[str, Any], keys: Mapping[str, Any]) -> dict[str, Any]:
    """Set dotted ``keys`` into a copy of ``defaults``; tables merge into mapping fields."""
    out = copy.deepcopy(dict(defaults))
    for key, value in keys.items():
        head, _, rest = key.partition(".")
        if rest:
            target = out.get(head)
            out[head] = {**target, rest: value} if isinstance(target, dict) else {rest: value}
        elif isinstance(value, Mapping) and isinstance(out.get(head), dict):
            out[head] = {**out[head], **value}
        else:
            out[head] = value
    return out


def cost_params_for(base: CostParams, cost_overrides: Mapping[str, Any], *, source: str) -> CostParams:
    """Apply a scenario's cost overrides to a region's ``CostParams``.

    Raises
    ------
    InputError
        If an override does not fit ``CostParams``.
    """
    if not cost_overrides:
        return base
    return params_from_mapping(CostParams, _apply(params_to_mapping(base), cost_overrides), source=source)


def _get(mapping: Mapping[str, Any], dotted: str) -> Any:
    head, _, rest = dotted.partition(".")
    value = mapping[head]
    return value[rest] if rest else value


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
