"""Observations (监测值) from a file, a form or the API: one row validation, then an
all-or-nothing commit through `services.record_observation`.

A row has the columns `indicator,area,period,value,kind,as_of,source` (optional
`source_issuer,source_url,source_quote,other_scope`; Chinese headers are accepted too). The file is
an .xlsx workbook (checked by content with the registries' `sniff_xlsx`) or a comma-separated CSV in
UTF-8 (with or without BOM) or GB18030. `validate_file` never writes: it reads every row, reports
each problem by row/column/value/problem/fix (in Chinese) and counts what would be created.
`commit` writes a clean report in one transaction; a row the service refuses (scope, model
validation) rolls everything back and is reported as a row error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.imports.cells import (
    CellError,
    is_empty,
    lookup_key,
    normalize_text,
    parse_date,
    parse_decimal,
)
from kechuang.core.imports.commit import check_committable
from kechuang.core.imports.errors import FILE, WHOLE_ROW, ImportRefused, RowError, column_label
from kechuang.core.imports.table import (
    MAX_UPLOAD_BYTES,
    FileProblem,
    read_table,
    report_formulas,
    too_large,
)
from kechuang.core.permissions import ENTER_OBSERVATIONS
from kechuang.core.roles import Role
from kechuang.core.scoping import fits_scope
from kechuang.monitoring import selectors, services
from kechuang.monitoring.engine.figure_rules import MAX_ABS_VALUE, blocking, confirmed
from kechuang.monitoring.engine.observations import OBSERVATION_KINDS
from kechuang.monitoring.engine.periods import (
    Period,
    PeriodError,
    kind_period_problem,
    parse_period,
)
from kechuang.monitoring.models import (
    NOT_COUNTED_STATES,
    Commitment,
    Indicator,
    Observation,
    Plan,
    ReviewState,
)
from kechuang.registry.models import Area

REQUIRED_COLUMNS = ("indicator", "area", "period", "value", "kind", "as_of", "source")
OPTIONAL_COLUMNS = ("source_issuer", "source_url", "source_quote", "other_scope", "confirm_reason")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
HEADERS_ZH = {
    "indicator": "指标",
    "area": "区域",
    "period": "期间",
    "value": "数值",
    "kind": "数据类型",
    "as_of": "发布日期",
    "source": "来源",
    "source_issuer": "发布机构",
    "source_url": "来源地址",
    "source_quote": "原文摘录",
    "other_scope": "口径说明",
    "confirm_reason": "确认理由",
}
MAX_LENGTHS = {
    "source": 200,
    "source_issuer": 100,
    "source_url": 300,
    "source_quote": 300,
    "other_scope": 100,
    "confirm_reason": 300,
}
KIND_FIX = "请填写以下之一：" + "、".join(
    f"{label}（{code}）" for code, label in OBSERVATION_KINDS.items()
)

__all__ = [
    "COLUMNS",
    "CommitResult",
    "ImportRefused",
    "ObservationImportReport",
    "RowContext",
    "ValidRow",
    "commit",
    "header_aliases",
    "validate_file",
    "validate_row",
]


@dataclass
class ValidRow:
    """A row that passed validation: the data `record_observation` takes, and its key."""

    row: int
    data: dict[str, Any]
    key: tuple[Any, ...]  # (subject, area id, period, kind)
    unchanged: bool = False  # the same figure from the same source and date is stored already
    conflict: bool = False  # another source disagrees: the row will be flagged


@dataclass
class ObservationImportReport:
    plan_code: str
    filename: str = ""
    file_format: str = ""  # "xlsx", "CSV（UTF-8）", "CSV（GB18030）"
    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[ValidRow] = field(default_factory=list, repr=False)
    user_id: int | None = None
    outside_scope: int = 0  # rows refused only because their area is not the user's
    # problems a reason would lift (an unusual value, not an impossible one)
    to_confirm: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # column → its column in the file

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if not r.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.unchanged)

    @property
    def conflicts(self) -> int:
        return sum(1 for r in self.rows if r.conflict and not r.unchanged)

    def add(self, row: int, column: str, value: Any, problem: str, fix: str) -> None:
        header = column_label(column, HEADERS_ZH, self.positions.get(column))
        code = column if column in HEADERS_ZH else ""
        self.errors.append(RowError(row, header, _show(value), problem, fix, code))


@dataclass(frozen=True)
class CommitResult:
    created: int
    unchanged: int
    conflicts: int
    ids: tuple[int, ...]


def _plain(value: Decimal) -> str:
    """A stored decimal as people write it: 300.0000 → 300, 12.5000 → 12.5."""
    return format(value.normalize(), "f")


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:200]


# ---------------------------------------------------------------------------------------------
# Lookups shared by the file, the form and the API


@dataclass
class RowContext:
    """What validating a row needs: the plan's subjects, the areas, the user."""

    plan: Plan
    user: Any
    subjects: dict[str, Indicator | Commitment]
    areas: dict[str, Area]
    # The counted figures the plausibility check compares with: those of the file (filled by
    # `validate_file` before the rows are checked), else the stored ones (read once, lazily).
    in_file: dict[tuple[str, int, int], Decimal] = field(default_factory=dict)
    stored: dict[tuple[str, int, int], Decimal] | None = None
    series: bool = True  # False: skip the plausibility check (the first pass over a file)

    def previous(self, subject: Indicator | Commitment, area: Area, year: int) -> Decimal | None:
        """The counted value of the same series for `year` − 1 (in the file, else stored)."""
        key = (_subject_key(subject), area.pk, year - 1)
        if key in self.in_file:
            return self.in_file[key]
        if self.stored is None:
            self.stored = selectors.counted_values(selectors.plan_observations(None, self.plan))
        return self.stored.get(key)

    @classmethod
    def load(cls, plan: Plan, user: Any) -> RowContext:
        subjects: dict[str, Indicator | Commitment] = {}
        for commitment in Commitment.objects.filter(plan=plan):
            subjects[lookup_key(commitment.code)] = commitment
        for indicator in Indicator.objects.filter(plan=plan):
            subjects[lookup_key(indicator.name)] = indicator
            subjects[lookup_key(indicator.code)] = indicator  # codes win over names
        areas: dict[str, Area] = {}
        all_areas = list(Area.objects.order_by("sort_order", "code"))
        city = next((a for a in all_areas if a.parent_id is None), None)
        for area in all_areas:
            areas[lookup_key(area.code)] = area
            areas[lookup_key(area.name)] = area
            if city is not None and area is not city:
                areas.setdefault(lookup_key(city.name + area.name), area)
        return cls(plan, user, subjects, areas)

    def indicator_codes(self) -> str:
        codes = [s.code for s in self.subjects.values() if isinstance(s, Indicator)]
        return "、".join(dict.fromkeys(codes))


