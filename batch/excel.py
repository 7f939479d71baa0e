"""The Excel form of a batch file: a template to fill in, and its reader.

Sheet ``基础参数 base`` — one row per parameter every scenario starts from:
``参数 parameter`` | ``值 value`` | ``说明 description``. An empty value keeps
the default (the description gives it).

Sheet ``变化 variations`` — one row per change:
``类型 type`` | ``名称 name`` | ``参数 parameter`` | ``值 value``, where the
type is

- ``variant`` / ``方案``: a named policy variant; rows with the same name
  form one variant (a row with no parameter just declares it);
- ``grid`` / ``网格``: a sweep; the value lists the values separated by ``;``
  (e.g. ``80; 120; 160``), crossed with every variant;
- ``scenario`` / ``情景``: an explicit scenario (rows with the same name form
  one), not crossed with the grid.

Parameter names are those of the TOML form (``region``, ``seed``,
``time_limit_s``, ``params.<field>``, ``costs.<field>[.<key>]``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from batch.spec import SCENARIO_KEYS, BatchSpec, parse_batch
from batch.store import publish
from network.errors import InputError, ProblemCollector
from network.params import CostParams, params_to_mapping

BASE_SHEET = "基础参数 base"
VARIATIONS_SHEET = "变化 variations"
KINDS = {"variant": "variants", "方案": "variants", "grid": "grid", "网格": "grid",
         "scenario": "scenarios", "情景": "scenarios"}
#: Model fields the scenario-level keys already set.
_SET_BY_SCENARIO = ("threads", "seed", "time_limit_s")


def field_docs(cls: type) -> dict[str, str]:
    """First sentence of each field's entry in a numpydoc ``Parameters`` section."""
    doc = cls.__doc__ or ""
    docs: dict[str, str] = {}
    names: list[str] = []
    for line in doc.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"[a-z_0-9]+(, [a-z_0-9]+)*", stripped) and line.startswith("    ") \
                and not line.startswith("        "):
            names = stripped.split(", ")
        elif names and stripped and line.startswith("        "):
            for name in names:
                if not docs.get(name, "").endswith("."):
                    docs[name] = (docs.get(name, "") + " " + stripped).strip()
        elif stripped in ("Raises", "Returns"):
            break
    return {k: v.split(". ")[0].rstrip(".") for k, v in docs.items()}


def template_rows(model: str = "network") -> list[tuple[str, Any, str]]:
    """(parameter, value, description) rows of the base sheet for ``model``."""
    from batch.models import params_class

    rows: list[tuple[str, Any, str]] = [
        ("name", "my-batch", "批次名称 batch name (output folder out/<name>)"),
        ("region", "hami", "内置区域 bundled region id (python solve.py regions)"),
        ("model", model, "模型 model: network (三级网络 three-tier design)"),
        ("seed", 0, "随机种子 seed of generated data and solver"),
        ("time_limit_s", 60, "每个情景求解时限 solver time limit per scenario, s"),
    ]
    cls = params_class(model)
    docs = field_docs(cls)
    for f in dataclasses.fields(cls):
        if f.name in _SET_BY_SCENARIO:
            continue
        default = params_to_mapping(cls()).get(f.name)
        rows.append((f"params.{f.name}", None, f"{docs.get(f.name, '')} (default {default})"))
    cost_docs = field_docs(CostParams)
    for key, default in params_to_mapping(CostParams()).items():
        if isinstance(default, dict):
            for sub, value in default.items():
                rows.append((f"costs.{key}.{sub}", None, f"{cost_docs.get(key, '')}: {sub} (default {value})"))
        else:
            rows.append((f"costs.{key}", None, f"{cost_docs.get(key, '')} (default {default})"))
    return rows


#: Example variation rows of the template.
EXAMPLE_VARIATIONS: tuple[tuple[str, str, str, Any], ...] = (
    ("grid", "", "costs.mobile_visit_cost_cny", "80; 160"),
    ("variant", "自由 free", "", None),
    ("variant", "两网融合 shared 30%", "params.min_shared_point_share", 0.3),
    ("scenario", "无流动收运 no mobile", "params.allow_mobile_collection", "false"),
)


