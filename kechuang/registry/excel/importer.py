"""Excel import: validate an uploaded workbook into a report (dry run), then commit it.

`validate_upload` never writes. It reads the file (checked by content, not name), matches the
headers to the registry's spec, parses every cell, resolves references, finds the existing record
of each row by its natural key, checks the user's scope and runs the model's own validation. The
report says how many rows would be created and updated and lists every error with row, column,
value, problem and fix. `commit` writes a clean report all-or-nothing in one transaction, with
bulk statements and a bulk audit trail, so 100,000 rows import in well under a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kechuang.core import bulk
from kechuang.core.audit import creation_changes, diff, record_bulk
from kechuang.core.imports.cells import (
    CellError,
    is_empty,
    lookup_key,
    normalize_text,
    parse_amount_wan,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    restore_formula,
    split_list,
)
from kechuang.core.imports.commit import commit_all
from kechuang.core.imports.errors import (
    FILE,
    WHOLE_ROW,
    ErrorLog,
    ImportRefused,
    RowError,
    show_value,
)
from kechuang.core.imports.table import (
    MAX_UPLOAD_BYTES,
    FileProblem,
    HeaderTexts,
    data_rows,
    match_header,
    read_table,
    read_upload,
    report_formulas,
    sniff_xlsx,
)
from kechuang.core.masking import mask_for
from kechuang.core.memory import collector_paused
from kechuang.core.models import AuditAction
from kechuang.core.permissions import IMPORT_CONFIRMED_FIGURES, WRITE_DATA
from kechuang.core.roles import ORGANIZATION_ROLES, Role
from kechuang.core.scoping import fits_scope, frozen_field_errors
from kechuang.registry.engine.uscc import USCCError, normalize_uscc, validate_uscc
from kechuang.registry.excel.specs import (
    ANNUAL_REPORTS,
    Column,
    References,
    RegistrySpec,
    get_spec,
)
from kechuang.registry.excel.template import AUX_SHEETS
from kechuang.registry.models import (
    Area,
    FigureReview,
    FigureSubmission,
    IndustryChain,
    Organization,
    Qualification,
    SubmissionStatus,
    Talent,
    TechField,
)
from kechuang.registry.models.figures import FIGURE_FIELDS
from kechuang.registry.models.organizations import validate_uscc_field
from kechuang.registry.services.qualifications import entry_state, is_organization_user
from kechuang.registry.services.workflow import PENDING

BATCH_SIZE = 500  # rows per `__in` lookup and link INSERT (below SQLite's variable limit)
WRITE_BATCH_SIZE = 10_000  # rows per set-based INSERT or UPDATE (a background job's progress step)
USCC_FIX = (
    "请核对统一社会信用代码（可在国家企业信用信息公示系统查询），注意 0 与 O、1 与 I 的区别。"
)

__all__ = [
    "FILE",
    "MAX_UPLOAD_BYTES",
    "WHOLE_ROW",
    "CommitResult",
    "ImportRefused",
    "ImportReport",
    "RowError",
    "RowPlan",
    "commit",
    "sniff_xlsx",
    "validate_upload",
]


@dataclass
class RowPlan:
    """What committing one valid row will do."""

    row: int
    instance: models.Model
    is_new: bool
    before: dict[str, Any] | None  # audit snapshot as loaded (None for new rows)
    changes: dict[str, list[Any]]  # field-level changes (m2m included) for updates
    m2m: dict[str, list[models.Model]] = field(default_factory=dict)


@dataclass
class ImportReport(ErrorLog):
    registry_code: str = ""
    filename: str = ""
    rows_total: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    plans: list[RowPlan] = field(default_factory=list, repr=False)
    sheet_title: str = ""
    header_columns: dict[str, int] = field(default_factory=dict)  # header -> column (1-based)
    user_id: int | None = None
    # A background job's progress (core/jobs Progress: start(phase, total), step(done)); None
    # when the import runs in the request.
    progress: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class CommitResult:
    created: int
    updated: int


# ---------------------------------------------------------------------------------------------
# The file

HEADER_TEXTS = HeaderTexts(
    unknown_fix="请删除该列，或改为模板中的列名（见“填写说明”工作表）。",
    missing_fix="请下载最新模板，补上该列（列名须与模板一致）。",
)


def _read_rows(content: bytes, spec: RegistrySpec, report: ImportReport) -> list[Any] | None:
    """[(row number, {field: raw value})] of the non-empty data rows, or None on file errors."""
    try:
        table = read_table(content, sheet=spec.sheet_title, skip_sheets=AUX_SHEETS)
    except FileProblem as problem:
        report.add(0, FILE, report.filename, problem.problem, problem.fix)
        return None
    report.sheet_title = table.sheet_title
    report_formulas(table, report.add)
    if not table.rows:
        report.add(1, FILE, "", "工作表是空的，没有表头。", "请使用下载的模板填写。")
        return None
    by_header = {column.header_zh: column for column in spec.columns}
    aliases = {_header_key(header): header for header in by_header}
    required = [column.header_zh for column in spec.data_columns]
    header = match_header(table.rows[0], aliases, required, report, HEADER_TEXTS)
    report.header_columns.update(header.headers)
    if not header.ok:
        return None
    fields = {
        position: by_header[name].field
        for position, name in header.positions.items()
        if by_header[name].kind != "info"
    }
    return list(data_rows(table, fields))


def _header_key(text: Any) -> str:
    return lookup_key(text).rstrip("*")


# ---------------------------------------------------------------------------------------------
# Cells


def _text(value: Any, multiline: bool = False) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    elif hasattr(value, "isoformat"):
        value = show_value(value)
    return restore_formula(normalize_text(value, multiline=multiline))


@dataclass
class Context:
    """What parsing a row needs besides the row: the spec, references, resolved organizations."""

    spec: RegistrySpec
    refs: References
    orgs: dict[str, Organization]  # normalized USCC -> organization the user may view
    choice_index: dict[str, dict[str, str]]  # field -> lookup key -> stored value
    # for list columns (co-builders) also those already linked to rows the user may view:
    # re-importing what an export showed must not fail (the API keeps current links alike)
    linked_orgs: dict[str, Organization] = field(default_factory=dict)
    # (field, type, raw cell) -> its value, or its error's (problem, fix): REPEATED_KINDS cells
    parsed: dict[tuple[str, type, Any], Any] = field(default_factory=dict)


def _choice_index(spec: RegistrySpec) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for column in spec.data_columns:
        if column.kind == "choice" and column.choices is not None:
            entries = {}
            for value, label in column.choices.choices:
                entries[lookup_key(value)] = value
                entries[lookup_key(label)] = value
            index[column.field] = entries
    return index


def _org_problem(code: str) -> tuple[str, str]:
    try:
        validate_uscc(code)
    except USCCError as error:
        return str(error), USCC_FIX
    return (
        f"未找到统一社会信用代码为 {code} 的单位，或该单位不在您的管辖范围内。",
        "请先在“创新主体”中登记该单位（可用创新主体模板导入），或检查代码是否写错。",
    )


def _parse_uscc(column: Column, raw: Any, ctx: Context) -> Any:
    try:
        return validate_uscc(_text(raw))
    except USCCError as error:
        raise CellError(str(error), USCC_FIX) from None


def _parse_decimal(column: Column, raw: Any, ctx: Context) -> Any:
    places = getattr(ctx.spec.model._meta.get_field(column.field), "decimal_places", 2)
    return parse_decimal(raw, places=places, allow_negative=column.allow_negative)


def _parse_choice(column: Column, raw: Any, ctx: Context) -> Any:
    value = ctx.choice_index[column.field].get(lookup_key(raw))
    if value is None:
        labels = "、".join(str(label) for label in column.choices.labels)  # type: ignore[union-attr]
        raise CellError(
            f"“{_text(raw)}”不是可选的{column.header_zh}。", f"请从下拉列表中选择：{labels}。"
        )
    return value


CELL_PARSERS: dict[str, Any] = {
    "text": lambda column, raw, ctx: _text(raw, column.multiline),
    "uscc": _parse_uscc,
    "int": lambda column, raw, ctx: parse_int(raw, column.min_value, column.max_value),
    "decimal": _parse_decimal,
    "amount": lambda column, raw, ctx: parse_amount_wan(raw, column.allow_negative),
    "date": lambda column, raw, ctx: parse_date(raw),
    "bool": lambda column, raw, ctx: parse_bool(raw),
    "choice": _parse_choice,
    "fk_talent": lambda column, raw, ctx: _text(raw),  # resolved once the organization is known
}


# Column kinds whose cells repeat a small set of values (a choice, yes/no, a reference by
# name): each distinct cell is parsed once per upload (an error too), then looked up.
REPEATED_KINDS = frozenset({"choice", "bool", "fk_area", "fk_industry", "fk_techfield"})


def parse_cell(column: Column, raw: Any, ctx: Context) -> Any:
    """The Python value of one cell (None when empty); raises CellError."""
    if column.kind not in REPEATED_KINDS:
        return _parse_cell(column, raw, ctx)
    key = (column.field, type(raw), raw)  # 1, 1.0 and True are equal keys: tell them apart
    try:
        value = ctx.parsed[key]
    except KeyError:
        try:
            value = _parse_cell(column, raw, ctx)
        except CellError as error:
            value = (error.problem, error.fix)
        ctx.parsed[key] = value
    except TypeError:  # pragma: no cover - readers give hashable cells
        return _parse_cell(column, raw, ctx)
    if type(value) is tuple:  # the cell's error, raised anew (a fresh traceback each row)
        raise CellError(*value)
    return value


def _parse_cell(column: Column, raw: Any, ctx: Context) -> Any:
    if column.kind == "list":
        return [_parse_item(column, item, ctx) for item in split_list(_text(raw))]
    if is_empty(raw):
        return None
    parser = CELL_PARSERS.get(column.kind)
    try:
        return parser(column, raw, ctx) if parser else _parse_item(column, raw, ctx)
    except (InvalidOperation, OverflowError):  # a number too long to round (1e30)
        raise CellError(*_out_of_range(ctx.spec.model, column, raw)) from None


def _out_of_range(model: type[models.Model], column: Column, raw: Any) -> tuple[str, str]:
    model_field = model._meta.get_field(column.field)
    unit = "（金额以万元计）" if "万元" in column.header_zh else ""
    limit = ""
    if isinstance(model_field, models.DecimalField):
        whole = model_field.max_digits - model_field.decimal_places
        limit = f"（应小于 {Decimal(10) ** whole:,.0f}）"
    shown = f"{raw:g}" if isinstance(raw, int | float) else _text(raw)
    return (
        f"“{shown}”超出{column.header_zh}可填写的范围{limit}。",
        f"请核对数值及单位{unit}。",
    )


def _parse_item(column: Column, raw: Any, ctx: Context) -> Any:
    kind = column.item_kind if column.kind == "list" else column.kind
    if kind == "fk_org":
        code = normalize_uscc(_text(raw))
        org = ctx.orgs.get(code)
        if org is None and column.kind == "list":
            org = ctx.linked_orgs.get(code)
        if org is None:
            raise CellError(*_org_problem(code))
        return org
    if kind == "fk_area":
        area = ctx.refs.area_index.get(lookup_key(raw))
        if area is None:
            raise CellError(
                f"未知的区域“{_text(raw)}”。",
                "请从下拉列表中选择区域名称，或填写区域代码，如 411303。",
            )
        return area
    if kind == "fk_industry":
        industry = ctx.refs.industry_index.get(lookup_key(raw))
        if industry is None:
            raise CellError(
                f"未知的产业“{_text(raw)}”。",
                "请从下拉列表中选择产业名称，或填写产业代码（见“填写说明”）。",
            )
        return industry
    if kind == "fk_techfield":
        techfield = ctx.refs.techfield_index.get(lookup_key(raw))
        if techfield is None:
            names = "、".join(ctx.refs.techfield_labels())
            raise CellError(f"未知的高新技术领域“{_text(raw)}”。", f"请填写以下之一：{names}。")
        return techfield
    raise AssertionError(f"unexpected column kind {kind}")  # pragma: no cover


def _empty_value(model: type[models.Model], column: Column) -> Any:
    """What an empty optional cell stores: the model default, None, or ""."""
    if column.kind == "list":
        return []
    model_field = model._meta.get_field(column.field)
    if model_field.has_default():
        return model_field.get_default()
    return None if model_field.null else ""


def _collect_uscc(spec: RegistrySpec, rows: list[Any]) -> set[str]:
    codes: set[str] = set()
    for column in spec.data_columns:
        if column.kind == "fk_org" or (column.kind == "list" and column.item_kind == "fk_org"):
            for _, cells in rows:
                raw = cells.get(column.field)
                if column.kind == "list":
                    codes.update(normalize_uscc(item) for item in split_list(_text(raw)))
                elif not is_empty(raw):
                    codes.add(normalize_uscc(_text(raw)))
    return codes


def _chunks(values: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _resolve_orgs(
    codes: set[str], user: Any, linked_through: models.QuerySet | None = None
) -> dict[str, Organization]:
    """Organizations the user may view, by USCC; others are reported as not found. With
    `linked_through` (an organization lookup such as `co_built_platforms__in=<rows the user may
    view>`), the organizations already linked to those rows instead."""
    found: dict[str, Organization] = {}
    if linked_through is None:
        pool = Organization.objects.restrict(user, "view")
    else:
        pool = Organization.objects.filter(linked_through).distinct()
    for chunk in _chunks(codes):
        found.update((org.uscc, org) for org in pool.select_related("area").filter(uscc__in=chunk))
    return found


def _linked_orgs(spec: RegistrySpec, codes: set[str], user: Any) -> dict[str, Organization]:
    """For the spec's organization list columns: the organizations already linked to rows of
    the spec's model that the user may view (e.g. a platform's co-builders in another county)."""
    found: dict[str, Organization] = {}
    visible = spec.model.objects.restrict(user, "view")  # type: ignore[attr-defined]
    for column in spec.data_columns:
        if column.kind == "list" and column.item_kind == "fk_org":
            related = spec.model._meta.get_field(column.field).related_query_name()
            found.update(_resolve_orgs(codes, user, Q(**{f"{related}__in": visible})))
    return found


# ---------------------------------------------------------------------------------------------
# Natural keys and existing rows


def _last4(phone: Any) -> str:
    return "".join(ch for ch in str(phone or "") if ch.isdigit())[-4:]


def _key_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return normalize_text(value) if isinstance(value, str) else value


def _row_key(spec: RegistrySpec, values: dict[str, Any]) -> tuple[Any, ...] | None:
    parts = []
    for name in spec.key:
        if name == "phone_last4":
            parts.append(_last4(values.get("phone")))
            continue
        value = values.get(name)
        if value is None or value == "":
            return None
        parts.append(_key_value(value))
    return tuple(parts)


def _obj_key(spec: RegistrySpec, obj: models.Model) -> tuple[Any, ...]:
    parts = []
    for name in spec.key:
        if name == "phone_last4":
            parts.append(_last4(obj.phone))  # type: ignore[attr-defined]
        elif obj._meta.get_field(name).is_relation:
            parts.append(getattr(obj, f"{name}_id"))
        else:
            parts.append(_key_value(getattr(obj, name)))
    return tuple(parts)


def related_paths(spec: RegistrySpec) -> list[str]:
    """select_related paths the scope check, the audit repr and the export need."""
    rule = spec.model.scope  # type: ignore[attr-defined]
    paths = {path for path in (rule.area, rule.organization) if path and path != "pk"}
    for column in spec.columns:
        if column.kind.startswith("fk_") or column.kind == "info":
            first = column.field.split("__")[0]
            if spec.model._meta.get_field(first).is_relation:
                paths.add(first)
    return sorted(paths)


def m2m_fields(spec: RegistrySpec) -> list[str]:
    return [column.field for column in spec.data_columns if column.kind == "list"]


def _existing(
    spec: RegistrySpec, keys: set[tuple[Any, ...]], refs: References
) -> dict[tuple[Any, ...], list[Any]]:
    """Stored rows by natural key, fetched in chunks by the anchor field (unrestricted: a key
    taken outside the user's scope must still be found, or the commit would collide). Their
    areas, industries and high-tech fields are the reference rows already loaded, not joined
    and built again for every row."""
    position = spec.key.index(spec.anchor)
    anchors = {key[position] for key in keys}
    shared = _shared_references(spec, refs)
    paths = [path for path in related_paths(spec) if path not in shared]
    queryset = spec.model.objects.select_related(*paths).prefetch_related(*m2m_fields(spec))
    found: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for chunk in _chunks(anchors):
        for obj in queryset.filter(**{f"{spec.anchor}__in": chunk}):
            cache = obj._state.fields_cache
            for name, (attname, by_id) in shared.items():
                related = by_id.get(getattr(obj, attname))
                if related is not None:
                    cache[name] = related
            key = _obj_key(spec, obj)
            if key in keys:
                found[key].append(obj)
    return found


def _shared_references(
    spec: RegistrySpec, refs: References
) -> dict[str, tuple[str, dict[int, models.Model]]]:
    """{field: (attname, reference rows by id)} of the model's own foreign keys to areas,
    industries and high-tech fields."""
    rows: dict[type[models.Model], list[Any]] = {
        Area: refs.areas,
        IndustryChain: refs.industries,
        TechField: refs.techfields,
    }
    shared = {}
    for model_field in spec.model._meta.concrete_fields:
        target = model_field.related_model if model_field.many_to_one else None
        if target in rows:
            by_id = {row.pk: row for row in rows[target]}
            shared[model_field.name] = (model_field.attname, by_id)
    return shared


# ---------------------------------------------------------------------------------------------
# Scope


def _denied(user: Any, spec: RegistrySpec) -> tuple[str, str] | None:
    """A file-level refusal for users who may not import this registry at all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "请先登录后再导入。", "请登录后重试。"
    if not WRITE_DATA.allows(user):
        return "评审专家无权导入登记数据。", "请联系市科技局工作人员。"
    if spec is ANNUAL_REPORTS and not IMPORT_CONFIRMED_FIGURES.allows(user):
        return (
            "年度数据导入即视为市级确认，只有市科技局工作人员可以批量导入。",
            "企业请通过“年度数据填报”逐年填报，经县区审核、市级确认。",
        )
    if spec.model is Qualification and is_organization_user(user):
        return (
            "单位用户不能批量导入资质认定：资质须逐条申报并附证书扫描件，经市科技局核验后计入统计。",
            "请在“资质认定 → 申报资质”页面逐条申报。",
        )
    return None


def _scope_error(spec: RegistrySpec, user: Any, is_new: bool, stored: bool) -> tuple[str, str, str]:
    """(column header, problem, fix) for a row outside the user's scope."""
    rule = spec.model.scope  # type: ignore[attr-defined]
    if stored:
        header = spec.column(spec.key[0]).header_zh  # type: ignore[union-attr]
        return (
            header,
            "该记录已登记，但不在您的管辖范围内，您无权修改。",
            "请删除该行，或联系市科技局工作人员处理。",
        )
    if user.role == Role.COUNTY_STAFF and rule.area:
        column = spec.column(rule.area.split("__")[0])
        return (
            column.header_zh if column else WHOLE_ROW,
            f"超出您的管辖范围：您只能导入{user.area.name}（含下级区域）的数据。",
            "请删除该行，或交由该区域的工作人员导入。",
        )
    if user.role in ORGANIZATION_ROLES and rule.organization:
        name = rule.organization.split("__")[0]
        column = spec.column("uscc" if name == "pk" else name)
        header = column.header_zh if column else WHOLE_ROW
        if rule.organization == "pk" and is_new:
            return header, "单位用户不能新增单位，只能修改本单位的信息。", "请删除该行。"
        return (
            header,
            f"超出您的权限：您只能导入本单位（{user.organization.name}）的数据。",
            "请删除该行。",
        )
    return WHOLE_ROW, "您无权导入该数据。", "请联系市科技局工作人员。"


# ---------------------------------------------------------------------------------------------
# Validation


def validate_upload(
    registry_code: str, upload: Any, user: Any, filename: str = "", progress: Any = None
) -> ImportReport:
    """Dry run: everything `commit` would do, checked and counted, nothing written.

    `upload` is a Django UploadedFile or the file's bytes (then pass `filename` for messages);
    `progress` (a background job's) hears how many rows are checked, then written by `commit`.
    """
    with collector_paused():
        return _validate(registry_code, upload, user, filename, progress)


def _validate(
    registry_code: str, upload: Any, user: Any, filename: str, progress: Any
) -> ImportReport:
    spec = get_spec(registry_code)
    report = ImportReport(registry_code=spec.code, filename=filename, progress=progress)
    report.user_id = getattr(user, "pk", None)
    denied = _denied(user, spec)
    if denied is not None:
        report.add(0, FILE, "", *denied)
        return report
    report.filename = report.filename or getattr(upload, "name", "") or ""
    try:
        content = read_upload(upload)
    except FileProblem as problem:
        report.add(0, FILE, report.filename, problem.problem, problem.fix)
        return report
    rows = _read_rows(content, spec, report)
    if rows is None:
        return report
    report.rows_total = len(rows)
    if not rows:
        report.add(2, FILE, "", "表格中没有数据行。", "请从第 2 行起填写数据，第 1 行为表头。")
        return report
    codes = _collect_uscc(spec, rows)
    ctx = Context(
        spec=spec,
        refs=References.load(),
        orgs=_resolve_orgs(codes, user),
        linked_orgs=_linked_orgs(spec, codes, user),
        choice_index=_choice_index(spec),
    )
    parsed = _parse_rows(rows, ctx, report)
    _plan(spec, parsed, user, report, ctx.refs)
    if progress is not None:
        progress.step(len(rows))
    return report


def _parse_rows(rows: list[Any], ctx: Context, report: ImportReport) -> list[ParsedRow]:
    progress = report.progress
    if progress is None:
        return [_parse_row(number, cells, ctx, report) for number, cells in rows]
    progress.start("校验", total=len(rows))
    parsed = []
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        parsed += [_parse_row(number, cells, ctx, report) for number, cells in batch]
        progress.step(start + BATCH_SIZE // 2)  # half a batch: the planning is still to come
    return parsed


def _bulk_create(model: type[models.Model], plans: list[RowPlan], report: ImportReport) -> None:
    """INSERT the new rows in batches (one set-based statement each, `core/bulk.py`), telling
    a background job's progress after each."""
    for chunk in _chunks(plans, WRITE_BATCH_SIZE):
        bulk.create(model, [plan.instance for plan in chunk])
        if report.progress is not None:
            report.progress.advance(len(chunk))


@dataclass
class ParsedRow:
    number: int
    cells: dict[str, Any]
    values: dict[str, Any]
    ok: bool
    key: tuple[Any, ...] | None = None
    failed: set[str] = field(default_factory=set)


def _parse_row(number: int, cells: dict[str, Any], ctx: Context, report: ImportReport) -> ParsedRow:
    values: dict[str, Any] = {}
    failed: set[str] = set()
    for column in ctx.spec.data_columns:
        raw = cells.get(column.field)
        try:
            value = parse_cell(column, raw, ctx)
        except CellError as error:
            report.add(number, column.header_zh, raw, error.problem, error.fix)
            failed.add(column.field)
            continue
        if value is None or value == []:
            if column.required:
                report.add(
                    number,
                    column.header_zh,
                    raw,
                    f"“{column.header_zh}”为必填项，不能为空。",
                    f"请填写{column.header_zh}。{column.help_zh}",
                )
                failed.add(column.field)
                continue
            value = _empty_value(ctx.spec.model, column)
        values[column.field] = value
    return ParsedRow(number, cells, values, not failed, _row_key(ctx.spec, values), failed)


def _mark_duplicates(spec: RegistrySpec, parsed: list[ParsedRow], report: ImportReport) -> None:
    """A natural key repeated within the file: both (all) rows get an error."""
    first_row: dict[tuple[Any, ...], ParsedRow] = {}
    header = spec.column(spec.key[0]).header_zh  # type: ignore[union-attr]
    key_text = "、".join(
        c.header_zh for name in spec.key if (c := spec.column(name)) is not None
    ) + ("、手机号后 4 位" if "phone_last4" in spec.key else "")
    for row in parsed:
        if row.key is None:
            continue
        first = first_row.setdefault(row.key, row)
        if first is row:
            continue
        for this, other in ((row, first), (first, row)):
            this.ok = False
            report.add(
                this.number,
                header,
                this.cells.get(spec.key[0]),
                f"与第 {other.number} 行重复：{key_text}相同的记录在文件中出现了多次。",
                "请合并重复的行，或删除其中一行。",
            )


def _resolve_leaders(spec: RegistrySpec, parsed: list[ParsedRow], report: ImportReport) -> None:
    """Team leaders are named; find them among the talents of the team's organization."""
    column = next((c for c in spec.data_columns if c.kind == "fk_talent"), None)
    if column is None:
        return
    wanted = [row for row in parsed if row.ok and row.values.get(column.field)]
    org_ids = {row.values["organization"].pk for row in wanted}
    index: dict[tuple[int, str], list[Talent]] = defaultdict(list)
    for chunk in _chunks(org_ids):
        for talent in Talent.objects.filter(organization_id__in=chunk):
            index[(talent.organization_id, normalize_text(talent.name))].append(talent)
    for row in wanted:
        name = row.values[column.field]
        matches = index.get((row.values["organization"].pk, name), [])
        if len(matches) == 1:
            row.values[column.field] = matches[0]
            continue
        row.ok = False
        if matches:
            problem = f"依托单位有 {len(matches)} 位名为“{name}”的科技人才，无法确定带头人。"
            fix = "请先在科技人才库中区分同名人员（如补充手机号），或留空后在系统中指定。"
        else:
            problem = f"依托单位没有名为“{name}”的科技人才。"
            fix = "请先用“科技人才”模板导入该带头人，或检查姓名是否写错。"
        report.add(row.number, column.header_zh, name, problem, fix)


def _plan(
    spec: RegistrySpec, parsed: list[ParsedRow], user: Any, report: ImportReport, refs: References
) -> None:
    _mark_duplicates(spec, parsed, report)
    _resolve_leaders(spec, parsed, report)
    keys = {row.key for row in parsed if row.ok and row.key is not None}
    existing = _existing(spec, keys, refs)
    exclude = [f.name for f in spec.model._meta.get_fields() if f.is_relation]
    prevalidated = _prevalidated(spec)
    pending = _pending_figures(parsed) if spec is ANNUAL_REPORTS else set()
    for row in parsed:
        if row.failed:
            _partial_clean(spec, row, exclude, report)
        if not row.ok:
            continue
        checked = [name for name in prevalidated if row.values[name] not in (None, "")]
        if (getattr(row.values.get("organization"), "pk", None), row.values.get("year")) in pending:
            report.add(
                row.number,
                spec.column("organization").header_zh,  # type: ignore[union-attr]
                row.cells.get("organization"),
                f"该单位 {row.values['year']} 年度已有待审核的填报，导入的数据会被其后的审核覆盖。",
                "请先在“填报审核”中确认或退回该填报，再导入。",
            )
            continue
        matches = existing.get(row.key, [])  # type: ignore[arg-type]
        if len(matches) > 1:
            report.add(
                row.number,
                spec.column(spec.key[0]).header_zh,  # type: ignore[union-attr]
                row.cells.get(spec.key[0]),
                f"库中有 {len(matches)} 条记录与该行匹配，无法确定更新哪一条。",
                "请联系市科技局工作人员先合并库中的重复记录。",
            )
            continue
        stored = matches[0] if matches else None
        plan = _plan_row(spec, row, stored, user, [*exclude, *checked], report)
        if plan is None:
            continue
        report.plans.append(plan)
        if plan.is_new:
            report.to_create += 1
        elif plan.changes:
            report.to_update += 1
        else:
            report.unchanged += 1


# Column kinds whose parsing already checks all that the model field's own checks would (a
# USCC's check character, a choice among the field's choices, a yes/no, a date), so a row's
# full_clean skips them when the cell was filled: the same verdict at half the cost.
PREVALIDATED_KINDS = frozenset({"uscc", "choice", "bool", "date"})
LENGTH_VALIDATORS = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)


def _prevalidated(spec: RegistrySpec) -> list[str]:
    """The spec's fields whose filled cells full_clean need not check again: of those kinds,
    with no validator of their own but the length ones (and the USCC's, for a USCC), a choice
    field's choices those of its column."""
    names = []
    for column in spec.data_columns:
        if column.kind not in PREVALIDATED_KINDS:
            continue
        model_field = spec.model._meta.get_field(column.field)
        own = [v for v in model_field.validators if not isinstance(v, LENGTH_VALIDATORS)]
        if column.kind == "uscc":
            own = [v for v in own if v is not validate_uscc_field]
        if own:
            continue
        if column.kind == "choice" and column.choices is not None:
            allowed = {str(value) for value, _ in model_field.flatchoices}
            if not set(column.choices.values) <= allowed:
                continue
        names.append(column.field)
    return names


def _pending_figures(parsed: list[ParsedRow]) -> set[tuple[int, int]]:
    """(organization id, year) of the rows' figures awaiting review in the workflow."""
    rows = [r for r in parsed if r.ok and r.values.get("organization") is not None]
    if not rows:
        return set()
    return set(
        FigureSubmission.objects.filter(
            status__in=PENDING,
            organization__in={r.values["organization"].pk for r in rows},
            year__in={r.values["year"] for r in rows},
        ).values_list("organization_id", "year")
    )


def _partial_clean(
    spec: RegistrySpec, row: ParsedRow, exclude: list[str], report: ImportReport
) -> None:
    """Model validation of the cells that did parse, so one upload reports as much as it can."""
    instance = spec.model()
    for name, value in row.values.items():
        if not isinstance(value, list) and not spec.model._meta.get_field(name).is_relation:
            setattr(instance, name, value)
    skipped = [*exclude, *row.failed]
    try:
        instance.full_clean(exclude=skipped, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        _report_validation(spec, row, error, report)


def _assign(
    spec: RegistrySpec,
    row: ParsedRow,
    instance: models.Model,
    stored: models.Model | None,
    m2m: dict[str, list[models.Model]],
    report: ImportReport,
) -> bool:
    """Set the row's values on `instance` (many-to-many ones into `m2m`); False after reporting
    a masked number that does not stand for the stored one."""
    for column in spec.data_columns:
        value = row.values[column.field]
        if column.kind == "list":
            m2m[column.field] = value
            continue
        if column.sensitive and isinstance(value, str) and "*" in value:
            mask = mask_for(column.field)
            if stored is not None and mask(getattr(stored, column.field)) == value:
                continue  # a masked export re-imported: keep the stored number
            report.add(
                row.number,
                column.header_zh,
                value,
                "这是脱敏后的号码，不能作为新值导入。",
                "请填写完整号码，或保持导出时的脱敏值不变（将保留库中原值）。",
            )
            return False
        setattr(instance, column.field, value)
    return True


def _set_state(spec: RegistrySpec, user: Any, instance: models.Model) -> None:
    """A qualification's verification state follows who imports it, as in the form and the
    API (`services/qualifications.entry_state`): city staff's new rows are verified, county
    staff's rows are claims."""
    if spec.model is Qualification:
        for name, value in entry_state(user, instance).items():
            setattr(instance, name, value)


def _plan_row(
    spec: RegistrySpec,
    row: ParsedRow,
    stored: models.Model | None,
    user: Any,
    exclude: list[str],
    report: ImportReport,
) -> RowPlan | None:
    is_new = stored is None
    if stored is not None and not fits_scope(user, "change", stored):
        header, problem, fix = _scope_error(spec, user, False, True)
        report.add(row.number, header, row.cells.get(spec.key[0]), problem, fix)
        return None
    instance = stored if stored is not None else spec.model()
    before = stored.audit_loaded() if stored is not None else None  # type: ignore[attr-defined]
    m2m: dict[str, list[models.Model]] = {}
    if not _assign(spec, row, instance, stored, m2m, report):
        return None
    _set_state(spec, user, instance)
    action = "add" if is_new else "change"
    frozen = frozen_field_errors(user, instance)  # the same rule as the form and the API
    for name, problems in frozen.items():
        column = spec.column(name)
        header = column.header_zh if column else WHOLE_ROW
        report.add(row.number, header, row.cells.get(name), problems[0], "请删除该列的修改。")
    if frozen:
        return None
    if not fits_scope(user, action, instance):
        header, problem, fix = _scope_error(spec, user, is_new, False)
        column = next((c for c in spec.columns if c.header_zh == header), None)
        raw = row.cells.get(column.field) if column else ""
        report.add(row.number, header, raw, problem, fix)
        return None
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        _report_validation(spec, row, error, report)
        return None
    changes: dict[str, list[Any]] = {}
    if before is not None:
        changes = diff(before, instance.audit_snapshot())  # type: ignore[attr-defined]
        for name, targets in m2m.items():
            old = list(getattr(stored, name).all())
            if {o.pk for o in old} != {t.pk for t in targets}:
                changes[name] = [_labels(old), _labels(targets)]
    return RowPlan(row.number, instance, is_new, before, changes, m2m)


def _labels(objs: Iterable[models.Model]) -> list[str]:
    return [getattr(obj, "uscc", None) or getattr(obj, "name", str(obj)) for obj in objs]


def _report_validation(
    spec: RegistrySpec, row: ParsedRow, error: ValidationError, report: ImportReport
) -> None:
    for name, messages in error.message_dict.items():
        column = spec.column(name) if name != NON_FIELD_ERRORS else None
        header = column.header_zh if column else WHOLE_ROW
        raw = row.cells.get(name, "") if column else ""
        if column is None:
            fix = "请核对该行相关各列的数值。"
        elif name in FIGURE_FIELDS:
            unit = "（金额以万元计）" if "万元" in column.header_zh else ""
            fix = f"请核对“{column.header_zh}”及问题说明中的相关各项{unit}。"
        else:
            fix = f"请按“填写说明”修改“{column.header_zh}”。{column.help_zh}"
        for message in messages:
            report.add(row.number, header, raw, str(message), fix)


# ---------------------------------------------------------------------------------------------
# Commit


def commit(report: ImportReport, user: Any) -> CommitResult:
    """Write a validated report: all rows or none, in one transaction, with its audit trail."""
    spec = get_spec(report.registry_code)
    if spec is ANNUAL_REPORTS:
        return commit_all(report, user, lambda: _confirm_figures_bulk(user, report))
    return commit_all(report, user, lambda: _write_plans(spec, report, user))


def _note(report: ImportReport, plan: RowPlan) -> str:
    return f"Excel 导入：{report.filename or '上传文件'} 第 {plan.row} 行"


def _save_rows(spec: RegistrySpec, report: ImportReport) -> tuple[list[Any], list[Any]]:
    """bulk_create the new rows and bulk_update the changed ones; returns (created, updated)."""
    model = spec.model
    creates = [plan for plan in report.plans if plan.is_new]
    updates = [plan for plan in report.plans if not plan.is_new and plan.changes]
    if report.progress is not None:
        report.progress.start("写入", total=len(creates) + len(updates))
    _bulk_create(model, creates, report)
    if any(plan.instance.pk is None for plan in creates):  # pragma: no cover - old databases
        raise ImportRefused("数据库不支持批量返回主键，无法导入。")
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    m2m = set(m2m_fields(spec))
    for plan in updates:
        plan.instance.updated_at = now  # type: ignore[attr-defined]  # bulk_update skips auto_now
        names = tuple(sorted(name for name in plan.changes if name not in m2m))
        if names:
            by_fields[(*names, "updated_at")].append(plan.instance)
    for names, instances in by_fields.items():
        for chunk in _chunks(instances, WRITE_BATCH_SIZE):
            bulk.update(model, chunk, list(names))
            if report.progress is not None:
                report.progress.advance(len(chunk))
    _write_m2m(spec, creates + updates)
    return creates, updates


def _write_m2m(spec: RegistrySpec, plans: list[RowPlan]) -> None:
    for name in m2m_fields(spec):
        relation = spec.model._meta.get_field(name)
        through = getattr(spec.model, name).through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        changed = [p for p in plans if p.is_new or name in p.changes]
        stale = [p.instance.pk for p in changed if not p.is_new]
        for chunk in _chunks(stale):
            through.objects.filter(**{f"{source}__in": chunk}).delete()
        links = [
            through(**{f"{source}_id": p.instance.pk, f"{target}_id": t.pk})
            for p in changed
            for t in {t.pk: t for t in p.m2m.get(name, [])}.values()
        ]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _audit_rows(
    report: ImportReport, creates: list[RowPlan], updates: list[RowPlan], user: Any
) -> None:
    def created() -> Iterator[tuple[models.Model, dict[str, list[Any]], str]]:
        for plan in creates:
            snapshot = plan.instance.audit_snapshot()  # type: ignore[attr-defined]
            changes = creation_changes(plan.instance, snapshot)
            for name, targets in plan.m2m.items():
                if targets:
                    changes[name] = [None, _labels(targets)]
            plan.instance._audit_loaded = snapshot  # type: ignore[attr-defined]
            yield plan.instance, changes, _note(report, plan)

    def updated() -> Iterator[tuple[models.Model, dict[str, list[Any]], str]]:
        for plan in updates:
            after = plan.instance.audit_snapshot()  # type: ignore[attr-defined]
            changes = diff(plan.before or {}, after)
            changes.update({k: v for k, v in plan.changes.items() if k not in changes})
            plan.instance._audit_loaded = after  # type: ignore[attr-defined]
            yield plan.instance, changes, _note(report, plan)

    record_bulk(AuditAction.CREATE, created(), actor=user)
    record_bulk(AuditAction.UPDATE, updated(), actor=user)


def _write_plans(spec: RegistrySpec, report: ImportReport, user: Any) -> CommitResult:
    creates, updates = _save_rows(spec, report)
    _audit_rows(report, creates, updates, user)
    return CommitResult(created=len(creates), updated=len(updates))


def _figure_json(value: Any) -> Any:
    return None if value is None else str(value)


def _confirm_figures_bulk(user: Any, report: ImportReport) -> CommitResult:
    """Annual figures the way every figure edit goes, in bulk: per changed row a FigureSubmission
    by the importing user, confirmed at once (a staff edit), its FigureReview, then the values
    written into the AnnualReport with `confirmed_at` — all audited.

    To be moved into the registry's figure service, which the web form will share.
    """
    now = timezone.now()
    for plan in report.plans:
        if plan.is_new or plan.changes:
            plan.instance.confirmed_at = now  # type: ignore[attr-defined]
            if not plan.is_new:
                plan.changes.setdefault("confirmed_at", [None, now.isoformat()])
    creates, updates = _save_rows(ANNUAL_REPORTS, report)
    written = creates + updates
    submissions = [
        FigureSubmission(
            organization=plan.instance.organization,  # type: ignore[attr-defined]
            year=plan.instance.year,  # type: ignore[attr-defined]
            values={name: _figure_json(getattr(plan.instance, name)) for name in FIGURE_FIELDS},
            status=SubmissionStatus.CONFIRMED,
            submitted_by=user,
            report=plan.instance,
        )
        for plan in written
    ]
    bulk.create(FigureSubmission, submissions)
    reviews = [
        FigureReview(
            submission=submission,
            decision=FigureReview.Decision.CONFIRM,
            comment=f"Excel 批量导入，导入即市级确认（{_note(report, plan)}）"[:500],
            reviewer=user,
        )
        for submission, plan in zip(submissions, written, strict=True)
    ]
    bulk.create(FigureReview, reviews)
    _audit_rows(report, creates, updates, user)
    notes = [_note(report, plan) for plan in written]
    record_bulk(
        AuditAction.CREATE,
        ((s, creation_changes(s), n) for s, n in zip(submissions, notes, strict=True)),
        actor=user,
    )
    record_bulk(
        AuditAction.CREATE,
        ((r, creation_changes(r), n) for r, n in zip(reviews, notes, strict=True)),
        actor=user,
    )
    return CommitResult(created=len(creates), updated=len(updates))