def header_aliases() -> dict[str, str]:
    """lookup key of every accepted header → column name."""
    aliases = {}
    for column in COLUMNS:
        aliases[lookup_key(column)] = column
        aliases[lookup_key(HEADERS_ZH[column])] = column
    aliases[lookup_key("来源名称")] = "source"
    aliases[lookup_key("source_title")] = "source"
    aliases[lookup_key("指标代码")] = "indicator"
    aliases[lookup_key("发布/修订日期")] = "as_of"
    return aliases


KIND_INDEX = {
    **{lookup_key(code): code for code in OBSERVATION_KINDS},
    **{lookup_key(label): code for code, label in OBSERVATION_KINDS.items()},
}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime | dt.date):
        value = _show(value)
    return normalize_text(value)


def _period(raw: Any) -> Period:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = _text(raw)
    return parse_period(_text(raw))


def validate_row(
    number: int, cells: dict[str, Any], ctx: RowContext, report: ObservationImportReport
) -> ValidRow | None:
    """Check one row (raw cells by column name); report every problem, return the row's data
    for `record_observation` when it is clean. The checks report in column order."""
    before = len(report.errors)
    check = RowCheck(number, cells, ctx, report)
    check.required()
    subject = check.subject()
    area = check.area()
    period = check.period()
    value = check.value()
    kind = check.kind()
    as_of = check.as_of()
    check.kind_fits_period(kind, period)
    texts = check.texts()
    check.scope(area)
    if len(report.errors) > before:
        return None
    assert subject is not None and area is not None and period is not None and kind is not None
    assert value is not None
    confirmed_check = check.rules(subject, area, period, value, kind, texts["confirm_reason"])
    if confirmed_check is None:
        return None
    data: dict[str, Any] = {
        "indicator": subject if isinstance(subject, Indicator) else None,
        "commitment": subject if isinstance(subject, Commitment) else None,
        "area": area,
        "period": period.text,
        "value": value,
        "kind": kind,
        "as_of": as_of,
        "source_title": texts["source"],
        "source_issuer": texts["source_issuer"],
        "source_url": texts["source_url"],
        "source_quote": texts["source_quote"],
        "other_scope": texts["other_scope"],
        "confirm_reason": texts["confirm_reason"] if confirmed_check else "",
        "confirmed_check": confirmed_check,
    }
    key = (_subject_key(subject), area.pk, period.text, kind)
    return ValidRow(number, data, key)


