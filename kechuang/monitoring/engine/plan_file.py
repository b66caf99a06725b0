"""Plan files (规划数据文件): a plan's indicators and quantitative commitments as YAML.

A plan is data, not code: the next plan (十五五) or another city is a new file under
``data/plans/``. ``load_plan`` reads a file, ``parse_plan`` validates the decoded mapping and
returns frozen dataclasses. Validation is strict and collects every problem before failing, so a
person editing the file sees all of them at once, each as ``"路径: 问题"`` in Chinese.

Vocabulary (see GLOSSARY.md):

- indicator ``kind``: ``level`` (a quantity at year end), ``share`` (a percentage of a whole),
  ``average_annual_growth`` (the yearly value *is* a growth rate in %, the target is its mean).
- ``growth_model`` of the planned path: ``linear``, ``geometric`` (constant yearly ratio) or
  ``constant`` (the same value every year; the only model an average-growth target can use).
- commitment ``comparator``: ``gte`` (以上/突破/不低于), ``gt`` (超过), ``lte`` (以内/前 N 名),
  ``eq`` (a plain number), ``approx`` (左右), ``range`` (``low``–``high``).
- commitment ``measure``: ``stock`` (the level at the target year), ``new`` (added during the plan
  period), ``cumulative`` (a flow summed over the period), ``annual`` (must hold every year).
- indicator ``nature``: ``expected`` (预期性) or ``binding`` (约束性); optional, ``expected`` when
  absent (the Nanyang table is titled 预期目标 and the file says so for each indicator).

Commitments are read as the plan means them (``engine/commitments.py``): a bare number is a floor
(``gte``), so ``eq`` is refused unless the quote says 等于/保持; ``approx`` (左右) needs a
``tolerance`` written here with its note (``absolute`` in the unit or ``relative`` as a fraction);
``annual`` names the ``areas`` it applies to (``city``, ``counties`` or area codes); a
``benchmark`` may name the ``benchmark_area`` whose series it is judged against; ``computed`` says
which registry count stands beside the published figure (``COMPUTED_SOURCES``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .commitments import Tolerance
from .validation import Validator

KINDS = ("level", "share", "average_annual_growth")
DIRECTIONS = ("increase", "decrease")
GROWTH_MODELS = ("linear", "geometric", "constant")
COMPARATORS = ("gte", "gt", "lte", "eq", "approx", "range")
MEASURES = ("stock", "new", "cumulative", "annual")
# The vocabulary in Chinese, as the admin, the pages and the report print it.
TARGET_KIND_LABELS = {"level": "总量", "share": "比重", "average_annual_growth": "年均增长"}
GROWTH_LABELS = {"linear": "线性", "geometric": "几何（等比）", "constant": "恒定增速"}
COMPARATOR_LABELS = {
    "gte": "不低于",
    "gt": "超过",
    "lte": "不高于",
    "eq": "等于",
    "approx": "左右",
    "range": "区间",
}
MEASURE_LABELS = {"stock": "存量", "new": "新增", "cumulative": "累计", "annual": "逐年"}
NATURES = ("expected", "binding")
NATURE_LABELS = {"expected": "预期性", "binding": "约束性"}
AREA_GROUPS = {"city": "全市", "counties": "各县（市、区）"}
# Registry counts a commitment can be computed from, with the filters each accepts.
COMPUTED_SOURCES: dict[str, frozenset[str]] = {
    "platforms": frozenset({"kinds", "levels"}),
    "teams": frozenset({"programmes"}),
    "st_commissioners": frozenset(),
}
_EQ_WORDING = ("等于", "保持")

_PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_AREA_CODE = re.compile(r"^\d{6}$")

_PLAN_KEYS = {"id", "title", "document_number", "issued", "period", "city", "source_file"}
_PLAN_KEYS |= {"indicators"}
_PLAN_KEYS_OPTIONAL = {"commitments", "notes"}
_INDICATOR_KEYS = {"code", "name", "unit", "baseline", "target", "kind", "direction"}
_INDICATOR_KEYS |= {"growth_model", "source"}
_COMMITMENT_KEYS = {"code", "title", "section", "quote", "unit", "comparator", "measure"}
_COMMITMENT_KEYS |= {"target_year"}
_COMMITMENT_OPTIONAL = {"value", "low", "high", "benchmark", "indicator", "also_in", "notes"}
_COMMITMENT_OPTIONAL |= {"tolerance", "areas", "benchmark_area", "computed"}


class PlanFileError(ValueError):
    """A plan file is invalid; ``errors`` lists every problem as ``"路径: 问题"``."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"规划文件有 {len(self.errors)} 处错误：\n" + "\n".join(self.errors))


