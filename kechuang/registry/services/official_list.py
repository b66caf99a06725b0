"""Import a published list (认定名单/入库名单) of a qualification: the source that makes
qualifications count.

Columns (header names vary between lists; aliases accepted): 企业名称, 统一社会信用代码,
证书编号, 认定日期; a list may lack some of them (a name or a credit code is required; the date
may come from the command line). Each row is matched to an organization by credit code first,
then by its exact normalised name (ambiguous when several organizations bear it). Then:
- a verified qualification of that kind already there (same certificate number, or same issue
  date) → already present;
- a claim or rejected row with the same certificate number (or issue date) → verified, source
  官方名单导入;
- otherwise a verified qualification is created.
Re-running the same list changes nothing (every row is then "already present").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kechuang.core.imports.cells import (
    CellError,
    is_empty,
    lookup_key,
    normalize_text,
    parse_date,
)
from kechuang.core.imports.errors import ErrorLog
from kechuang.core.imports.table import (
    FileProblem,
    HeaderTexts,
    data_rows,
    match_header,
    read_table,
    report_formulas,
)
from kechuang.core.permissions import VERIFY_QUALIFICATIONS
from kechuang.core.services import save_instance
from kechuang.registry.engine.uscc import normalize_uscc
from kechuang.registry.models import (
    IssuerLevel,
    Organization,
    Qualification,
    QualificationKind,
    QualificationSource,
    Verification,
)
from kechuang.registry.services.qualifications import verified_state

HNTE_YEARS = 3  # a certificate's validity when the list gives no expiry (高企 three years)
COLUMNS = {
    "name": "企业名称",
    "uscc": "统一社会信用代码",
    "certificate_no": "证书编号",
    "issued_on": "认定日期",
}
ALIASES = {
    "name": ("企业名称", "单位名称", "企业（单位）名称", "名称", "公司名称", "申报单位"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "组织机构代码"),
    "certificate_no": ("证书编号", "证书号", "编号", "入库编号", "登记编号"),
    "issued_on": ("认定日期", "发证日期", "认定时间", "批准日期", "入库日期", "入库时间"),
}
OUTCOMES = {
    "created": "新增（已核验）",
    "verified": "申报转为已核验",
    "present": "已在库中",
    "unmatched": "未匹配到单位",
    "ambiguous": "匹配到多个单位",
    "invalid": "数据有误",
}


@dataclass
class ListRow:
    number: int
    name: str
    uscc: str
    certificate_no: str
    issued_on: dt.date | None
    outcome: str = ""
    organization: str = ""
    note: str = ""

    @property
    def outcome_zh(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


@dataclass
class ListReport(ErrorLog):
    kind: str = ""
    filename: str = ""
    dry_run: bool = False
    rows: list[ListRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOMES}

    @property
    def matched(self) -> int:
        return self.count("created") + self.count("verified") + self.count("present")

    def problem_rows(self) -> list[ListRow]:
        return [r for r in self.rows if r.outcome in ("unmatched", "ambiguous", "invalid")]


@dataclass(frozen=True)
class ListOptions:
    kind: str
    issuer_level: str = IssuerLevel.NATIONAL
    issuer: str = ""
    issued_on: dt.date | None = None  # for lists without a date column
    expires_after_years: int | None = HNTE_YEARS
    dry_run: bool = False


def _aliases() -> dict[str, str]:
    from_key = {}
    for column, names in ALIASES.items():
        for name in names:
            from_key[lookup_key(name)] = column  # as match_header reads a header cell
    return from_key


HEADER_TEXTS = HeaderTexts(
    unknown_fix="该列将被忽略；可识别的列：企业名称、统一社会信用代码、证书编号、认定日期。",
    missing_fix="请在第 1 行填写表头，至少包含“企业名称”或“统一社会信用代码”。",
    label=lambda column: COLUMNS.get(column, column),
)


def read_list(content: bytes, report: ListReport, options: ListOptions) -> None:
    """Parse the file into `report.rows` (not yet matched); file problems into the report."""
    try:
        table = read_table(content, allow_csv=True)
    except FileProblem as problem:
        report.add(0, "（文件）", report.filename, problem.problem, problem.fix)
        return
    if not table.rows:
        report.add(0, "（文件）", report.filename, "文件中没有表格。", "请上传认定名单的表格。")
        return
    report_formulas(table, report.add)
    header_log = ErrorLog()
    header = match_header(table.rows[0], _aliases(), (), header_log, HEADER_TEXTS)
    # Unknown columns (序号, 所在地区, 技术领域 …) are ignored: published lists carry many.
    known = set(header.positions.values())
    if not known & {"name", "uscc"}:
        report.add(
            1,
            "企业名称",
            "",
            "名单缺少“企业名称”和“统一社会信用代码”列。",
            HEADER_TEXTS.missing_fix,
        )
        return
    if "issued_on" not in known and options.issued_on is None:
        report.add(
            1,
            "认定日期",
            "",
            "名单没有“认定日期”列，也未指定认定日期。",
            "请指定名单的认定日期（命令的 --issued-on，或页面的“认定日期”）。",
        )
        return
    for number, cells in data_rows(table, header.positions):
        report.rows.append(_parse_row(number, cells, options))


def _parse_row(number: int, cells: dict[str, Any], options: ListOptions) -> ListRow:
    name = "" if is_empty(cells.get("name")) else normalize_text(cells["name"])
    uscc = "" if is_empty(cells.get("uscc")) else normalize_uscc(str(cells["uscc"]))
    certificate = (
        "" if is_empty(cells.get("certificate_no")) else normalize_text(cells["certificate_no"])
    )
    row = ListRow(number, name, uscc, certificate, options.issued_on)
    raw = cells.get("issued_on")
    if not is_empty(raw):
        try:
            row.issued_on = parse_date(raw)
        except CellError as error:
            row.outcome, row.note = "invalid", f"认定日期：{error.problem}"
    if not row.name and not row.uscc:
        row.outcome, row.note = "invalid", "企业名称和统一社会信用代码都为空：请补全后重新导入。"
    return row


def _name_key(name: str) -> str:
    return normalize_text(name).replace(" ", "").replace("（", "(").replace("）", ")")


def _full_width_brackets(name: str) -> str:
    return _name_key(name).replace("(", "（").replace(")", "）")


def _match(rows: list[ListRow]) -> dict[int, Organization]:
    """{row number: organization} for the rows that match one organization; the others get
    their outcome (unmatched / ambiguous)."""
    codes = {r.uscc for r in rows if r.uscc}
    by_code = {o.uscc: o for o in Organization.objects.filter(uscc__in=codes)}
    names = {r.name for r in rows if r.name}
    by_name: dict[str, list[Organization]] = {}
    variants = {v for n in names for v in (n, _name_key(n), _full_width_brackets(n))}
    for org in Organization.objects.filter(name__in=variants):
        by_name.setdefault(_name_key(org.name), []).append(org)
    found = {}
    for row in rows:
        if row.outcome:
            continue
        if row.uscc in by_code:
            found[row.number] = by_code[row.uscc]
            continue
        candidates = by_name.get(_name_key(row.name), []) if row.name else []
        if len(candidates) == 1:
            found[row.number] = candidates[0]
        elif candidates:
            row.outcome = "ambiguous"
            row.note = (
                f"名称对应 {len(candidates)} 家单位："
                + "、".join(o.uscc for o in candidates)
                + "，请在名单中补充统一社会信用代码。"
            )
        else:
            row.outcome = "unmatched"
            row.note = "库中没有该统一社会信用代码或名称的单位：请先登记该单位，或核对名称。"
    return found


def _existing(org: Organization, row: ListRow, kind: str) -> Qualification | None:
    """The organization's qualification of `kind` this row stands for: the same certificate
    number, else the same issue date."""
    rows = Qualification.objects.filter(organization=org, kind=kind)
    if row.certificate_no:
        same = rows.filter(certificate_no=row.certificate_no).first()
        if same is not None:
            return same
    return rows.filter(issued_on=row.issued_on).first() if row.issued_on else None


def _expires(options: ListOptions, issued_on: dt.date) -> dt.date | None:
    if options.kind != QualificationKind.HNTE or not options.expires_after_years:
        return None
    try:
        end = issued_on.replace(year=issued_on.year + options.expires_after_years)
    except ValueError:  # 29 February
        end = issued_on.replace(year=issued_on.year + options.expires_after_years, day=28)
    return end - dt.timedelta(days=1)


def _save(user: Any, instance: Qualification, data: dict[str, Any]) -> None:
    """Through the scoped service for a user; the command line (no user) is the city's own
    authority: validated and saved (audited by signal) without a scope."""
    if user is not None:
        save_instance(user, instance, data)
        return
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()


def _apply(user: Any, org: Organization, row: ListRow, options: ListOptions) -> None:
    row.organization = f"{org.name}（{org.uscc}）"
    stored = _existing(org, row, options.kind)
    if stored is not None and stored.verification == Verification.VERIFIED:
        row.outcome = "present"
        return
    if stored is not None:
        row.outcome = "verified"
        row.note = f"原为“{stored.get_verification_display()}”的申报"
        if not options.dry_run:
            _save(user, stored, verified_state(user, QualificationSource.OFFICIAL_LIST))
        return
    if row.issued_on is None:
        row.outcome, row.note = "invalid", "缺少认定日期：请在名单中填写，或指定名单的认定日期。"
        return
    row.outcome = "created"
    if options.dry_run:
        return
    instance = Qualification(organization=org, kind=options.kind)
    data = {
        "certificate_no": row.certificate_no,
        "issued_on": row.issued_on,
        "expires_on": _expires(options, row.issued_on),
        "issuer_level": options.issuer_level,
        "issuer": options.issuer,
        "note": "官方名单导入",
        **verified_state(user, QualificationSource.OFFICIAL_LIST),
    }
    try:
        _save(user, instance, data)
    except ValidationError as error:
        row.outcome, row.note = "invalid", "；".join(error.messages)


def import_list(user: Any, content: bytes, options: ListOptions, filename: str = "") -> ListReport:
    """Read, match and (unless a dry run) write the list, all rows in one transaction.
    `user` None is the command line (city authority)."""
    if user is not None and not VERIFY_QUALIFICATIONS.allows(user):
        raise PermissionDenied(VERIFY_QUALIFICATIONS.refusal)
    if options.kind not in QualificationKind.values:
        raise ValidationError(
            {
                "kind": [
                    f"资质类型“{options.kind}”无效：应为 "
                    + "、".join(QualificationKind.values)
                    + " 之一。"
                ]
            }
        )
    report = ListReport(kind=options.kind, filename=filename, dry_run=options.dry_run)
    read_list(content, report, options)
    if not report.ok:
        return report
    with transaction.atomic():
        found = _match(report.rows)
        for row in report.rows:
            org = found.get(row.number)
            if org is not None:
                _apply(user, org, row, options)
    return report
