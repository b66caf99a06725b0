"""Projection of 高新技术企业 (HNTE) and 科技型中小企业 (TSME) counts to a plan's target year.

Pure Python (no Django): the caller supplies counts, the 高企后备库 by tier and the rates.

HNTE model (``hnte_method == "model"``), one step per year from ``h(base_year) = hnte_now``::

    h(t+1) = h(t) × retention + Σ_tier pool_tier × rate_tier

* ``retention`` — the share of HNTE holders at the end of year t−1 still holding at the end of
  year t (certificates last 3 years and most holders renew), see :func:`historical_retention`.
* ``pool_tier`` — reserve-pool members per tier now (HNTE holders excluded). The pool is held
  constant: each year's new entrants are assumed to equal the enterprises leaving it.
* ``rate_tier`` — annual HNTE conversion rate of the tier: ``tier_rates[tier]`` when tier
  history exists, else the city-wide TSME→HNTE rate ``overall_rate`` (:func:`historical_rate`).

Support: each enterprise in ``supported`` (named by its tier) is removed from its tier in the
first projected year and counted as HNTE with certainty, so the first-year uplift is
``U = Σ_supported (1 − rate_tier)``; afterwards the pool is back to its constant size and the
uplift is carried on with retention: ``hnte(base_year + k) = hnte_without_support + U ×
retention^(k − 1)``.

When retention or a needed tier rate is missing, HNTE is extrapolated with
:func:`~kechuang.monitoring.engine.trend.trend_forecast` on ``hnte_history`` (``"trend"``,
support not counted); with fewer than two history points no HNTE projection is given
(``"unavailable"``). TSME always uses ``trend_forecast`` on ``tsme_history`` (90 % prediction
interval from three points on), or stays at ``tsme_now`` with fewer than two points.
In both histories ``(base_year, *_now)`` is taken as the base-year point (it replaces a history
point of that year). Trend values below zero are clipped to zero.

Targets: ``gap = target − projected`` at ``target_year`` (positive = shortfall).
``required_extra_per_year`` is the number ``x`` of extra HNTE conversions each remaining year
(beyond the model) that closes the gap, an extra conversion in year y surviving to the target
year as ``retention^(target_year − y)``::

    x = gap / Σ_{y = base_year+1 .. target_year} retention^(target_year − y)

``support_needed`` is the smallest number of further pool members, taken closest first (成熟,
成长, 初创, 种子, then other tiers by code), whose support closes the gap; each adds
``(1 − rate_tier) × retention^(target_year − base_year − 1)`` at the target year.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kechuang.monitoring.engine.trend import trend_forecast

HnteMethod = Literal["model", "trend", "unavailable", "actual"]
TsmeMethod = Literal["ols", "two_point", "constant", "actual"]

# Reserve-pool tiers, closest to HNTE recognition first (the order support is given in).
TIER_ORDER: tuple[str, ...] = ("mature", "growing", "startup", "seed")
TIER_LABELS: dict[str, str] = {
    "mature": "成熟",
    "growing": "成长",
    "startup": "初创",
    "seed": "种子",
}
TARGET_PASSED_NOTE = "规划目标年已过，请以实际数据为准"

_EPS = 1e-9


@dataclass(frozen=True)
class ConversionYear:
    """TSME→HNTE conversion in ``year``.

    ``candidates``: enterprises holding TSME and not HNTE at the end of ``year − 1``;
    ``converted``: of those, the ones holding HNTE at the end of ``year``.
    """

    year: int
    candidates: int
    converted: int

    def __post_init__(self) -> None:
        _check_count(self.candidates, f"{self.year} 年转化候选企业数")
        _check_count(self.converted, f"{self.year} 年转化企业数")
        if self.converted > self.candidates:
            raise ValueError(
                f"{self.year} 年转化企业数 {self.converted} 大于候选企业数 {self.candidates}"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RetentionYear:
    """HNTE retention in ``year``.

    ``holders_start``: HNTE holders at the end of ``year − 1``; ``still_holding``: of those,
    the ones still holding HNTE at the end of ``year``.
    """

    year: int
    holders_start: int
    still_holding: int

    def __post_init__(self) -> None:
        _check_count(self.holders_start, f"{self.year} 年初高企数")
        _check_count(self.still_holding, f"{self.year} 年末仍持有高企资格的企业数")
        if self.still_holding > self.holders_start:
            raise ValueError(
                f"{self.year} 年末仍持有高企资格的企业数 {self.still_holding} "
                f"大于年初高企数 {self.holders_start}"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return dataclasses.asdict(self)


def historical_rate(conversions: Sequence[ConversionYear]) -> float | None:
    """Pooled TSME→HNTE conversion rate Σ converted / Σ candidates (None: no candidates)."""
    candidates = sum(item.candidates for item in conversions)
    if candidates == 0:
        return None
    return sum(item.converted for item in conversions) / candidates


def historical_retention(retentions: Sequence[RetentionYear]) -> float | None:
    """Pooled HNTE retention Σ still_holding / Σ holders_start (None: no holders)."""
    holders = sum(item.holders_start for item in retentions)
    if holders == 0:
        return None
    return sum(item.still_holding for item in retentions) / holders


@dataclass(frozen=True)
class ProjectionInput:
    """Everything :func:`project` needs; counts are year-end counts of enterprises.

    ``pool`` maps a tier code (see :data:`TIER_ORDER`) to its members now, HNTE holders
    excluded; ``supported`` names the tier of each enterprise staff choose to support (assumed
    to become HNTE in ``base_year + 1``). Rates are shares in [0, 1].
    """

    base_year: int
    target_year: int
    hnte_now: int
    tsme_now: int
    hnte_history: tuple[tuple[int, int], ...]
    tsme_history: tuple[tuple[int, int], ...]
    pool: dict[str, int]
    tier_rates: dict[str, float] | None
    overall_rate: float | None
    retention: float | None
    hnte_target: float | None
    tsme_target: float | None
    supported: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectedYear:
    """Projected year-end counts for ``year`` (unrounded; ``hnte`` is None when unavailable).

    ``hnte`` includes the supported enterprises, ``hnte_without_support`` does not;
    ``tsme_low``/``tsme_high`` bound the 90 % prediction interval (None without one).
    """

    year: int
    hnte: float | None
    hnte_without_support: float | None
    tsme: float
    tsme_low: float | None
    tsme_high: float | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Projection:
    """The outcome of :func:`project`.

    ``hnte_projected``/``tsme_projected`` are the values at ``target_year`` (the ``*_now``
    values when the target year has passed). ``support_uplift`` is what the supported
    enterprises add at the target year. ``rates`` are the tier rates actually used.
    ``assumptions`` describe the model; ``notes`` report fallbacks and warnings (both Chinese).
    """

    base_year: int
    target_year: int
    years: list[ProjectedYear]
    hnte_method: HnteMethod
    tsme_method: TsmeMethod
    hnte_projected: float | None
    hnte_without_support_projected: float | None
    tsme_projected: float
    hnte_target: float | None
    tsme_target: float | None
    hnte_gap: float | None
    tsme_gap: float | None
    hnte_met: bool | None
    tsme_met: bool | None
    required_extra_per_year: float | None
    support_needed: int | None
    support_uplift: float | None
    rates: dict[str, float]
    retention: float | None
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return dataclasses.asdict(self)


def project(inp: ProjectionInput) -> Projection:
    """Project HNTE and TSME counts from ``base_year + 1`` to ``target_year``.

    Raises ValueError (Chinese message) on negative counts, rates outside [0, 1], history
    after the base year or repeated history years, and supported enterprises not in the pool.
    """
    _validate(inp)
    support = Counter(inp.supported)
    rates, missing_rates = _tier_rates(inp)
    if inp.target_year <= inp.base_year:
        return _target_passed(inp, rates)

    years = list(range(inp.base_year + 1, inp.target_year + 1))
    texts = _Texts()
    hnte = _project_hnte(inp, rates, missing_rates, support, years, texts)
    tsme = _project_tsme(inp, years, texts)
    hnte_final = None if hnte.values is None else hnte.values[-1]
    hnte_plain_final = None if hnte.plain is None else hnte.plain[-1]
    tsme_final = tsme.rows[-1][0]
    hnte_gap = _gap(inp.hnte_target, hnte_final)
    tsme_gap = _gap(inp.tsme_target, tsme_final)
    required = _required_extra(inp, hnte_gap, years, texts)
    support_needed = _support_for_gap(inp, hnte_gap, hnte.method, rates, support, texts)
    return Projection(
        base_year=inp.base_year,
        target_year=inp.target_year,
        years=_projected_years(years, hnte, tsme),
        hnte_method=hnte.method,
        tsme_method=tsme.method,
        hnte_projected=hnte_final,
        hnte_without_support_projected=hnte_plain_final,
        tsme_projected=tsme_final,
        hnte_target=inp.hnte_target,
        tsme_target=inp.tsme_target,
        hnte_gap=hnte_gap,
        tsme_gap=tsme_gap,
        hnte_met=_met(hnte_gap),
        tsme_met=_met(tsme_gap),
        required_extra_per_year=required,
        support_needed=support_needed,
        support_uplift=(
            None
            if hnte_final is None or hnte_plain_final is None
            else hnte_final - hnte_plain_final
        ),
        rates=rates,
        retention=inp.retention,
        assumptions=texts.assumptions,
        notes=texts.notes,
    )


@dataclass
class _Texts:
    """The projection's assumptions and notes (Chinese), in the order the steps add them."""

    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _HnteSeries:
    """Projected HNTE counts per year with and without support (None when unavailable)."""

    method: HnteMethod
    values: list[float] | None
    plain: list[float] | None


