"""manage.py load_demo_observations [--user admin] [--file …] [--no-targets] [--skip-without-plan]

Monitoring values for the demo, so that every card of the dashboard, the heat map and the county
ranking show something:

1. Nanyang's **published figures** from the cited data file `data/observations/nanyang-published
   .yaml` (each with its source, issuer, address, publication date, kind and the source's own
   words; see the file's header for its rules);
2. **synthetic figures** (演示数据) for every indicator, the city and each county-level area, for
   the years 2020–2025 that no published figure covers: the city follows the plan's path with a
   deterministic deviation, bent to pass through the city's published figures of other kinds
   (a forecast, a count of the first months) so that it never contradicts them; a quantity
   (enterprises, platforms, contract value) is divided among
   the areas 70 % in the proportions of the synthetic registry's year-end counts and 30 % in
   those of the population (census 2020; so no area is left at 0); a share, ratio or rate is
   the city's value times a fixed factor per area. Their source title says 演示数据 and never
   names a real source;
3. the county split of each target (by the synthetic 2020 values), only for indicators that have
   none yet — without it the ranking has nothing to measure completion against.

Everything goes through the observation import (`imports.validate_file` and `commit`): the same
checks as a file a clerk uploads (`engine.figure_rules`; an unusual year-on-year change of a
synthetic figure carries a 确认理由). Idempotent: a figure already stored from the same source
and date is left alone, so a second run writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.core.audit import audit_context
from kechuang.monitoring import selectors, services
from kechuang.monitoring.engine.areas import is_additive
from kechuang.monitoring.engine.figure_rules import plausibility_findings
from kechuang.monitoring.engine.periods import parse_period
from kechuang.monitoring.imports import (
    COLUMNS,
    ImportRefused,
    ObservationImportReport,
    commit,
    validate_file,
)
from kechuang.monitoring.models import AreaTarget, Indicator, Plan
from kechuang.registry.models import Area

DATA_FILE = settings.DATA_DIR / "observations" / "nanyang-published.yaml"
DEMO_TITLE = "演示数据（合成，非发布数字）：由合成登记库和规划路径生成"
DEMO_ISSUER = "科创平台演示数据"
DEMO_SCOPE = "演示数据，仅供演示，不是统计数字"
DEMO_REASON = "演示数据：合成数值，与上年之比由合成方法（小基数、向已发布数字靠拢）造成"
FIRST_YEAR, LAST_YEAR = 2020, 2025
# Decimals kept per unit of a synthetic figure.
DECIMALS = {"家": 0, "个": 0, "件": 2, "亿元": 2, "人年": 1, "%": 2, "万人": 2}
# Share of the resident population that is employed (synthetic employed persons).
EMPLOYED_SHARE = Decimal("0.56")


class Command(BaseCommand):
    help = (
        "载入演示用监测值：南阳已发布的数字（附来源，见 data/observations/nanyang-published.yaml）"
        "和标注“演示数据”的合成数值，并为尚未分解的指标按合成基期值分解区域目标；可重复运行。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", default="admin", help="以该用户的身份录入（默认 admin）")
        parser.add_argument("--file", default=str(DATA_FILE), help="已发布数字的数据文件")
        parser.add_argument(
            "--no-targets", action="store_true", help="不分解区域目标（只录入监测值）"
        )
        parser.add_argument(
            "--skip-without-plan",
            action="store_true",
            help="规划尚未载入时跳过（供 load_demo 调用），而不是报错",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在，请先运行 manage.py load_demo。")
        published = read_published(Path(options["file"]))
        plan = selectors.get_plan(published["plan"])
        if plan is None and options["skip_without_plan"]:
            self.stdout.write("规划尚未载入（manage.py load_plan），跳过演示监测值。")
            return
        if plan is None:
            raise CommandError(f"规划“{published['plan']}”不存在，请先运行 manage.py load_plan。")
        today = timezone.localdate()
        # a figure published after today's date (a machine with a wrong clock) waits
        rows = [r for r in published_rows(published) if r["as_of"] <= today.isoformat()]
        real = list(rows)
        rows += demo_rows(plan, rows, today)
        with audit_context(label=f"manage.py load_demo_observations（{user.get_username()}）"):
            report = validate_file(to_csv(rows), user, plan, filename=Path(options["file"]).name)
            if report.errors:
                raise CommandError(_errors(report))
            created = 0
            if report.to_create:
                try:
                    created = commit(report, user).created
                except ImportRefused as error:
                    raise CommandError(f"{error}\n{_errors(report)}") from None
            split = 0 if options["no_targets"] else split_demo_targets(user, plan, rows)
        self.stdout.write(
            f"演示监测值：共 {len(rows)} 条"
            f"（已发布 {len(published['figures'])} 条中的 {len(real)} 条，其余为演示数据），"
            f"新增 {created} 条，已存在 {report.unchanged} 条；新分解区域目标 {split} 项指标。"
        )


def _errors(report: ObservationImportReport) -> str:
    lines = [f"演示监测值未通过校验，未写入任何数据（{len(report.errors)} 处）："]
    for error in report.errors[:30]:
        lines.append(f"第 {error.row} 行【{error.column_header}】{error.value}：{error.problem}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The published figures


def read_published(path: Path) -> dict[str, Any]:
    """The data file, checked for the fields every figure needs (Chinese message otherwise)."""
    if not path.is_file():
        raise CommandError(f"数据文件“{path}”不存在。")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = data.get("sources") or {}
    for number, figure in enumerate(data.get("figures") or [], start=1):
        missing = [
            name
            for name in ("area", "period", "value", "kind", "as_of", "source", "quote")
            if figure.get(name) in (None, "")
        ]
        if not (figure.get("indicator") or figure.get("commitment")):
            missing.append("indicator/commitment")
        if missing:
            raise CommandError(f"数据文件第 {number} 个数字缺少：{'、'.join(missing)}。")
        if figure["source"] not in sources:
            raise CommandError(f"数据文件第 {number} 个数字的来源“{figure['source']}”未定义。")
    return data


def published_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """One import row per published figure, its source written out."""
    rows = []
    for figure in data["figures"]:
        source = data["sources"][figure["source"]]
        rows.append(
            {
                "indicator": figure.get("indicator") or figure["commitment"],
                "area": str(figure["area"]),
                "period": str(figure["period"]),
                "value": _text(Decimal(str(figure["value"]))),
                "kind": figure["kind"],
                "as_of": str(figure["as_of"]),
                "source": source["title"],
                "source_issuer": source.get("issuer", ""),
                "source_url": source.get("url", ""),
                "source_quote": figure["quote"],
                "other_scope": figure.get("other_scope", ""),
                "confirm_reason": figure.get("confirm_reason", ""),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The synthetic figures


def _unit_fraction(*parts: object) -> Decimal:
    """A number in [0, 1) fixed by `parts` (the same on every machine and every run)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return Decimal(int(digest[:8], 16)) / Decimal(16**8)