@dataclass(frozen=True)
class SourceRef:
    """Where in the plan document a figure comes from: section and the exact wording."""

    section: str
    quote: str


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the plan's target table (预期目标), baseline → target."""

    code: str
    name: str
    unit: str
    baseline_year: int
    baseline_value: float
    target_year: int
    target_value: float
    kind: str
    direction: str
    growth_model: str
    source: SourceRef
    notes: tuple[str, ...] = ()
    nature: str = "expected"


@dataclass(frozen=True)
class ComputedSpec:
    """A registry count shown beside (or standing in for) a commitment's published figure."""

    source: str
    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommitmentSpec:
    """One quantitative promise in the plan's text (量化承诺), with its citation."""

    code: str
    title: str
    section: str
    quote: str
    unit: str
    comparator: str
    measure: str
    target_year: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    benchmark: str | None = None
    indicator: str | None = None
    also_in: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    tolerance: Tolerance | None = None
    areas: tuple[str, ...] = ()
    benchmark_area: str | None = None
    computed: ComputedSpec | None = None


@dataclass(frozen=True)
class Plan:
    """A multi-year plan (规划) with its indicators and commitments."""

    id: str
    title: str
    document_number: str
    issued: dt.date
    start_year: int
    end_year: int
    city_name: str
    area_code: str
    source_file: str
    indicators: tuple[IndicatorSpec, ...]
    commitments: tuple[CommitmentSpec, ...]
    notes: tuple[str, ...] = ()

    def indicator(self, code: str) -> IndicatorSpec:
        """The indicator with ``code``; KeyError if the plan has none."""
        for spec in self.indicators:
            if spec.code == code:
                return spec
        raise KeyError(code)

    def commitment(self, code: str) -> CommitmentSpec:
        """The commitment with ``code``; KeyError if the plan has none."""
        for spec in self.commitments:
            if spec.code == code:
                return spec
        raise KeyError(code)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one)."""


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, failing on the first key that occurs twice."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键“{key}”", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def load_plan(path: str | Path) -> Plan:
    """Read a UTF-8 YAML plan file and validate it (see ``parse_plan``).

    Raises PlanFileError for a missing file, a YAML syntax error, a duplicate key or any
    validation problem.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError([f"{file}: 文件不存在"]) from None
    except UnicodeDecodeError:
        raise PlanFileError([f"{file}: 文件不是 UTF-8 编码"]) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else "未知位置"
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError([f"{file}: YAML 格式错误（{where}）：{problem}"]) from None
    return parse_plan(data)