@dataclass(frozen=True)
class _TsmeSeries:
    """Projected TSME counts per year as (value, low, high)."""

    method: TsmeMethod
    rows: list[tuple[float, float | None, float | None]]


def _project_hnte(
    inp: ProjectionInput,
    rates: dict[str, float],
    missing_rates: list[str],
    support: Counter[str],
    years: list[int],
    texts: _Texts,
) -> _HnteSeries:
    """The HNTE model when retention and every needed rate are known, else the trend of the
    history (support not counted), else nothing."""
    horizon = len(years)
    if inp.retention is not None and not missing_rates:
        plain = _run_model(inp, rates, Counter(), horizon)
        values = _run_model(inp, rates, support, horizon)
        texts.assumptions.extend(_model_assumptions(inp, rates, support))
        return _HnteSeries("model", values, plain)
    lacking = _lacking_text(inp, missing_rates)
    hnte_points = _merged(inp.hnte_history, inp.base_year, inp.hnte_now)
    if len(hnte_points) < 2:
        texts.notes.append(f"缺少{lacking}，且高企历史数据不足两年，无法推算高企数量。")
        return _HnteSeries("unavailable", None, None)
    plain = [_trend_value(hnte_points, year) for year in years]
    texts.notes.append(
        f"缺少{lacking}，高企数量改按历年数据线性趋势外推（{len(hnte_points)} 年数据）。"
    )
    if inp.supported:
        texts.notes.append("趋势外推无法区分后备库梯队，重点扶持企业的效果未计入。")
    return _HnteSeries("trend", list(plain), plain)