def _round(value: Decimal, unit: str) -> Decimal:
    places = DECIMALS.get(unit, 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def plan_path(indicator: Indicator, year: int) -> Decimal:
    """The plan's planned value for `year` (its growth model between baseline and target)."""
    base, target = indicator.baseline_value, indicator.target_value
    span = Decimal(indicator.target_year - indicator.baseline_year)
    step = Decimal(year - indicator.baseline_year) / span
    if indicator.growth_model == "constant":
        return target
    if indicator.growth_model == "geometric" and base > 0:
        return base * Decimal(float(target / base) ** float(step))
    return base + (target - base) * step


def demo_years(today: dt.date) -> list[int]:
    """Years that have ended and whose synthetic publication date (31 March after) has passed."""
    return [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if demo_as_of(y) <= today]


def demo_as_of(year: int) -> dt.date:
    return dt.date(year + 1, 3, 31)


# Which published figure of a city-year the synthetic series follows, best first.
ANCHOR_KINDS = ("actual", "preliminary", "forecast", "partial")


def city_anchors(published: list[dict[str, str]], city: str) -> dict[tuple[str, int], Decimal]:
    """{(indicator code, year): value} of the city's published figures of one year or fewer
    months (正式数, 初步数, else 预测数, else 部分期间数): the synthetic city series passes
    through them, so the demo never contradicts a published number."""
    anchors: dict[tuple[str, int], tuple[int, Decimal]] = {}
    for row in published:
        if row["area"] != city or row["kind"] not in ANCHOR_KINDS:
            continue
        key = (row["indicator"], parse_period(row["period"]).year)
        rank = ANCHOR_KINDS.index(row["kind"])
        if key not in anchors or rank < anchors[key][0]:
            anchors[key] = (rank, Decimal(row["value"]))
    return {key: value for key, (_, value) in anchors.items()}


def city_value(indicator: Indicator, year: int, anchors: dict[tuple[str, int], Decimal]) -> Decimal:
    """A published figure of that year as it is; else the plan's path times its ratio to the
    published figures around (interpolated between them, held after the last one; 1 at the
    baseline), 8 % below to 4 % above (fixed per indicator and year)."""
    if (indicator.code, year) in anchors:
        return anchors[(indicator.code, year)]
    ratios = {indicator.baseline_year: Decimal(1)}
    for (code, y), value in anchors.items():
        path = plan_path(indicator, y)
        if code == indicator.code and path:
            ratios[y] = value / path
    before = max((y for y in ratios if y < year), default=min(ratios))
    after = min((y for y in ratios if y > year), default=None)
    ratio = ratios[before]
    if after is not None and after != before:
        ratio += (ratios[after] - ratio) * (year - before) / (after - before)
    factor = Decimal("0.92") + Decimal("0.12") * _unit_fraction(indicator.code, year)
    return plan_path(indicator, year) * ratio * factor


def area_factor(code: str, area: Area, year: int) -> Decimal:
    """An area's value relative to the city's for a share, ratio or rate: 0.7–1.3 per area,
    moving by at most ±3 % from year to year."""
    fixed = Decimal("0.7") + Decimal("0.6") * _unit_fraction(code, area.code)
    drift = Decimal("0.97") + Decimal("0.06") * _unit_fraction(code, area.code, year)
    return fixed * drift


def allocate(total: Decimal, weights: dict[str, Decimal], unit: str) -> dict[str, Decimal]:
    """`total` divided in proportion to `weights`, rounded so the parts add up exactly (largest
    remainder, ties by name)."""
    step = Decimal(1).scaleb(-DECIMALS.get(unit, 2))
    units = int((_round(total, unit) / step).to_integral_value())
    whole = sum(weights.values()) or Decimal(len(weights))
    raw = {
        a: (w if sum(weights.values()) else Decimal(1)) * units / whole for a, w in weights.items()
    }
    parts = {a: int(v) for a, v in raw.items()}
    rest = units - sum(parts.values())
    for a in sorted(raw, key=lambda a: (-(raw[a] - parts[a]), a))[:rest]:
        parts[a] += 1
    return {a: n * step for a, n in parts.items()}


def registry_weights(indicator: Indicator, areas: list[Area], years: list[int]) -> Any:
    """{year: {area code: weight}}: the synthetic registry's counts for a computable quantity."""
    series = selectors.computed_series(indicator.computed_from, years, areas)
    out: dict[int, dict[str, Decimal]] = {}
    for year in years:
        points = {a.code: series.get(a.code, {}).get(year) for a in areas}
        out[year] = {
            code: Decimal(str(p.value)) if p is not None and p.value is not None else Decimal(0)
            for code, p in points.items()
        }
    return out


def population_weights(areas: list[Area], published: list[dict[str, str]]) -> Any:
    """{area code: weight}: the census population where published, else an equal share of the
    rest (the functional zones and the counties the census table above does not list)."""
    census = {
        r["area"]: Decimal(r["value"])
        for r in published
        if r["indicator"] == "population" and r["period"] == "2020"
    }
    city_total = census.pop("411300", Decimal(0))
    known = {a.code: census[a.code] for a in areas if a.code in census}
    others = [a.code for a in areas if a.code not in known]
    rest = max(city_total - sum(known.values()), Decimal(len(others)))
    weights = dict(known)
    for code in others:
        weights[code] = rest / len(others) * (Decimal("0.5") + _unit_fraction("pop", code))
    return weights


def blend(registry: dict[str, Decimal], population: dict[str, Decimal]) -> dict[str, Decimal]:
    """Weights of the areas: 70 % the registry's share, 30 % the population's, so that an area
    the small synthetic registry counts nothing in still has a share (and a target)."""
    counted, people = sum(registry.values()), sum(population.values())
    if not counted:
        return population
    return {
        code: Decimal("0.7") * registry.get(code, Decimal(0)) / counted
        + Decimal("0.3") * weight / people
        for code, weight in population.items()
    }


class DemoSeries:
    """The synthetic values of one plan, keyed by (indicator code, area code, year)."""

    def __init__(self, plan: Plan, published: list[dict[str, str]], today: dt.date) -> None:
        self.plan = plan
        self.anchors = city_anchors(published, plan.area.code)
        self.city = plan.area
        self.areas = selectors.split_areas(plan)
        self.years = demo_years(today)
        self.population = population_weights(self.areas, published)
        self.values: dict[tuple[str, str, int], Decimal] = {}

    def build(self) -> dict[tuple[str, str, int], Decimal]:
        for indicator in self.plan.indicators.filter(is_auxiliary=False).order_by("sort_order"):
            self._indicator(indicator)
        self._auxiliary()
        return self.values

    def _indicator(self, indicator: Indicator) -> None:
        additive = is_additive(indicator.kind, indicator.code)
        weights = (
            registry_weights(indicator, self.areas, self.years)
            if additive and indicator.computed_from
            else {}
        )
        for year in self.years:
            total = _round(city_value(indicator, year, self.anchors), indicator.unit)
            self.values[(indicator.code, self.city.code, year)] = total
            if additive:
                shares = blend(weights.get(year) or {}, self.population)
                for code, part in allocate(total, shares, indicator.unit).items():
                    self.values[(indicator.code, code, year)] = part
                continue
            for area in self.areas:
                value = total * area_factor(indicator.code, area, year)
                if indicator.unit == "%" and indicator.kind == "share":
                    value = min(value, Decimal(100))
                self.values[(indicator.code, area.code, year)] = _round(value, indicator.unit)

    def _auxiliary(self) -> None:
        """Population (the census shares, shrinking 0.3 % a year) and employed persons."""
        total = sum(self.population.values())
        city_2020 = Decimal("971.3112")
        for year in self.years:
            shrink = 1 - Decimal("0.003") * (year - FIRST_YEAR)
            for code, weight in [(self.city.code, total), *self.population.items()]:
                people = city_2020 * weight / total * shrink
                self.values[("population", code, year)] = _round(people, "万人")
                self.values[("employed_persons", code, year)] = _round(
                    people * EMPLOYED_SHARE, "万人"
                )


def demo_rows(plan: Plan, published: list[dict[str, str]], today: dt.date) -> list[dict[str, str]]:
    """Import rows of the synthetic series, leaving out every (subject, area, year) a published
    正式数/初步数 covers; a change the plausibility check would question carries a reason."""
    covered = {
        (r["indicator"], r["area"], int(r["period"]))
        for r in published
        if r["kind"] in ("actual", "preliminary")
    }
    values = DemoSeries(plan, published, today).build()
    counted = {k: Decimal(r["value"]) for r in published for k in _counted_key(r)}
    counted.update({k: v for k, v in values.items() if k not in covered})
    factor = services.plausibility_factor()
    rows = []
    for (code, area, year), value in sorted(values.items()):
        if (code, area, year) in covered:
            continue
        previous = counted.get((code, area, year - 1))
        unusual = plausibility_findings(value, "actual", year, previous, factor)
        rows.append(
            {
                "indicator": code,
                "area": area,
                "period": str(year),
                "value": _text(value),
                "kind": "actual",
                "as_of": demo_as_of(year).isoformat(),
                "source": DEMO_TITLE,
                "source_issuer": DEMO_ISSUER,
                "other_scope": DEMO_SCOPE,
                "confirm_reason": DEMO_REASON if unusual else "",
            }
        )
    rows += commitment_rows(plan, covered, today)
    return rows


def _counted_key(row: dict[str, str]) -> list[tuple[str, str, int]]:
    if row["kind"] not in ("actual", "preliminary"):
        return []
    return [(row["indicator"], row["area"], int(row["period"]))]


def commitment_rows(plan: Plan, covered: set[Any], today: dt.date) -> list[dict[str, str]]:
    """The city's R&D intensity for the years after its published 2020 figure (1.15 %), up
    towards 2 % by 2025: the benchmark commitment compares it with the province's figures."""
    code = "rd_intensity_vs_province"
    if not plan.commitments.filter(code=code).exists():
        return []
    rows = []
    for year in demo_years(today):
        if (code, plan.area.code, year) in covered:
            continue
        path = Decimal("1.15") + Decimal("0.17") * (year - FIRST_YEAR)
        value = path * (Decimal("0.95") + Decimal("0.08") * _unit_fraction(code, year))
        rows.append(
            {
                "indicator": code,
                "area": plan.area.code,
                "period": str(year),
                "value": _text(_round(value, "%")),
                "kind": "actual",
                "as_of": demo_as_of(year).isoformat(),
                "source": DEMO_TITLE,
                "source_issuer": DEMO_ISSUER,
                "other_scope": DEMO_SCOPE,
                "confirm_reason": "",
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """The rows as the UTF-8 CSV the observation import reads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in COLUMNS})
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The county split of the targets


def split_demo_targets(user: Any, plan: Plan, rows: list[dict[str, str]]) -> int:
    """Split every indicator without area targets by the synthetic 2020 values: a quantity by
    baseline share, a share, ratio or rate with the area's own target (the city's times the
    area's factor). Returns the number of indicators split."""
    areas = selectors.split_areas(plan)
    names = {a.code: a.name for a in areas}
    baseline = {
        (r["indicator"], r["area"]): Decimal(r["value"])
        for r in rows
        if r["period"] == str(FIRST_YEAR) and r["kind"] == "actual" and r["area"] in names
    }
    split = 0
    for indicator in plan.indicators.filter(is_auxiliary=False).order_by("sort_order"):
        if AreaTarget.objects.filter(indicator=indicator).exists():
            continue
        base = {
            names[c]: float(baseline[(indicator.code, c)])
            for c in names
            if (indicator.code, c) in baseline
        }
        if len(base) != len(names):
            continue
        if is_additive(indicator.kind, indicator.code):
            services.split_indicator_target(user, indicator, base)
        else:
            services.set_area_targets(user, indicator, _own_targets(indicator, areas, base))
        split += 1
    return split


def _own_targets(
    indicator: Indicator, areas: list[Area], base: dict[str, float]
) -> dict[str, tuple[float | None, float]]:
    targets = {}
    for area in areas:
        target = indicator.target_value * area_factor(indicator.code, area, indicator.target_year)
        if indicator.unit == "%" and indicator.kind == "share":
            target = min(target, Decimal(100))
        value = float(_round(target, indicator.unit))
        if value == base[area.name] and indicator.kind != "average_annual_growth":
            value += 1
        targets[area.name] = (base[area.name], value)
    return targets
