"""JSON for scenarios and plans: readable by people, exact for machines.

Types are described once, by their dataclass fields; pydantic's TypeAdapter
walks them both ways, so there is no hand-written mirror to drift.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from network.admin import County, Plant, RailStation, Township
from network.demand import Village
from network.errors import InputError
from network.fleet import VehicleType
from network.params import CostParams, params_from_mapping, params_to_mapping
from network.plan import Plan
from network.scenario import Scenario, travel_model_from_spec
from network.sites import CandidateSite, SizeLevel

_PLAN = TypeAdapter(Plan)
_PARTS: dict[str, TypeAdapter[Any]] = {
    "villages": TypeAdapter(tuple[Village, ...]),
    "sites": TypeAdapter(tuple[CandidateSite, ...]),
    "size_levels": TypeAdapter(tuple[SizeLevel, ...]),
    "vehicle_types": TypeAdapter(tuple[VehicleType, ...]),
    "counties": TypeAdapter(tuple[County, ...]),
    "townships": TypeAdapter(tuple[Township, ...]),
    "plants": TypeAdapter(tuple[Plant, ...]),
    "rail_stations": TypeAdapter(tuple[RailStation, ...]),
}


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return _PLAN.dump_python(plan, mode="json")


def plan_from_dict(data: Any, *, source: str = "plan") -> Plan:
    try:
        return _PLAN.validate_python(data)
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, source)) from None


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = {"name": scenario.name, "region_id": scenario.region_id,
                            "notes": dict(scenario.notes), "travel": dict(scenario.travel.spec),
                            "costs": params_to_mapping(scenario.costs)}
    for part, adapter in _PARTS.items():
        data[part] = adapter.dump_python(getattr(scenario, part), mode="json")
    for item in (*data["villages"], *data["sites"]):
        # frozenset order follows string hashes (random per process): sort for a stable content_id
        item["generated_fields"] = sorted(item.get("generated_fields", ()))
    return data


def scenario_content_id(scenario: Scenario) -> str:
    """A stable 12-hex id derived from the scenario's content (SHA-256 of its canonical JSON)."""
    blob = json.dumps(scenario_to_dict(scenario), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def scenario_from_dict(data: Any, *, source: str = "scenario") -> Scenario:
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object, got {type(data).__name__}")
    missing = [k for k in ("name", "villages", "sites", "travel") if k not in data]
    if missing:
        raise InputError(f"{source}: missing keys {', '.join(missing)}")
    parts: dict[str, Any] = {}
    for part, adapter in _PARTS.items():
        if part in data:
            try:
                parts[part] = adapter.validate_python(data[part])
            except ValidationError as exc:
                raise InputError(_pydantic_problems(exc, f"{source} {part}")) from None
    return Scenario(name=data["name"], travel=travel_model_from_spec(data["travel"]),
                    costs=params_from_mapping(CostParams, data.get("costs", {}), source=f"{source} costs"),
                    region_id=data.get("region_id", ""), notes=data.get("notes", {}), **parts)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A reader sees the old file or the new one, never a half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_plan(plan: Plan, path: Path) -> None:
    """Write a plan as JSON, atomically."""
    write_text_atomic(path, plan_to_json(plan))


def read_plan(path: Path) -> Plan:
    """Read a plan written by ``write_plan``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read plan JSON: {exc}") from None
    return plan_from_dict(data, source=path.name)


def _pydantic_problems(exc: ValidationError, source: str) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = err["loc"]
        row = next((x for x in loc if isinstance(x, int)), None)
        field_name = ".".join(str(x) for x in loc if not isinstance(x, int)) or None
        text = source + (f" item {row + 1}" if row is not None else "")
        if field_name:
            text += f", field '{field_name}'"
        problems.append(f"{text}: {err['msg']}, got {err.get('input')!r}")
    return problems