def _project_tsme(inp: ProjectionInput, years: list[int], texts: _Texts) -> _TsmeSeries:
    """TSME by the OLS trend (interval from three points on), or constant at ``tsme_now``."""
    tsme_points = _merged(inp.tsme_history, inp.base_year, inp.tsme_now)
    if len(tsme_points) < 2:
        texts.notes.append(
            f"科技型中小企业历史数据不足两年，按当前数量 {inp.tsme_now} 家保持不变计。"
        )
        return _TsmeSeries("constant", [(float(inp.tsme_now), None, None)] * len(years))
    rows: list[tuple[float, float | None, float | None]] = []
    for year in years:
        forecast = trend_forecast(tsme_points, year)
        assert forecast is not None
        low = None if forecast.low is None else max(0.0, forecast.low)
        high = None if forecast.high is None else max(0.0, forecast.high)
        rows.append((max(0.0, forecast.value), low, high))
    if len(tsme_points) >= 3:
        texts.assumptions.append(
            f"科技型中小企业数量按 {len(tsme_points)} 年历史数据的线性趋势（最小二乘）外推，"
            "区间为 90% 预测区间。"
        )
        return _TsmeSeries("ols", rows)
    texts.assumptions.append("科技型中小企业数量按两年数据连线外推，数据过少，未给出区间。")
    return _TsmeSeries("two_point", rows)