@dataclass
class RowCheck:
    """The checks of one row, one per column (or pair of columns): each reports its problems
    and returns the parsed value, or None when the cell is empty or wrong."""

    number: int
    cells: dict[str, Any]
    ctx: RowContext
    report: ObservationImportReport

    def _raw(self, column: str) -> Any:
        """The cell, or None when it is empty (the required check has reported it)."""
        raw = self.cells.get(column)
        return None if is_empty(raw) else raw

    def _add(self, column: str, value: Any, problem: str, fix: str) -> None:
        self.report.add(self.number, column, value, problem, fix)

    def required(self) -> None:
        for column in REQUIRED_COLUMNS:
            if is_empty(self.cells.get(column)):
                self._add(
                    column,
                    "",
                    f"“{HEADERS_ZH[column]}”为必填项，不能为空。",
                    _REQUIRED_FIX[column],
                )

    def subject(self) -> Indicator | Commitment | None:
        raw = self._raw("indicator")
        if raw is None:
            return None
        subject = self.ctx.subjects.get(lookup_key(raw))
        if subject is None:
            self._add(
                "indicator",
                raw,
                f"规划“{self.ctx.plan.code}”中没有指标或量化承诺“{_text(raw)}”。",
                f"请填写指标代码（{self.ctx.indicator_codes()}）或量化承诺代码（见规划）。",
            )
        return subject

    def area(self) -> Area | None:
        raw = self._raw("area")
        if raw is None:
            return None
        area = self.ctx.areas.get(lookup_key(raw))
        if area is None:
            self._add(
                "area",
                raw,
                f"未知的区域“{_text(raw)}”。",
                "请填写区域的中文名称（如 南阳市、卧龙区）或区域代码（如 411303）。",
            )
        return area

    def period(self) -> Period | None:
        raw = self._raw("period")
        if raw is None:
            return None
        try:
            return _period(raw)
        except PeriodError as error:
            self._add(
                "period",
                raw,
                str(error),
                "年度写作 2023，跨年累计写作 2021-2025，月份区间写作 2022-01/2022-10。",
            )
            return None

    def value(self) -> Decimal | None:
        raw = self._raw("value")
        if raw is None:
            return None
        try:
            value = parse_decimal(raw, places=4, allow_negative=True)
        except CellError as error:
            self._add("value", raw, error.problem, "请填写数字，如 420 或 12.5。")
            return None
        except InvalidOperation:  # more digits than a decimal can hold at 4 places (1e30)
            value = Decimal(MAX_ABS_VALUE)
        if value is not None and abs(value) >= MAX_ABS_VALUE:
            self._add(
                "value",
                raw,
                "数值超出可保存的范围（绝对值须小于 10 的 14 次方，最多 4 位小数）。",
                "请检查单位和数量级（应为指标的计量单位，如“家”“亿元”）。",
            )
            return None
        return value

    def kind(self) -> str | None:
        raw = self._raw("kind")
        if raw is None:
            return None
        kind = KIND_INDEX.get(lookup_key(raw))
        if kind is None:
            self._add("kind", raw, f"未知的数据类型“{_text(raw)}”。", KIND_FIX)
        return kind

    def as_of(self) -> dt.date | None:
        raw = self._raw("as_of")
        if raw is None:
            return None
        try:
            as_of = parse_date(raw)
        except CellError as error:
            self._add("as_of", raw, error.problem, error.fix)
            return None
        if as_of is not None and as_of > timezone.localdate():
            self._add(
                "as_of",
                raw,
                f"发布日期 {as_of} 晚于今天。",
                "请填写数据实际发布或修订的日期；预测数也填写作出预测的日期。",
            )
            return None
        return as_of

    def kind_fits_period(self, kind: str | None, period: Period | None) -> None:
        if period is None or kind is None:
            return
        mismatch = kind_period_problem(kind, period)
        if mismatch:
            self._add("period", self.cells.get("period"), *mismatch)

    def texts(self) -> dict[str, str]:
        """The source and the optional columns, each within its length limit."""
        texts = {}
        for column in ("source", *OPTIONAL_COLUMNS):
            raw = self._raw(column)
            text = "" if raw is None else _text(raw)
            limit = MAX_LENGTHS[column]
            if len(text) > limit:
                self._add(
                    column,
                    text,
                    f"“{HEADERS_ZH[column]}”过长（{len(text)} 字），上限 {limit} 字。",
                    "请精简后填写。",
                )
            texts[column] = text
        return texts

    def rules(
        self,
        subject: Indicator | Commitment,
        area: Area,
        period: Period,
        value: Decimal,
        kind: str,
        reason: str,
    ) -> str | None:
        """The value rules and the plausibility check (`engine.figure_rules`, through
        `services.figure_findings`); None after reporting a finding that stops the row, else
        what the row's reason confirms ("" when nothing needed confirming)."""
        previous = self.ctx.previous(subject, area, period.year) if self.ctx.series else None
        findings = services.figure_findings(subject, value, kind, period, previous)
        refused = blocking(findings, reason)
        for finding in refused:
            raw = self.cells.get(finding.field)
            fix = finding.fix
            if finding.confirmable:
                fix += (
                    "请在“确认理由”列填写理由后重新上传。"
                    if self.number
                    else "请在“确认并说明理由”（API 字段 confirm_reason）中说明理由后重新提交。"
                )
            self._add(finding.field, raw, finding.problem, fix)
            if finding.confirmable:
                self.report.to_confirm.append(finding.problem)
        return None if refused else confirmed(findings, reason)

    def scope(self, area: Area | None) -> None:
        if area is None or may_enter_in(self.ctx.user, area):
            return
        self.report.outside_scope += 1
        self._add(
            "area",
            self.cells.get("area"),
            _scope_problem(self.ctx.user),
            "请删除该行，或交由该区域或市科技局的工作人员录入。",
        )


