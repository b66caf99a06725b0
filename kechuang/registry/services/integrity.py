"""Writes of the research-integrity records (科研诚信): city staff enter a record or import a
provincial list (xlsx, all-or-nothing through `core/imports`); the organization's users contest
their record; city staff answer the contest (an upheld contest revokes the restriction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kechuang.core.imports.cells import CellError, normalize_text, parse_date
from kechuang.core.imports.commit import commit_all
from kechuang.core.imports.errors import FILE, ErrorLog
from kechuang.core.imports.table import FileProblem, read_table
from kechuang.core.permissions import Permission
from kechuang.core.roles import CITY_ROLES, ORGANIZATION_ROLES
from kechuang.core.services import ensure_can, save_instance
from kechuang.registry.engine.uscc import normalize_uscc
from kechuang.registry.models import (
    ContestStatus,
    IntegrityRecord,
    IntegritySeverity,
    IntegritySource,
    Organization,
    Talent,
)


def _city(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in CITY_ROLES)
    )


MANAGE_INTEGRITY = Permission(
    "manage_integrity",
    "录入、导入或处理科研诚信记录",
    _city,
    "只有市科技局工作人员可以录入、导入科研诚信记录或处理申诉。",
)
CONTEST_INTEGRITY = Permission(
    "contest_integrity",
    "对科研诚信记录提出申诉",
    lambda user: bool(getattr(user, "is_authenticated", False) and user.role in ORGANIZATION_ROLES),
    "只有记录所涉单位的企业、高校院所用户可以对本单位的记录提出申诉。",
)
SEVERITY_BY_LABEL = {label: value for value, label in IntegritySeverity.choices}
COLUMNS = (
    "统一社会信用代码",
    "责任人姓名",
    "失信行为",
    "严重程度",
    "处理决定",
    "决定机关",
    "决定日期",
    "限制开始日期",
    "限制截止日期",
)
DATE_COLUMNS = {
    "决定日期": "decided_on",
    "限制开始日期": "excluded_from",
    "限制截止日期": "excluded_until",
}


@transaction.atomic
def record(user: Any, data: dict[str, Any]) -> IntegrityRecord:
    """City staff enter one record (the organization and, for a person, the talent)."""
    MANAGE_INTEGRITY.check(user)
    values = {k: v for k, v in data.items() if k != "id"}
    talent = values.get("talent")
    if talent is not None and not values.get("organization"):
        values["organization"] = talent.organization
    return save_instance(user, IntegrityRecord(), values)


@transaction.atomic
def contest(user: Any, item: IntegrityRecord, reason: str) -> IntegrityRecord:
    """The organization concerned contests its record (or its person's), with a reason."""
    CONTEST_INTEGRITY.check(user)
    ensure_can(user, "view", item)
    if user.organization_id != item.organization_id:
        raise PermissionDenied("只能对本单位（或本单位人员）的科研诚信记录提出申诉。")
    if item.contest_status == ContestStatus.PENDING:
        raise ValidationError({"contest": ["该记录已有待处理的申诉，请等待市科技局处理。"]})
    if not reason.strip():
        raise ValidationError({"contest": ["请填写申诉理由（事实与依据）。"]})
    return save_instance(
        user, item, {"contest": reason.strip(), "contest_status": ContestStatus.PENDING}
    )


@transaction.atomic
def answer_contest(user: Any, item: IntegrityRecord, upheld: bool, answer: str) -> IntegrityRecord:
    MANAGE_INTEGRITY.check(user)
    if item.contest_status != ContestStatus.PENDING:
        raise ValidationError({"contest_status": ["该记录没有待处理的申诉。"]})
    if not answer.strip():
        raise ValidationError({"contest_answer": ["请填写申诉处理意见。"]})
    status = ContestStatus.UPHELD if upheld else ContestStatus.REJECTED
    return save_instance(user, item, {"contest_status": status, "contest_answer": answer.strip()})


# --- the provincial list (xlsx) -----------------------------------------------------------------


@dataclass
class IntegrityImport(ErrorLog):
    user_id: int | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)