def _projected_years(years: list[int], hnte: _HnteSeries, tsme: _TsmeSeries) -> list[ProjectedYear]:
    return [
        ProjectedYear(
            year=year,
            hnte=None if hnte.values is None else hnte.values[i],
            hnte_without_support=None if hnte.plain is None else hnte.plain[i],
            tsme=tsme.rows[i][0],
            tsme_low=tsme.rows[i][1],
            tsme_high=tsme.rows[i][2],
        )
        for i, year in enumerate(years)
    ]


def _required_extra(
    inp: ProjectionInput, hnte_gap: float | None, years: list[int], texts: _Texts
) -> float | None:
    """Extra HNTE conversions needed each remaining year to close the gap (see the module
    docstring); retention counts as 100 % when unknown."""
    if hnte_gap is None:
        return None
    retention = inp.retention
    if retention is None:
        retention = 1.0
        if hnte_gap > _EPS:
            texts.notes.append("保有率未知，每年需额外新增的高企数按保有率 100% 计算。")
    weights = sum(retention ** (inp.target_year - year) for year in years)
    if hnte_gap <= _EPS:
        return 0.0
    texts.assumptions.append(
        "每年需额外新增高企数 = 目标年缺口 ÷ Σ 保有率^(目标年 − 年份)，"
        "即各剩余年份均匀新增、按保有率留存到目标年。"
    )
    return hnte_gap / weights


def _support_for_gap(
    inp: ProjectionInput,
    hnte_gap: float | None,
    hnte_method: HnteMethod,
    rates: dict[str, float],
    support: Counter[str],
    texts: _Texts,
) -> int | None:
    """How many further pool members must be supported to close the HNTE gap (model only)."""
    if hnte_gap is None:
        return None
    if hnte_gap <= _EPS:
        return 0
    if hnte_method != "model":
        texts.notes.append("高企数量按趋势外推，无法测算补足缺口所需的扶持企业数。")
        return None
    assert inp.retention is not None
    factor = inp.retention ** (inp.target_year - inp.base_year - 1)
    needed = _support_needed(hnte_gap, inp.pool, support, rates, factor)
    if needed is None:
        texts.notes.append("即使扶持后备库全部企业也无法在目标年补足高企缺口。")
    else:
        texts.assumptions.append(
            "补足缺口所需扶持企业数按成熟、成长、初创、种子梯队顺序（最接近认定者优先）"
            "从后备库中选取计算。"
        )
    return needed


def tier_label(tier: str) -> str:
    """Chinese name of a tier (the code itself for unknown tiers)."""
    return TIER_LABELS.get(tier, tier)


def _check_count(value: float, what: str) -> None:
    if value < 0:
        raise ValueError(f"{what}不能为负数（{value}）")


def _check_rate(value: float | None, what: str) -> None:
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"{what}应在 0 到 1 之间（{value}）")