_REQUIRED_FIX = {
    "indicator": "请填写指标代码（如 hnte_count）或量化承诺代码。",
    "area": "请填写区域名称（如 南阳市）或代码。",
    "period": "请填写期间，如 2023、2021-2025 或 2022-01/2022-10。",
    "value": "请填写数值。",
    "kind": KIND_FIX,
    "as_of": "请填写发布或修订日期，如 2024-03-15。",
    "source": "请填写来源名称，如“2023 年南阳市国民经济和社会发展统计公报”。",
}


def may_enter_in(user: Any, area: Area) -> bool:
    """Whether the user may enter observations for `area` (the permission, then the scope)."""
    return ENTER_OBSERVATIONS.allows(user) and fits_scope(user, "add", Observation(area=area))


def _scope_problem(user: Any) -> str:
    if getattr(user, "role", None) == Role.COUNTY_STAFF and getattr(user, "area", None):
        return f"超出您的管辖范围：您只能录入{user.area.name}（含下级区域）的监测值。"
    return "您无权录入该区域的监测值。"


def _subject_key(subject: Indicator | Commitment) -> str:
    prefix = "i" if isinstance(subject, Indicator) else "c"
    return f"{prefix}{subject.pk}"


# ---------------------------------------------------------------------------------------------
# Reading the file