def _header(report: IntegrityImport, header: list[Any]) -> dict[str, int]:
    names = [normalize_text(h) for h in header]
    for column in COLUMNS:
        if column not in names:
            report.add(
                1, column, "", f"缺少列“{column}”。", f"请按模板列名：{'、'.join(COLUMNS)}。"
            )
    return {name: i for i, name in enumerate(names)}


def _organization(report: IntegrityImport, n: int, raw: Any) -> Organization | None:
    code = normalize_uscc(normalize_text(raw))
    organization = Organization.objects.filter(uscc=code).first() if code else None
    if organization is None:
        report.add(
            n,
            "统一社会信用代码",
            raw,
            "找不到该统一社会信用代码的单位。",
            "请核对 18 位代码，或先在单位库登记该单位。",
        )
    return organization


def _row(report: IntegrityImport, n: int, cells: dict[str, Any]) -> None:
    errors_before = len(report.errors)
    organization = _organization(report, n, cells["统一社会信用代码"])
    values: dict[str, Any] = {"source": IntegritySource.PROVINCE}
    for column, name in DATE_COLUMNS.items():
        day = _date(report, n, column, cells[column])
        values[name] = day
    severity = SEVERITY_BY_LABEL.get(normalize_text(cells["严重程度"]))
    if severity is None:
        report.add(
            n, "严重程度", cells["严重程度"], "严重程度不可识别。", "请填写 较轻、较重 或 严重。"
        )
    for column, name in (
        ("失信行为", "misconduct"),
        ("处理决定", "decision"),
        ("决定机关", "decided_by"),
    ):
        values[name] = normalize_text(cells[column], multiline=True)
        if not values[name]:
            report.add(n, column, "", f"“{column}”为空。", f"请填写{column}。")
    person = normalize_text(cells["责任人姓名"])
    talent = None
    if person and organization is not None:
        talent = Talent.objects.filter(organization=organization, name=person).first()
        if talent is None:
            report.add(
                n,
                "责任人姓名",
                person,
                "该单位的人才库中没有此人。",
                "请核对姓名，或先在人才库登记；仅针对单位的记录请留空。",
            )
    if len(report.errors) == errors_before:
        report.rows.append(
            {
                **values,
                "organization": organization,
                "talent": talent,
                "person_only": talent is not None,
                "severity": severity,
            }
        )


def _date(report: IntegrityImport, n: int, column: str, raw: Any) -> dt.date | None:
    try:
        day = parse_date(raw)
    except CellError:
        day = None
    if day is None:
        report.add(n, column, raw, f"“{column}”不是日期。", "请填写如 2025-03-01 的日期。")
    return day


def validate_import(user: Any, content: bytes) -> IntegrityImport:
    """Every problem of the file by row and column; nothing written."""
    MANAGE_INTEGRITY.check(user)
    report = IntegrityImport(user_id=user.pk)
    try:
        table = read_table(content)
    except FileProblem as problem:
        report.add(0, FILE, "", problem.problem, problem.fix)
        return report
    if not table.rows:
        report.add(0, FILE, "", "文件没有表头。", f"第一行应为列名：{'、'.join(COLUMNS)}。")
        return report
    index = _header(report, table.rows[0])
    if report.errors:
        return report
    for n, raw in enumerate(table.rows[1:], start=2):
        if all(c in (None, "") for c in raw):
            continue
        cells = {c: raw[index[c]] if index[c] < len(raw) else None for c in COLUMNS}
        _row(report, n, cells)
    return report


def commit_import(user: Any, report: IntegrityImport) -> list[IntegrityRecord]:
    """All rows or none (`core.imports.commit_all`), each saved and audited like an entry."""
    return commit_all(report, user, lambda: [record(user, dict(row)) for row in report.rows])