def _validate(inp: ProjectionInput) -> None:
    _check_count(inp.hnte_now, "当前高企数")
    _check_count(inp.tsme_now, "当前科技型中小企业数")
    for name, history in (("高企", inp.hnte_history), ("科技型中小企业", inp.tsme_history)):
        _validate_history(name, history, inp.base_year)
    for tier, count in inp.pool.items():
        _check_count(count, f"后备库{tier_label(tier)}梯队企业数")
    for tier, rate in (inp.tier_rates or {}).items():
        _check_rate(rate, f"{tier_label(tier)}梯队转化率")
    _check_rate(inp.overall_rate, "全市转化率")
    _check_rate(inp.retention, "高企保有率")
    if inp.hnte_target is not None:
        _check_count(inp.hnte_target, "高企目标数")
    if inp.tsme_target is not None:
        _check_count(inp.tsme_target, "科技型中小企业目标数")
    _validate_supported(inp)


def _validate_history(name: str, history: Sequence[tuple[int, int]], base_year: int) -> None:
    """Counts not negative, no year after the base year, no year twice."""
    seen: set[int] = set()
    for year, count in history:
        _check_count(count, f"{year} 年{name}数")
        if year > base_year:
            raise ValueError(f"{name}历史数据中的 {year} 年晚于基准年 {base_year}")
        if year in seen:
            raise ValueError(f"{name}历史数据中 {year} 年重复出现")
        seen.add(year)


def _validate_supported(inp: ProjectionInput) -> None:
    """Every supported enterprise's tier is in the pool, with enough members."""
    for tier, count in Counter(inp.supported).items():
        if tier not in inp.pool:
            raise ValueError(f"重点扶持企业的梯队“{tier_label(tier)}”不在后备库中")
        if count > inp.pool[tier]:
            raise ValueError(
                f"{tier_label(tier)}梯队重点扶持 {count} 家，超过后备库中该梯队的 "
                f"{inp.pool[tier]} 家"
            )


def _ordered_tiers(tiers: Sequence[str] | dict[str, int]) -> list[str]:
    """Tiers closest first: :data:`TIER_ORDER`, then other codes alphabetically."""
    known = [tier for tier in TIER_ORDER if tier in tiers]
    return known + sorted(tier for tier in tiers if tier not in TIER_ORDER)


def _tier_rates(inp: ProjectionInput) -> tuple[dict[str, float], list[str]]:
    """Rates used for pool tiers with members, and the tiers lacking any rate."""
    rates: dict[str, float] = {}
    missing: list[str] = []
    for tier in _ordered_tiers(inp.pool):
        if inp.pool[tier] == 0:
            continue
        if inp.tier_rates is not None and tier in inp.tier_rates:
            rates[tier] = inp.tier_rates[tier]
        elif inp.overall_rate is not None:
            rates[tier] = inp.overall_rate
        else:
            missing.append(tier)
    return rates, missing


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _names(tiers: Sequence[str]) -> str:
    return "、".join(tier_label(tier) for tier in tiers)


def _lacking_text(inp: ProjectionInput, missing_rates: Sequence[str]) -> str:
    parts = []
    if inp.retention is None:
        parts.append("高企保有率")
    if missing_rates:
        parts.append(f"{_names(missing_rates)}梯队的转化率")
    return "和".join(parts)


def _run_model(
    inp: ProjectionInput, rates: dict[str, float], support: Counter[str], horizon: int
) -> list[float]:
    """HNTE counts for ``horizon`` years; ``support`` acts in the first year only."""
    assert inp.retention is not None
    inflow = sum(inp.pool[tier] * rate for tier, rate in rates.items())
    first_inflow = sum(
        (inp.pool[tier] - support[tier]) * rate for tier, rate in rates.items()
    ) + sum(support.values())
    values: list[float] = []
    h = float(inp.hnte_now)
    for k in range(horizon):
        h = h * inp.retention + (first_inflow if k == 0 else inflow)
        values.append(h)
    return values