def _read_table(content: bytes, report: ObservationImportReport) -> list[list[Any]] | None:
    """All rows (header first) of an .xlsx (its 监测值 sheet, else the first) or a CSV, read by
    the shared framework (`core/imports/table.py`); None after a file-level error."""
    try:
        if len(content) > MAX_UPLOAD_BYTES:
            raise too_large(len(content))
        table = read_table(content, sheet="监测值", allow_csv=True)
    except FileProblem as problem:
        report.add(0, FILE, report.filename, problem.problem, problem.fix)
        return None
    report.file_format = table.file_format
    report_formulas(table, report.add)
    return table.rows


def _match_header(header: list[Any], report: ObservationImportReport) -> dict[int, str] | None:
    aliases = header_aliases()
    positions: dict[int, str] = {}
    seen: set[str] = set()
    ok = True
    for position, raw in enumerate(header):
        if is_empty(raw):
            continue
        column = aliases.get(lookup_key(raw).rstrip("*"))
        if column is None:
            report.add(
                1,
                normalize_text(raw),
                raw,
                f"无法识别的列“{normalize_text(raw)}”。",
                "列名应为：" + ",".join(COLUMNS) + "（也可用中文列名，如 指标、区域、期间）。",
            )
            ok = False
        elif column in seen:
            report.add(1, column, raw, f"列“{HEADERS_ZH[column]}”出现了两次。", "请删除重复的列。")
            ok = False
        else:
            seen.add(column)
            positions[position] = column
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            report.add(
                1,
                column,
                "",
                f"缺少列“{HEADERS_ZH[column]}”。",
                "第 1 行应为表头：" + ",".join(REQUIRED_COLUMNS) + "。",
            )
            ok = False
    return positions if ok else None


# ---------------------------------------------------------------------------------------------
# Validation and commit


def validate_file(
    content: bytes, user: Any, plan: Plan, filename: str = "", progress: Any = None
) -> ObservationImportReport:
    """Dry run: read and check every row, predict conflicts; nothing is written. `progress` (a
    background job's, core/jobs) hears how many rows are checked."""
    report = ObservationImportReport(plan_code=plan.code, filename=filename)
    report.user_id = getattr(user, "pk", None)
    if not ENTER_OBSERVATIONS.allows(user):
        report.add(
            0,
            FILE,
            "",
            "只有市科技局工作人员和县区工作人员可以录入监测值。",
            "请联系市科技局工作人员。",
        )
        return report
    table = _read_table(content, report)
    if table is None:
        return report
    if not table or all(is_empty(c) for c in table[0]):
        report.add(1, FILE, "", "文件没有表头。", "第 1 行应为表头：" + ",".join(COLUMNS) + "。")
        return report
    positions = _match_header(table[0], report)
    if positions is None:
        return report
    report.positions = {name: position + 1 for position, name in positions.items()}
    rows = []
    for number, row in enumerate(table[1:], start=2):
        cells = {name: row[pos] for pos, name in positions.items() if pos < len(row)}
        if not all(is_empty(v) for v in cells.values()):
            rows.append((number, cells))
    ctx = RowContext.load(plan, user)
    ctx.in_file = _counted_in_file(rows, ctx)
    _validate_rows(rows, ctx, report, progress)
    if report.rows_total == 0:
        report.add(2, FILE, "", "文件中没有数据行。", "请从第 2 行起填写数据，第 1 行为表头。")
        return report
    _check_duplicates(report)
    _compare_stored(report)
    return report