def write_template(path: Path, *, model: str = "network") -> Path:
    """Write the Excel batch template (base parameters and example variations).

    Raises
    ------
    InputError
        If ``model`` is unknown.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    base = wb.active
    base.title = BASE_SHEET
    base.append(["参数 parameter", "值 value", "说明 description"])
    for row in template_rows(model):
        base.append(list(row))
    var = wb.create_sheet(VARIATIONS_SHEET)
    var.append(["类型 type", "名称 name", "参数 parameter", "值 value"])
    for row in EXAMPLE_VARIATIONS:
        var.append(list(row))
    for sheet, widths in ((base, (44, 14, 90)), (var, (12, 26, 40, 18))):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for col, width in zip("ABCD", widths, strict=False):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(tmp)
        publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _value(cell: Any) -> Any:
    """Excel cell → TOML-like value: whole floats → int, true/false → bool, numeric text → number."""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        text = cell.strip()
        low = text.lower()
        if low in ("true", "是"):
            return True
        if low in ("false", "否"):
            return False
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", text) else number
    return cell


def read_batch_excel(path: Path) -> BatchSpec:
    """Read a batch from the Excel template's two sheets and expand it.

    Raises
    ------
    InputError
        If the workbook or a sheet is missing, or any row is wrong (each named
        by sheet and row), or the expanded batch is invalid.
    """
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise InputError(f"{path.name}: cannot read the Excel workbook: {exc}") from None
    problems = ProblemCollector()
    sheets = {name: wb[name] for name in wb.sheetnames}
    missing = [s for s in (BASE_SHEET, VARIATIONS_SHEET) if s not in sheets]
    if missing:
        raise InputError(f"{path.name}: missing sheet(s) {', '.join(repr(m) for m in missing)}; "
                         f"found {', '.join(repr(s) for s in sheets)} (python solve.py batch --template x.xlsx)")
    data: dict[str, Any] = {"base": {}, "grid": {}}
    where = f"{path.name} sheet '{BASE_SHEET}'"
    for row_no, row in enumerate(sheets[BASE_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        key, value = (list(row) + [None, None])[:2]
        if key is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        key = str(key).strip()
        if key == "name":
            data["name"] = str(value)
        elif key in SCENARIO_KEYS or key.startswith(("params.", "costs.")):
            data["base"][key] = _value(value)
        else:
            problems.add(where, row_no, "参数 parameter", f"key '{key}' is unknown; expected name, "
                         f"{', '.join(SCENARIO_KEYS)}, params.<field> or costs.<field>")
    named: dict[str, dict[str, dict[str, Any]]] = {"variants": {}, "scenarios": {}}
    where = f"{path.name} sheet '{VARIATIONS_SHEET}'"
    for row_no, row in enumerate(sheets[VARIATIONS_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        kind, name, key, value = (list(row) + [None] * 4)[:4]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (kind, name, key, value)):
            continue
        section = KINDS.get(str(kind or "").strip().lower())
        if section is None:
            problems.add(where, row_no, "类型 type", f"expected one of {', '.join(KINDS)}, got {kind!r}")
            continue
        key = str(key).strip() if key is not None else ""
        if section == "grid":
            if not key or value is None:
                problems.add(where, row_no, "值 value", "a grid row needs a parameter and values such as '80; 160'")
                continue
            items = re.split(r"[;；]", str(value)) if isinstance(value, str) else [value]
            data["grid"][key] = [_value(v) for v in items if str(v).strip()]
            continue
        if name is None or not str(name).strip():
            problems.add(where, row_no, "名称 name", f"a {section[:-1]} row needs a name")
            continue
        entry = named[section].setdefault(str(name).strip(), {})
        if key:
            if value is None:
                problems.add(where, row_no, "值 value", f"parameter '{key}' has no value")
            else:
                entry[key] = _value(value)
    problems.raise_if_any()
    for section, entries in named.items():
        if entries:
            data[section] = [{"name": n, **values} for n, values in entries.items()]
    return parse_batch(data, source=path.name, default_name=path.stem)