def _model_assumptions(
    inp: ProjectionInput, rates: dict[str, float], support: Counter[str]
) -> list[str]:
    assert inp.retention is not None
    texts = [
        "高企数量逐年推算：次年高企数 = 上年高企数 × 保有率"
        " + Σ 后备库各梯队企业数 × 该梯队年转化率。",
        f"高企保有率按 {_pct(inp.retention)} 计（上年末持有资格的企业次年末仍持有的比例；"
        "证书有效期 3 年，多数企业到期重新认定）。",
        "后备库各梯队企业数保持不变（假定每年新入库企业数与转出数相当）。",
    ]
    given = [tier for tier in rates if inp.tier_rates is not None and tier in inp.tier_rates]
    fallback = [tier for tier in rates if tier not in given]
    if given:
        texts.append(
            "各梯队年转化率按分层历史数据计："
            + "、".join(f"{tier_label(tier)} {_pct(rates[tier])}" for tier in given)
            + "。"
        )
    if fallback:
        assert inp.overall_rate is not None
        scope = "各梯队" if not given else f"{_names(fallback)}梯队"
        texts.append(
            f"{scope}缺少分层历史数据，年转化率按全市科技型中小企业→高新技术企业"
            f"历史转化率 {_pct(inp.overall_rate)} 计。"
        )
    if support:
        detail = "、".join(
            f"{tier_label(tier)} {support[tier]} 家" for tier in _ordered_tiers(list(support))
        )
        texts.append(
            f"重点扶持的 {sum(support.values())} 家企业（{detail}）假定于 {inp.base_year + 1} 年"
            "全部认定为高企，此后按保有率延续。"
        )
    return texts


def _merged(
    history: Sequence[tuple[int, int]], base_year: int, now: int
) -> list[tuple[int, float]]:
    """History points with ``(base_year, now)`` as the base-year point."""
    points = {year: float(count) for year, count in history}
    points[base_year] = float(now)
    return sorted(points.items())


def _trend_value(points: Sequence[tuple[int, float]], year: int) -> float:
    forecast = trend_forecast(points, year)
    assert forecast is not None
    return max(0.0, forecast.value)


def _gap(target: float | None, value: float | None) -> float | None:
    if target is None or value is None:
        return None
    return target - value


def _met(gap: float | None) -> bool | None:
    return None if gap is None else gap <= _EPS


def _support_needed(
    gap: float,
    pool: dict[str, int],
    support: Counter[str],
    rates: dict[str, float],
    factor: float,
) -> int | None:
    """Fewest further supported enterprises (closest tiers first) closing ``gap``."""
    total = 0
    for tier in _ordered_tiers(pool):
        available = pool[tier] - support[tier]
        gain = (1 - rates.get(tier, 0.0)) * factor
        if available <= 0 or gain <= _EPS:
            continue
        count = max(1, math.ceil(gap / gain - _EPS))
        if count <= available:
            return total + count
        total += available
        gap -= available * gain
    return None


def _target_passed(inp: ProjectionInput, rates: dict[str, float]) -> Projection:
    """The result when the target year is not after the base year: gaps from current counts."""
    hnte_gap = _gap(inp.hnte_target, float(inp.hnte_now))
    tsme_gap = _gap(inp.tsme_target, float(inp.tsme_now))
    hnte_met = _met(hnte_gap)
    return Projection(
        base_year=inp.base_year,
        target_year=inp.target_year,
        years=[],
        hnte_method="actual",
        tsme_method="actual",
        hnte_projected=float(inp.hnte_now),
        hnte_without_support_projected=float(inp.hnte_now),
        tsme_projected=float(inp.tsme_now),
        hnte_target=inp.hnte_target,
        tsme_target=inp.tsme_target,
        hnte_gap=hnte_gap,
        tsme_gap=tsme_gap,
        hnte_met=hnte_met,
        tsme_met=_met(tsme_gap),
        required_extra_per_year=0.0 if hnte_met else None,
        support_needed=0 if hnte_met else None,
        support_uplift=None,
        rates=rates,
        retention=inp.retention,
        assumptions=[],
        notes=[
            TARGET_PASSED_NOTE,
            f"目标年 {inp.target_year} 年不晚于基准年 {inp.base_year} 年，缺口按当前数量计算。",
        ],
    )