def _validate_rows(
    rows: list[tuple[int, dict[str, Any]]],
    ctx: RowContext,
    report: ObservationImportReport,
    progress: Any,
) -> None:
    if progress is not None:
        progress.start("校验", total=len(rows))
    for number, cells in rows:
        report.rows_total += 1
        valid = validate_row(number, cells, ctx, report)
        if valid is not None:
            report.rows.append(valid)
        if progress is not None and report.rows_total % PROGRESS_ROWS == 0:
            progress.step(report.rows_total)
    if progress is not None:
        progress.step(len(rows))


def _counted_in_file(
    rows: list[tuple[int, dict[str, Any]]], ctx: RowContext
) -> dict[tuple[str, int, int], Decimal]:
    """{(subject, area id, year): value} of the file's counted figures (正式数 before 初步数,
    then the newest), read in a first pass without the plausibility check, so a row is compared
    with the previous year's figure of the same file wherever that row stands."""
    scratch = ObservationImportReport(plan_code=ctx.plan.code)
    first = RowContext(ctx.plan, ctx.user, ctx.subjects, ctx.areas, series=False)
    best: dict[tuple[str, int, int], tuple[tuple[Any, ...], Decimal]] = {}
    for number, cells in rows:
        valid = validate_row(number, cells, first, scratch)
        if valid is None or valid.data["kind"] not in ("actual", "preliminary"):
            continue
        subject, area_id, period, kind = valid.key
        key = (subject, area_id, int(period))
        rank = (kind == "actual", valid.data["as_of"])
        if key not in best or rank > best[key][0]:
            best[key] = (rank, valid.data["value"])
    return {key: value for key, (_, value) in best.items()}


def _vintage(row: ValidRow) -> tuple[Any, ...]:
    return (*row.key, row.data["source_title"], row.data["as_of"])


def _check_duplicates(report: ObservationImportReport) -> None:
    """The same figure key, source and date twice in the file: identical rows are merged into
    one error-free row only when the values agree; different values are an error."""
    first: dict[tuple[Any, ...], ValidRow] = {}
    for row in report.rows:
        seen = first.setdefault(_vintage(row), row)
        if seen is row:
            continue
        report.add(
            row.row,
            "value",
            row.data["value"],
            f"与第 {seen.row} 行重复：同一指标、区域、期间、类型、来源和发布日期出现了两次"
            + ("，且数值不同。" if seen.data["value"] != row.data["value"] else "。"),
            "请删除其中一行；如为修订值，请填写修订后的发布日期。",
        )


def _compare_stored(report: ObservationImportReport) -> None:
    """Rows already stored (same vintage, same value) are unchanged; same vintage with another
    value is an error; a different source disagreeing on the same key will be a conflict."""
    if report.errors:
        return
    subjects = {r.key[0] for r in report.rows}
    areas = {r.key[1] for r in report.rows}
    stored: dict[tuple[Any, ...], list[Observation]] = {}
    queryset = Observation.objects.filter(
        indicator_id__in=[int(s[1:]) for s in subjects if s[0] == "i"],
        area_id__in=areas,
    ) | Observation.objects.filter(
        commitment_id__in=[int(s[1:]) for s in subjects if s[0] == "c"],
        area_id__in=areas,
    )
    for obs in queryset.exclude(state__in=NOT_COUNTED_STATES):
        subject = f"i{obs.indicator_id}" if obs.indicator_id else f"c{obs.commitment_id}"
        stored.setdefault((subject, obs.area_id, obs.period, obs.kind), []).append(obs)
    in_file: dict[tuple[Any, ...], list[ValidRow]] = {}
    for row in report.rows:
        same_key = stored.get(row.key, [])
        twin = next(
            (
                o
                for o in same_key
                if o.source_title == row.data["source_title"] and o.as_of == row.data["as_of"]
            ),
            None,
        )
        if twin is not None:
            if twin.value == row.data["value"]:
                row.unchanged = True
                continue
            report.add(
                row.row,
                "value",
                row.data["value"],
                f"库中已有同一来源、同一发布日期（{twin.as_of}）的该数值 {_plain(twin.value)}，"
                "与本行不同。",
                "如为修订，请填写修订后的发布日期；如库中数值有误，请联系市科技局工作人员。",
            )
            continue
        others = [o.value for o in same_key if o.source_title != row.data["source_title"]] + [
            r.data["value"]
            for r in in_file.get(row.key, [])
            if r.data["source_title"] != row.data["source_title"]
        ]
        row.conflict = any(v != row.data["value"] for v in others)
        in_file.setdefault(row.key, []).append(row)