def parse_plan(data: Any) -> Plan:
    """Validate a decoded plan mapping and build a ``Plan``.

    Checks: required and unknown keys, identifier formats, numbers are real numbers (not
    strings or booleans), years are integers, known kinds/directions/growth models/comparators/
    measures, target year after baseline year, direction agrees with baseline → target, geometric
    paths have positive ends, unique codes, and every commitment's ``indicator`` exists.
    Raises PlanFileError listing every problem found.
    """
    v = Validator()
    if not isinstance(data, dict):
        raise PlanFileError(["(根): 规划文件顶层应为键值映射"])
    v.keys(data, "", _PLAN_KEYS, _PLAN_KEYS_OPTIONAL)
    period = v.mapping(data, "", "period", {"start", "end"})
    start = v.year(period, "period", "start")
    end = v.year(period, "period", "end")
    if start is not None and end is not None and end < start:
        v.error("period.end", f"结束年份 {end} 早于开始年份 {start}")
    city = v.mapping(data, "", "city", {"name", "area_code"})
    area_code = v.text(city, "city", "area_code")
    if area_code is not None and not _AREA_CODE.match(area_code):
        v.error("city.area_code", f"行政区划代码应为 6 位数字字符串（加引号），实为“{area_code}”")
    plan_id = v.text(data, "", "id")
    if plan_id is not None and not _PLAN_ID.match(plan_id):
        v.error("id", f"规划编号只能由小写字母、数字和连字符组成，实为“{plan_id}”")
    indicators = tuple(
        spec
        for i, item in enumerate(v.items(data, "indicators", required=True))
        if (spec := _parse_indicator(v, item, f"indicators[{i}]")) is not None
    )
    v.unique([s.code for s in indicators], "indicators", "指标")
    codes = {s.code for s in indicators}
    commitments = tuple(
        spec
        for i, item in enumerate(v.items(data, "commitments", required=False))
        if (spec := _parse_commitment(v, item, f"commitments[{i}]", codes, start)) is not None
    )
    v.unique([s.code for s in commitments], "commitments", "承诺")
    plan = Plan(
        id=plan_id or "",
        title=v.text(data, "", "title") or "",
        document_number=v.text(data, "", "document_number") or "",
        issued=v.date(data, "", "issued") or dt.date.min,
        start_year=start or 0,
        end_year=end or 0,
        city_name=v.text(city, "city", "name") or "",
        area_code=area_code or "",
        source_file=v.text(data, "", "source_file") or "",
        indicators=indicators,
        commitments=commitments,
        notes=v.notes(data, ""),
    )
    if v.errors:
        raise PlanFileError(v.errors)
    return plan


def _parse_indicator(v: Validator, item: Any, path: str) -> IndicatorSpec | None:
    """One entry of ``indicators``; None (with the problems recorded in ``v``) if invalid."""
    if not v.is_mapping(item, path):
        return None
    v.keys(item, path, _INDICATOR_KEYS, {"notes", "nature"})
    code = v.code(item, path)
    baseline = v.mapping(item, path, "baseline", {"year", "value"})
    target = v.mapping(item, path, "target", {"year", "value"})
    b_year, b_value = v.year(baseline, f"{path}.baseline"), v.number(baseline, f"{path}.baseline")
    t_year, t_value = v.year(target, f"{path}.target"), v.number(target, f"{path}.target")
    kind = v.choice(item, path, "kind", KINDS, "指标类型")
    direction = v.choice(item, path, "direction", DIRECTIONS, "方向")
    model = v.choice(item, path, "growth_model", GROWTH_MODELS, "增长模型")
    source = v.mapping(item, path, "source", {"section", "quote"})
    section, quote = (
        v.text(source, f"{path}.source", "section"),
        v.text(source, f"{path}.source", "quote"),
    )
    if b_year is not None and t_year is not None and t_year <= b_year:
        v.error(f"{path}.target.year", f"目标年份 {t_year} 不晚于基期年份 {b_year}")
    if kind is not None and model is not None:
        _check_model(v, path, kind, model, b_value, t_value)
    if None not in (kind, direction, b_value, t_value):
        _check_direction(v, path, kind, direction, b_value, t_value)  # type: ignore[arg-type]
    if None in (code, b_year, b_value, t_year, t_value, kind, direction, model, section, quote):
        return None
    return IndicatorSpec(
        code=code,  # type: ignore[arg-type]
        name=v.text(item, path, "name") or "",
        unit=v.text(item, path, "unit") or "",
        baseline_year=b_year,  # type: ignore[arg-type]
        baseline_value=b_value,  # type: ignore[arg-type]
        target_year=t_year,  # type: ignore[arg-type]
        target_value=t_value,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        growth_model=model,  # type: ignore[arg-type]
        source=SourceRef(section=section, quote=quote),  # type: ignore[arg-type]
        notes=v.notes(item, path),
        nature=v.choice(item, path, "nature", NATURES, "指标属性") or "expected",
    )


