"""Judging the plan's quantitative commitments (量化承诺) as the plan means them.

Pure: no Django. The selectors hand in the figures (published observations, a restated
indicator's series, a benchmark series, a count computed from the registries) and get back a
`Judgement`: the status, the figure judged and how it was obtained, the target in words, and for
every-year commitments the years and areas that failed or lack data.

Reading rules (issue #10, the plan's own wording; GLOSSARY "量化承诺"):

- **Comparator.** A bare number in the plan ("新培育……企业70家", "建设……中心5个") is a floor:
  ``gte``. ``eq`` is kept for the wording 等于/保持 only (the plan file refuses it otherwise).
  ``gt`` 超过, ``lte`` 以内/前 N 名, ``range`` low–high (both inclusive), ``approx`` 左右 with the
  tolerance *written in the plan file* beside its note (absolute or relative, edges inclusive):
  the plan gives none, so inventing one in code would put words in its mouth.
- **Measure.** ``stock``: the value of the latest year up to the target year. ``new`` and
  ``cumulative``: what was added during the plan period — either the sum of the yearly figures
  (one counted figure per year, start year to the latest year) or a published cumulative figure
  (累计数) whose period starts in the plan's first year; whichever reaches the later year is
  judged (the published one on a tie), and the other is shown beside it. ``annual``: every year
  from the plan's first year and every area the commitment applies to must pass on its own; a
  failure in one county in one year fails the commitment, and the failures are listed.
- **Benchmark.** A commitment without a number ("达到全省平均水平") is judged against a benchmark
  series (the province's figure of the same year): the latest year in which both exist.
- **Restated indicator / registry count.** When the commitment has no published figure of its
  own, a restated indicator's published series, then a count computed from the registries, is
  judged; the basis says which.

Counted figures follow `observations.select_counted`: per year a 正式数 beats a 初步数, then the
later publication date wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .observations import OBSERVATION_KINDS

STATUS_LABELS = {
    "met": "已达标",
    "not_met": "未达标",
    "not_yet": "尚未达到",
    "incomplete": "数据不全",
    "no_data": "暂无数据",
    "qualitative": "需人工判断",
}
_YEARLY_KINDS = ("actual", "preliminary", "registry")
_KIND_RANK = {"registry": 0, "preliminary": 0, "actual": 1, "cumulative": 1}
# How a yearly figure is named: a published kind, or a count the registries hold at year end.
_KIND_WORDS = {**OBSERVATION_KINDS, "registry": "年末数"}
_SYMBOLS = {"gte": "≥", "gt": ">", "lte": "≤", "eq": "="}


@dataclass(frozen=True)
class Tolerance:
    """The allowed deviation of an ``approx`` (左右) commitment: ``absolute`` in the unit, or
    ``relative`` as a fraction of the value (0.1 = ±10 %); ``note`` says why."""

    absolute: float | None = None
    relative: float | None = None
    note: str = ""

    def bounds(self, value: float) -> tuple[float, float]:
        relative = abs(value) * (self.relative or 0.0)
        spread = self.absolute if self.absolute is not None else relative
        return value - spread, value + spread


@dataclass(frozen=True)
class Rule:
    """What a commitment promises (the plan file's comparator, measure, value …)."""

    comparator: str
    measure: str
    target_year: int
    start_year: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    tolerance: Tolerance | None = None
    has_benchmark: bool = False
    areas: tuple[str, ...] = ()  # for ``annual``: every area code it applies to

    def target_text(self, benchmark: float | None = None) -> str:
        if self.comparator == "range":
            return f"{_num(self.low)}—{_num(self.high)}"
        if self.has_benchmark:
            base = "基准值" if benchmark is None else f"基准值 {_num(benchmark)}"
            return f"{_SYMBOLS.get(self.comparator, '≥')} {base}"
        if self.comparator == "approx":
            if self.value is None or self.tolerance is None:
                return f"{_num(self.value)} 左右"
            low, high = self.tolerance.bounds(self.value)
            return f"{_num(self.value)} 左右（{_num(low)}—{_num(high)}）"
        return f"{_SYMBOLS[self.comparator]} {_num(self.value)}"

    @property
    def is_qualitative(self) -> bool:
        return self.value is None and self.low is None and not self.has_benchmark


@dataclass(frozen=True)
class Point:
    """One figure: ``year`` is the year it is counted for (a period's last year); ``start_year``
    is the period's first year (the same for a yearly figure). ``kind``: actual, preliminary,
    cumulative, or registry (a count the registries hold at the year end)."""

    area: str
    year: int
    value: float
    kind: str = "actual"
    as_of: dt.date = dt.date.min
    start_year: int | None = None
    ref: object = None  # what the caller wants back (e.g. the observation row)

    @property
    def first_year(self) -> int:
        return self.year if self.start_year is None else self.start_year


@dataclass(frozen=True)
class Figure:
    """A figure shown for a commitment: its value, the last year it covers and how it was got."""

    value: float
    year: int
    basis: str
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Judgement:
    status: str
    figure: Figure | None = None  # the figure judged
    others: tuple[Figure, ...] = ()  # figures shown beside it (the other reading, a count)
    target_text: str = ""
    benchmark: Figure | None = None
    failures: tuple[tuple[str, int, float], ...] = ()  # (area, year, value) of ``annual``
    missing: tuple[tuple[str, int], ...] = ()  # (area, year) without a figure
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def passes(rule: Rule, value: float, benchmark: float | None = None) -> bool:
    """Whether ``value`` satisfies the rule (against ``benchmark`` for a benchmark rule)."""
    target = benchmark if rule.has_benchmark else rule.value
    if rule.comparator == "range":
        return (rule.low or 0.0) <= value <= (rule.high if rule.high is not None else rule.low)
    if rule.comparator == "approx":
        if target is None or rule.tolerance is None:
            raise ValueError("“左右”承诺须在规划文件中写明允许偏差（tolerance）")
        low, high = rule.tolerance.bounds(target)
        return _le(low, value) and _le(value, high)
    if target is None:
        raise ValueError("承诺缺少目标值或基准值")
    return {
        "gte": lambda: _le(target, value),
        "gt": lambda: value > target and not _close(value, target),
        "lte": lambda: _le(value, target),
        "eq": lambda: _close(value, target),
    }[rule.comparator]()


def counted_per_year(points: Iterable[Point]) -> dict[tuple[str, int], Point]:
    """One counted yearly figure per (area, year): 正式数 before 初步数, then the latest."""
    best: dict[tuple[str, int], Point] = {}
    for p in points:
        if p.kind not in _YEARLY_KINDS:
            continue
        key = (p.area, p.year)
        if key not in best or _rank(p) > _rank(best[key]):
            best[key] = p
    return best


def judge(
    rule: Rule,
    points: Sequence[Point],
    *,
    area: str,
    as_of_year: int,
    benchmark: Sequence[Point] = (),
    fallbacks: Sequence[tuple[str, Sequence[Point]]] = (),
) -> Judgement:
    """Judge one commitment for ``area`` with the figures known in ``as_of_year``.

    ``points`` are the commitment's own published figures (any area for ``annual``);
    ``benchmark`` the benchmark series (its own area); ``fallbacks`` named series used in order
    when the commitment has no figure of its own (a restated indicator's published series, a
    registry count), each ``(basis label, points)``.
    """
    if rule.is_qualitative:
        return Judgement("qualitative", target_text="定性承诺")
    last_year = min(rule.target_year, as_of_year)
    if rule.measure == "annual":
        return _judge_annual(rule, points, as_of_year)
    named = (("本项发布数", points), *fallbacks)
    series = [
        (label, rows, found)
        for label, rows in named
        if (found := _figures(rule, rows, area, last_year, label))
    ]
    if not series:
        return Judgement("no_data", target_text=rule.target_text())
    # The first series with a figure is judged; the others' best figure is shown beside it.
    label, rows, found = series[0]
    figure, others = found[0], (*found[1:], *(more[0] for _, _, more in series[1:]))
    if rule.has_benchmark:
        own = [p for p in rows if p.area == area and p.year <= last_year]
        return _judge_benchmark(rule, label, own, benchmark, last_year, others)
    met = passes(rule, figure.value)
    return Judgement(
        _status(rule, met, figure.year), figure, others, rule.target_text(), notes=_notes(rule)
    )


def _status(rule: Rule, met: bool, year: int) -> str:
    if met:
        return "met"
    growing = rule.measure in ("new", "cumulative") or rule.comparator in ("gte", "gt")
    return "not_yet" if year < rule.target_year and growing else "not_met"


def _notes(rule: Rule) -> tuple[str, ...]:
    if rule.comparator == "approx" and rule.tolerance and rule.tolerance.note:
        return (f"“左右”的允许偏差：{rule.tolerance.note}",)
    return ()


def _figures(
    rule: Rule, points: Sequence[Point], area: str, last_year: int, label: str
) -> list[Figure]:
    """The candidate figures of one series, the one to judge first."""
    own = [p for p in points if p.area == area and p.year <= last_year]
    if rule.measure in ("new", "cumulative"):
        return _added(rule, own, label)
    yearly = counted_per_year(own)
    if not yearly:
        return []
    latest = yearly[max(yearly, key=lambda k: k[1])]
    return [Figure(latest.value, latest.year, _yearly_basis(label, latest), (latest,))]


def _added(rule: Rule, points: list[Point], label: str) -> list[Figure]:
    """What was added in the plan period: the sum of yearly figures and/or a cumulative one."""
    figures: list[Figure] = []
    cumulative = [p for p in points if p.kind == "cumulative" and p.first_year == rule.start_year]
    if cumulative:
        best = max(cumulative, key=lambda p: (p.year, p.as_of))
        basis = f"{label}：累计数（{rule.start_year}—{best.year} 年）"
        figures.append(Figure(best.value, best.year, basis, (best,)))
    yearly = sorted(
        (p for p in counted_per_year(points).values() if p.year >= rule.start_year),
        key=lambda p: p.year,
    )
    if yearly:
        years = "、".join(str(p.year) for p in yearly)
        total = sum(p.value for p in yearly)
        basis = f"{label}：逐年新增合计（{years} 年，共 {len(yearly)} 年）"
        figures.append(Figure(total, yearly[-1].year, basis, tuple(yearly)))
    # The figure reaching the later year is judged; the published cumulative one on a tie.
    figures.sort(key=lambda f: -f.year)
    return figures


def _judge_benchmark(
    rule: Rule,
    label: str,
    own: Sequence[Point],
    benchmark: Sequence[Point],
    last_year: int,
    others: tuple[Figure, ...],
) -> Judgement:
    """The latest year in which both the area's figure and the benchmark exist."""
    mine = {year: p for (_, year), p in counted_per_year(own).items()}
    marks = {year: p for (_, year), p in counted_per_year(benchmark).items() if year <= last_year}
    common = sorted(set(mine) & set(marks))
    if not common:
        latest = mine[max(mine)]
        figure = Figure(latest.value, latest.year, _yearly_basis(label, latest), (latest,))
        note = f"缺少 {latest.year} 年的基准值，无法比较；请录入基准区域同年的数据"
        return Judgement("no_data", figure, others, rule.target_text(), notes=(note,))
    year = common[-1]
    figure = Figure(mine[year].value, year, _yearly_basis(label, mine[year]), (mine[year],))
    reference = Figure(marks[year].value, year, _yearly_basis("基准", marks[year]), (marks[year],))
    met = passes(rule, mine[year].value, marks[year].value)
    return Judgement(
        _status(rule, met, year), figure, others, rule.target_text(marks[year].value), reference
    )


def _judge_annual(rule: Rule, points: Sequence[Point], as_of_year: int) -> Judgement:
    """Every year from the plan's first and every area the rule applies to, each on its own.

    A year is due once it is over (before ``as_of_year``) or as soon as any area has a figure
    for it; a due year without a figure for an area is listed as missing."""
    areas = rule.areas or tuple(sorted({p.area for p in points}))
    last_year = min(rule.target_year, as_of_year)
    yearly = counted_per_year(p for p in points if p.area in areas and p.year <= last_year)
    over = range(rule.start_year, min(rule.target_year, as_of_year - 1) + 1)
    due = sorted(set(over) | {y for (_, y) in yearly if y >= rule.start_year})
    failures, missing, judged = [], [], []
    for year in due:
        for area in areas:
            point = yearly.get((area, year))
            if point is None:
                missing.append((area, year))
            elif passes(rule, point.value):
                judged.append(point)
            else:
                failures.append((area, year, point.value))
                judged.append(point)
    text = rule.target_text()
    figure = None
    if judged:
        n_ok = len(judged) - len(failures)
        figure = Figure(
            float(n_ok),
            max(p.year for p in judged),
            f"逐年逐区域判断：{len(judged)} 个年度×区域有数，{n_ok} 个达标",
            tuple(judged),
        )
    if failures:
        status = "not_met"
    elif not judged:
        status = "no_data"
    elif missing:
        status = "incomplete"
    else:
        status = "met"
    return Judgement(status, figure, (), text, failures=tuple(failures), missing=tuple(missing))


def _yearly_basis(label: str, p: Point) -> str:
    return f"{label}：{p.year} 年{_KIND_WORDS.get(p.kind, '数')}"


def _rank(p: Point) -> tuple[int, dt.date]:
    return (_KIND_RANK.get(p.kind, 0), p.as_of)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _le(a: float, b: float) -> bool:
    """a ≤ b, forgiving float noise from decimal → float (a figure of exactly the floor passes)."""
    return a <= b or _close(a, b)


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) < 1e15 else str(value)
