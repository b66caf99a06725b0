"""Contracts exported from the provincial/national registration system (xlsx or CSV), through
the import framework (`core/imports`): every row validated first and reported by row/column/
value/problem/fix in Chinese, then committed all-or-nothing.

Columns (English names or the Chinese headers of the template): `registration_no, category,
subcategory, title, seller_uscc, seller_name, seller_area, buyer_uscc, buyer_name, buyer_area,
buyer_region, signed_on, registered_on, total_amount, non_technical_costs, field, status`.
Amounts in 万元; `buyer_region` names the province or city of a buyer outside Nanyang; `status`
is registered, changed or cancelled. A later row with the same `registration_no` (in the file or
already in the register) is a change of that contract; with different parties it is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from kechuang.contracts import selectors
from kechuang.contracts.engine import ContractRuleError, DeductionKind, check_category
from kechuang.contracts.models import (
    ContractDeduction,
    ContractEvent,
    ContractSource,
    ContractStatus,
    EventKind,
    TechContract,
)
from kechuang.contracts.permissions import IMPORT_CONTRACTS
from kechuang.core.imports.cells import (
    CellError,
    is_empty,
    lookup_key,
    normalize_text,
    parse_amount_wan,
    parse_date,
)
from kechuang.core.imports.commit import commit_all
from kechuang.core.imports.errors import FILE, WHOLE_ROW, ErrorLog, ImportRefused, column_label
from kechuang.core.imports.table import FileProblem, read_table, report_formulas
from kechuang.core.scoping import fits_scope
from kechuang.core.services import save_instance
from kechuang.registry import selectors as registry_selectors
from kechuang.registry.engine.uscc import normalize_uscc
from kechuang.registry.models import Area, TechField

HEADERS_ZH = {
    "registration_no": "登记编号",
    "category": "合同类别",
    "subcategory": "细分类别",
    "title": "合同名称",
    "seller_uscc": "卖方统一社会信用代码",
    "seller_name": "卖方名称",
    "seller_area": "卖方所在区域",
    "buyer_uscc": "买方统一社会信用代码",
    "buyer_name": "买方名称",
    "buyer_area": "买方所在区域",
    "buyer_region": "买方所在省市（市外）",
    "signed_on": "签订日期",
    "registered_on": "登记日期",
    "total_amount": "合同成交额（万元）",
    "non_technical_costs": "非技术性费用（万元）",
    "field": "技术领域",
    "status": "状态",
}
COLUMNS = tuple(HEADERS_ZH)
REQUIRED = (
    "registration_no",
    "category",
    "title",
    "seller_name",
    "buyer_name",
    "signed_on",
    "registered_on",
    "total_amount",
    "status",
)
STATUSES = {
    "registered": ContractStatus.REGISTERED,
    "已登记": ContractStatus.REGISTERED,
    "登记": ContractStatus.REGISTERED,
    "changed": ContractStatus.CHANGED,
    "已变更": ContractStatus.CHANGED,
    "变更": ContractStatus.CHANGED,
    "已变更登记": ContractStatus.CHANGED,
    "cancelled": ContractStatus.CANCELLED,
    "已注销": ContractStatus.CANCELLED,
    "注销": ContractStatus.CANCELLED,
}
STATUS_FIX = "请填写 registered（已登记）、changed（已变更）或 cancelled（已注销）。"


def header_aliases() -> dict[str, str]:
    aliases = {}
    for column, zh in HEADERS_ZH.items():
        aliases[lookup_key(column)] = column
        aliases[lookup_key(zh)] = column
    aliases[lookup_key("合同成交额")] = "total_amount"
    aliases[lookup_key("非技术性费用")] = "non_technical_costs"
    return aliases


PROGRESS_ROWS = 200  # a background job's progress is told every this many rows


@dataclass
class ValidRow:
    row: int
    number: str
    values: dict[str, Any]
    costs: Decimal
    status: str
    existing_id: int | None = None  # a change of a contract already in the register
    change_of_row: int | None = None  # a change of an earlier row of the file


@dataclass
class ContractImportReport(ErrorLog):
    filename: str = ""
    file_format: str = ""
    rows_total: int = 0
    rows: list[ValidRow] = field(default_factory=list)
    user_id: int | None = None
    sheet_title: str = ""
    header_columns: dict[str, int] = field(default_factory=dict)  # error header → column
    positions: dict[str, int] = field(default_factory=dict)  # column code → column (1-based)

    def at(self, row: int, column: str, value: Any, problem: str, fix: str) -> None:
        header = column_label(column, HEADERS_ZH, self.positions.get(column))
        self.add(row, header, value, problem, fix, column if column in HEADERS_ZH else "")

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is None and r.change_of_row is None)

    @property
    def to_change(self) -> int:
        return len(self.rows) - self.to_create


@dataclass(frozen=True)
class CommitResult:
    created: int
    changed: int


class RowProblem(Exception):
    def __init__(self, column: str, value: Any, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.column, self.value, self.problem, self.fix = column, value, problem, fix


# --- one row -----------------------------------------------------------------------------------


def _text(cells: dict[str, Any], name: str) -> str:
    return normalize_text(cells.get(name))


def _date(cells: dict[str, Any], name: str) -> dt.date:
    try:
        value = parse_date(cells.get(name))
    except CellError as error:
        raise RowProblem(name, cells.get(name), error.problem, error.fix) from error
    if value is None:
        raise RowProblem(name, "", "必填项为空。", "请填写日期，如 2024-05-20。")
    return value


def _amount(cells: dict[str, Any], name: str) -> Decimal:
    raw = cells.get(name)
    try:
        value = parse_amount_wan(raw, allow_negative=True, places=4)
    except CellError as error:
        raise RowProblem(name, raw, error.problem, error.fix) from error
    if value is not None and value < 0:
        raise RowProblem(name, raw, "金额不能为负数。", "请填写 0 或正数（万元）。")
    return value if value is not None else Decimal(0)


def _area(name: str, value: str) -> Area | None:
    if not value:
        return None
    found = Area.objects.filter(Q(name=value) | Q(code=value)).first()
    if found is None:
        raise RowProblem(
            name, value, f"未知的区域“{value}”。", "请填写南阳市的县市区名称，如 卧龙区。"
        )
    return found


def _seller(user: Any, cells: dict[str, Any]) -> dict[str, Any]:
    uscc = normalize_uscc(_text(cells, "seller_uscc"))
    if uscc:
        try:
            org = registry_selectors.organization_by_uscc(user, uscc, "seller_uscc")
        except ValidationError as error:
            raise RowProblem(
                "seller_uscc",
                uscc,
                "未知的卖方单位（或不在您的管辖范围内）。",
                "请核对统一社会信用代码；县区工作人员只能导入本县区卖方的合同。",
            ) from error
        return {
            "seller": org,
            "seller_name": org.name,
            "seller_uscc": org.uscc,
            "seller_area": org.area,
        }
    area = _area("seller_area", _text(cells, "seller_area"))
    if area is None:
        raise RowProblem(
            "seller_area",
            "",
            "卖方不在登记库中时须填写其所在区域。",
            "请填写卖方统一社会信用代码或所在区域。",
        )
    return {
        "seller": None,
        "seller_name": _text(cells, "seller_name"),
        "seller_uscc": "",
        "seller_area": area,
    }


def _buyer(cells: dict[str, Any]) -> dict[str, Any]:
    uscc = normalize_uscc(_text(cells, "buyer_uscc"))
    org = selectors.party_by_uscc(uscc)
    if org is not None:
        return {
            "buyer": org,
            "buyer_name": org.name,
            "buyer_uscc": org.uscc,
            "buyer_area": org.area,
            "buyer_region": "",
        }
    area = _area("buyer_area", _text(cells, "buyer_area"))
    region = _text(cells, "buyer_region")
    if area is None and not region:
        raise RowProblem(
            "buyer_region",
            "",
            "买方不在本市时须填写其所在省或市。",
            "请填写买方所在区域（本市）或所在省市（市外）。",
        )
    return {
        "buyer": None,
        "buyer_name": _text(cells, "buyer_name"),
        "buyer_uscc": uscc,
        "buyer_area": area,
        "buyer_region": "" if area else region,
    }


def _field(cells: dict[str, Any]) -> TechField | None:
    value = _text(cells, "field")
    if not value:
        return None
    found = TechField.objects.filter(Q(name=value) | Q(code=value)).first()
    if found is None:
        raise RowProblem(
            "field",
            value,
            f"未知的技术领域“{value}”。",
            "请填写八大高新技术领域之一，如 电子信息。",
        )
    return found


def _required(cells: dict[str, Any]) -> None:
    for name in REQUIRED:
        if is_empty(cells.get(name)):
            raise RowProblem(name, "", "必填项为空。", f"请填写{HEADERS_ZH[name]}。")


def _categories(cells: dict[str, Any]) -> dict[str, str]:
    try:
        category, sub = check_category(_text(cells, "category"), _text(cells, "subcategory"))
    except ContractRuleError as error:
        column = next(iter(error.errors))
        raise RowProblem(
            column, cells.get(column), error.errors[column][0], "请按模板的填写说明填写。"
        ) from error
    return {"category": category, "subcategory": sub}


def validate_row(user: Any, cells: dict[str, Any], row: int) -> ValidRow:
    _required(cells)
    status = STATUSES.get(_text(cells, "status").lower())
    if status is None:
        raise RowProblem("status", cells.get("status"), "状态无效。", STATUS_FIX)
    signed, registered = _date(cells, "signed_on"), _date(cells, "registered_on")
    if registered < signed:
        raise RowProblem(
            "registered_on",
            registered,
            f"登记日期早于签订日期 {signed}。",
            "请核对两个日期：合同签订后才能登记。",
        )
    total, costs = _amount(cells, "total_amount"), _amount(cells, "non_technical_costs")
    if costs > total:
        raise RowProblem(
            "non_technical_costs",
            costs,
            f"非技术性费用超过了合同成交额 {total} 万元（技术交易额将为负数）。",
            "请核对金额。",
        )
    values = {
        **_categories(cells),
        **_seller(user, cells),
        **_buyer(cells),
        "title": _text(cells, "title")[:300],
        "tech_field": _field(cells),
        "signed_on": signed,
        "registered_on": registered,
        "total_amount": total,
        "tech_amount": total - costs,
        "declared_tech_amount": total - costs,
    }
    if not fits_scope(
        user, "add", TechContract(seller_area=values["seller_area"], seller=values["seller"])
    ):
        raise RowProblem(
            "seller_area",
            values["seller_area"].name,
            "卖方不在您的管辖范围内。",
            "县区工作人员只能导入本县区卖方的合同。",
        )
    return ValidRow(row, _text(cells, "registration_no"), values, costs, status)


# --- the file ----------------------------------------------------------------------------------


def _same_parties(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["seller_name"] == b["seller_name"] and a["buyer_name"] == b["buyer_name"]


def _link_changes(report: ContractImportReport, valid: ValidRow, seen: dict[str, ValidRow]) -> None:
    earlier = seen.get(valid.number)
    existing = TechContract.objects.filter(registration_no=valid.number).first()
    other = (
        earlier.values
        if earlier
        else (
            {"seller_name": existing.seller_name, "buyer_name": existing.buyer_name}
            if existing
            else None
        )
    )
    if other is not None and not _same_parties(other, valid.values):
        where = f"第 {earlier.row} 行" if earlier else "登记库中"
        report.at(
            valid.row,
            "registration_no",
            valid.number,
            f"登记编号与{where}的合同相同，但卖方或买方不同"
            f"（{other['seller_name']} → {other['buyer_name']}）。",
            "同一合同的变更请保持卖方、买方一致；不同合同请使用不同的登记编号。",
        )
        return
    if earlier is not None:
        valid.change_of_row = earlier.row
    elif existing is not None:
        valid.existing_id = existing.pk
    seen[valid.number] = valid
    report.rows.append(valid)


def validate_file(
    user: Any, content: bytes, filename: str = "", progress: Any = None
) -> ContractImportReport:
    """Read and check every row; never writes. `progress` (a background job's, core/jobs)
    hears how many rows are checked."""
    report = ContractImportReport(filename=filename, user_id=getattr(user, "pk", None))
    if not IMPORT_CONTRACTS.allows(user):
        report.at(0, FILE, filename, IMPORT_CONTRACTS.refusal, "请由市科技局或县区工作人员导入。")
        return report
    try:
        table = read_table(content, allow_csv=True)
    except FileProblem as problem:
        report.at(0, FILE, filename, problem.problem, problem.fix)
        return report
    report.file_format, report.sheet_title = table.file_format, table.sheet_title
    report_formulas(table, report.at)
    aliases = header_aliases()
    header = [aliases.get(lookup_key(h)) for h in table.rows[0]] if table.rows else []
    report.positions = {name: index for index, name in enumerate(header, 1) if name}
    report.header_columns = {
        column_label(name, HEADERS_ZH, index): index for name, index in report.positions.items()
    }
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        names = "、".join(f"“{HEADERS_ZH[c]}”" for c in missing)
        report.at(1, FILE, "", f"缺少必需的列：{names}。", "请使用本页提供的模板，保留表头。")
        return report
    _validate_rows(user, table.rows, header, report, progress)
    if report.rows_total == 0:
        report.at(0, WHOLE_ROW, "", "文件中没有数据行。", "请在表头下方逐行填写合同。")
    return report


def _validate_rows(
    user: Any,
    rows: list[list[Any]],
    header: list[str | None],
    report: ContractImportReport,
    progress: Any,
) -> None:
    if progress is not None:
        progress.start("校验", total=len(rows) - 1)
    seen: dict[str, ValidRow] = {}
    for index, raw in enumerate(rows[1:], start=2):
        if progress is not None and index % PROGRESS_ROWS == 0:
            progress.step(index - 1)
        cells = {name: value for name, value in zip(header, raw, strict=False) if name}
        if all(is_empty(v) for v in cells.values()):
            continue
        report.rows_total += 1
        try:
            valid = validate_row(user, cells, index)
        except RowProblem as p:
            report.at(index, p.column, p.value, p.problem, p.fix)
            continue
        _link_changes(report, valid, seen)
    if progress is not None:
        progress.step(len(rows) - 1)


def _deduction(contract: TechContract, costs: Decimal) -> None:
    contract.deductions.all().delete()
    if costs:
        ContractDeduction.objects.create(
            contract=contract,
            kind=DeductionKind.OTHER_NON_TECHNICAL,
            amount=costs,
            description="导入：登记系统核定的非技术性费用",
        )


def _write(user: Any, report: ContractImportReport, progress: Any = None) -> CommitResult:
    by_row: dict[int, TechContract] = {}
    created = changed = 0
    if progress is not None:
        progress.start("写入", total=len(report.rows))
    for valid in report.rows:
        if progress is not None:
            progress.step(created + changed)
        if valid.change_of_row is not None:
            contract = by_row[valid.change_of_row]
        elif valid.existing_id is not None:
            contract = TechContract.objects.get(pk=valid.existing_id)
        else:
            contract = TechContract(registration_no=valid.number, source=ContractSource.IMPORT)
        is_new = contract.pk is None
        status = valid.status
        if not is_new and status == ContractStatus.REGISTERED:
            status = ContractStatus.CHANGED  # a later row with the same number is a change
        values = {**valid.values, "status": status}
        if is_new and not contract.check_code:
            values["registration_no"] = valid.number
        save_instance(user, contract, values)
        _deduction(contract, valid.costs)
        kind = {
            ContractStatus.CANCELLED: EventKind.CANCELLED,
            ContractStatus.CHANGED: EventKind.CHANGED,
        }.get(status, EventKind.IMPORTED)
        ContractEvent.objects.create(
            contract=contract,
            kind=EventKind.IMPORTED if is_new else kind,
            on=valid.values["registered_on"],
            actor=user,
            note=f"导入：{report.filename} 第 {valid.row} 行",
            total_amount=contract.total_amount,
            tech_amount=contract.tech_amount,
        )
        by_row[valid.row] = contract
        created, changed = created + is_new, changed + (not is_new)
    return CommitResult(created, changed)


def commit(user: Any, report: ContractImportReport, progress: Any = None) -> CommitResult:
    """All rows in one transaction, or none (a refusal of the service rolls everything back);
    `progress` (a background job's) hears how many rows are written."""

    def write() -> CommitResult:
        try:
            return _write(user, report, progress)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", [str(error)])
            raise ImportRefused("导入失败，未写入任何数据：" + "；".join(messages)) from error

    return commit_all(report, user, write)