def _check_model(
    v: Validator, path: str, kind: str, model: str, baseline: float | None, target: float | None
) -> None:
    """The growth model must suit the kind, and a geometric path needs positive ends."""
    if (kind == "average_annual_growth") != (model == "constant"):
        v.error(f"{path}.growth_model", "年均增速类指标须用 constant 模型，其他类型不得用 constant")
    positive = baseline is None or target is None or min(baseline, target) > 0
    if model == "geometric" and not positive:
        v.error(f"{path}.growth_model", "几何增长路径要求基期值和目标值均大于 0")


def _check_direction(
    v: Validator, path: str, kind: str, direction: str, baseline: float, target: float
) -> None:
    """Baseline → target must move the stated way (completion needs a non-zero span)."""
    if kind == "average_annual_growth":
        if target == 0:
            v.error(f"{path}.target.value", "年均增速目标不能为 0（完成度无法计算）")
        return
    if target == baseline:
        v.error(f"{path}.target.value", "目标值与基期值相同，完成度无法计算")
    elif direction == "increase" and target < baseline:
        v.error(f"{path}.direction", f"方向为 increase，但目标值 {target} 小于基期值 {baseline}")
    elif direction == "decrease" and target > baseline:
        v.error(f"{path}.direction", f"方向为 decrease，但目标值 {target} 大于基期值 {baseline}")


def _parse_commitment(
    v: Validator, item: Any, path: str, indicator_codes: set[str], start_year: int | None
) -> CommitmentSpec | None:
    """One entry of ``commitments``: a value, a low–high range, or a benchmark, never two."""
    if not v.is_mapping(item, path):
        return None
    v.keys(item, path, _COMMITMENT_KEYS, _COMMITMENT_OPTIONAL)
    code = v.code(item, path)
    comparator = v.choice(item, path, "comparator", COMPARATORS, "比较方式")
    measure = v.choice(item, path, "measure", MEASURES, "计量方式")
    year = v.year(item, path, "target_year")
    if year is not None and start_year is not None and year < start_year:
        v.error(f"{path}.target_year", f"目标年份 {year} 早于规划期开始年份 {start_year}")
    value, low, high, benchmark = _commitment_target(v, item, path, comparator)
    indicator = v.text(item, path, "indicator")
    if indicator is not None and indicator not in indicator_codes:
        v.error(f"{path}.indicator", f"引用了不存在的指标代码“{indicator}”")
    texts = {k: v.text(item, path, k) for k in ("title", "section", "quote", "unit")}
    _check_wording(v, path, comparator, texts["quote"])
    extras = {
        "tolerance": _tolerance(v, item, path, comparator),
        "areas": _areas(v, item, path, measure),
        "benchmark_area": _benchmark_area(v, item, path, benchmark),
        "computed": _computed(v, item, path),
    }
    if None in (code, comparator, measure, year) or None in texts.values():
        return None
    return CommitmentSpec(
        code=code,  # type: ignore[arg-type]
        comparator=comparator,  # type: ignore[arg-type]
        measure=measure,  # type: ignore[arg-type]
        target_year=year,  # type: ignore[arg-type]
        value=value,
        low=low,
        high=high,
        benchmark=benchmark,
        indicator=indicator,
        also_in=v.strings(item, path, "also_in"),
        notes=v.notes(item, path),
        **texts,  # type: ignore[arg-type]
        **extras,  # type: ignore[arg-type]
    )


def _commitment_target(
    v: Validator, item: dict[str, Any], path: str, comparator: str | None
) -> tuple[float | None, float | None, float | None, str | None]:
    """(value, low, high, benchmark): a range has low/high, a benchmark no value."""
    value = low = high = None
    benchmark = v.text(item, path, "benchmark")
    if comparator == "range":
        low, high = v.number(item, path, "low"), v.number(item, path, "high")
        if low is not None and high is not None and low > high:
            v.error(f"{path}.low", f"区间下限 {low} 大于上限 {high}")
        if "value" in item:
            v.error(f"{path}.value", "区间型承诺用 low/high 表示，不应再写 value")
    elif benchmark is not None:
        if "value" in item:
            v.error(f"{path}.value", "对标型承诺（benchmark）没有固定数值，不应写 value")
    else:
        value = v.number(item, path, "value")
    return value, low, high, benchmark