PROGRESS_ROWS = 200  # a background job's progress is told every this many rows


class _Rollback(Exception):
    pass


def commit(report: ObservationImportReport, user: Any, progress: Any = None) -> CommitResult:
    """Write every row through `record_observation` in one transaction (all or nothing);
    `progress` (a background job's) hears how many rows are written."""
    check_committable(report, user)
    created: list[Observation] = []
    if progress is not None:
        progress.start("写入", total=report.to_create)
    try:
        with transaction.atomic():
            for row in report.rows:
                if row.unchanged:
                    continue
                if progress is not None and len(created) % PROGRESS_ROWS == 0:
                    progress.step(len(created))
                try:
                    created.append(services.record_observation(user, dict(row.data)))
                except PermissionDenied as error:
                    report.add(row.row, "area", row.data["area"].name, str(error), "请删除该行。")
                except ValidationError as error:
                    for name, messages in _messages(error).items():
                        report.add(row.row, _COLUMN_OF.get(name, WHOLE_ROW), "", messages, "")
            if report.errors:
                raise _Rollback
    except _Rollback:
        raise ImportRefused(
            f"导入时发现 {len(report.errors)} 处错误，未导入任何数据；请修改后重新上传。"
        ) from None
    ids = tuple(o.pk for o in created)
    conflicts = Observation.objects.filter(pk__in=ids, state=ReviewState.CONFLICT).count()
    return CommitResult(len(created), report.unchanged, conflicts, ids)


_COLUMN_OF = {
    "indicator": "indicator",
    "commitment": "indicator",
    "area": "area",
    "period": "period",
    "value": "value",
    "kind": "kind",
    "as_of": "as_of",
    "source_title": "source",
    "source_issuer": "source_issuer",
    "source_url": "source_url",
    "source_quote": "source_quote",
    "other_scope": "other_scope",
    "confirm_reason": "confirm_reason",
    "reason": "confirm_reason",
}


def _messages(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {
            name: "；".join(str(m) for m in error.message_dict[name]) for name in error.error_dict
        }
    return {WHOLE_ROW: "；".join(error.messages)}


def validate_single(
    cells: dict[str, Any], user: Any, plan: Plan
) -> tuple[ValidRow | None, ObservationImportReport]:
    """One row from the form or the API (row number 0), checked exactly like a file row."""
    report = ObservationImportReport(plan_code=plan.code)
    report.user_id = getattr(user, "pk", None)
    ENTER_OBSERVATIONS.check(user)
    valid = validate_row(0, cells, RowContext.load(plan, user), report)
    if valid is not None:
        report.rows.append(valid)
        _compare_stored(report)
        if valid.unchanged:
            report.add(
                0,
                "value",
                valid.data["value"],
                "库中已有同一来源、同一发布日期的相同数值，无需重复录入。",
                "如为修订值，请填写修订后的发布日期。",
            )
    return (valid if report.ok else None), report


def needs_confirmation(report: ObservationImportReport) -> bool:
    """Whether every problem of a single row is one a reason lifts (the form then asks for the
    reason, the API says to send confirm_reason)."""
    return bool(report.errors) and len(report.to_confirm) == len(report.errors)


def field_errors(report: ObservationImportReport) -> dict[str, list[str]]:
    """Report errors by column name (for forms and the API's error shape)."""
    errors: dict[str, list[str]] = {}
    for error in report.errors:
        name = error.column if error.column in COLUMNS else "__all__"
        errors.setdefault(name, []).append(error.problem + (f" {error.fix}" if error.fix else ""))
    return errors