def _check_wording(v: Validator, path: str, comparator: str | None, quote: str | None) -> None:
    """A bare number in the plan is a floor: ``eq`` only where the text says 等于/保持."""
    if comparator == "eq" and quote is not None and not any(w in quote for w in _EQ_WORDING):
        v.error(
            f"{path}.comparator",
            "原文没有“等于/保持”，单独写出的数字是下限，应为 gte（不低于）",
        )


def _tolerance(
    v: Validator, item: dict[str, Any], path: str, comparator: str | None
) -> Tolerance | None:
    """The 左右 tolerance: required for ``approx`` (with a note), refused for the others."""
    where = f"{path}.tolerance"
    if "tolerance" not in item:
        if comparator == "approx":
            v.error(where, "“左右”承诺须写明允许偏差（absolute 或 relative）及其说明 note")
        return None
    raw = item["tolerance"]
    if comparator != "approx":
        v.error(where, "只有“左右”（approx）承诺才写允许偏差")
        return None
    if not v.is_mapping(raw, where):
        return None
    v.keys(raw, where, {"note"}, {"absolute", "relative"})
    absolute, relative = v.number(raw, where, "absolute"), v.number(raw, where, "relative")
    note = v.text(raw, where, "note")
    if (absolute is None) == (relative is None):
        v.error(where, "absolute（绝对偏差）与 relative（相对偏差）须且只能写一个")
    elif (absolute is not None and absolute < 0) or (relative is not None and not 0 < relative < 1):
        v.error(where, "absolute 应不小于 0；relative 应在 0 与 1 之间（0.1 表示 ±10%）")
    if note is None:
        return None
    return Tolerance(absolute=absolute, relative=relative, note=note)


def _areas(v: Validator, item: dict[str, Any], path: str, measure: str | None) -> tuple[str, ...]:
    """Where an ``annual`` commitment applies: ``city``, ``counties`` or area codes."""
    areas = v.strings(item, path, "areas")
    if areas and measure != "annual":
        v.error(f"{path}.areas", "只有逐年（annual）承诺才写适用区域 areas")
    for name in areas:
        if name not in AREA_GROUPS and not _AREA_CODE.match(name):
            groups = "、".join(AREA_GROUPS)
            v.error(f"{path}.areas", f"未知的区域“{name}”，应为 {groups} 或 6 位行政区划代码")
    return areas or (("city",) if measure == "annual" else ())


def _benchmark_area(
    v: Validator, item: dict[str, Any], path: str, benchmark: str | None
) -> str | None:
    code = v.text(item, path, "benchmark_area")
    if code is None:
        return None
    if benchmark is None:
        v.error(f"{path}.benchmark_area", "只有对标型承诺（写了 benchmark）才写基准区域")
    if not _AREA_CODE.match(code):
        v.error(f"{path}.benchmark_area", f"基准区域应为 6 位行政区划代码（加引号），实为“{code}”")
    return code


def _computed(v: Validator, item: dict[str, Any], path: str) -> ComputedSpec | None:
    where = f"{path}.computed"
    raw = item.get("computed")
    if raw is None or not v.is_mapping(raw, where):
        return None
    source = v.choice(raw, where, "source", tuple(COMPUTED_SOURCES), "登记库计数来源")
    if source is None:
        if "source" not in raw:
            v.keys(raw, where, {"source"}, set())
        return None
    v.keys(raw, where, {"source"}, set(COMPUTED_SOURCES[source]))
    return ComputedSpec(
        source=source,
        kinds=v.strings(raw, where, "kinds"),
        levels=v.strings(raw, where, "levels"),
        programmes=v.strings(raw, where, "programmes"),
    )
