"""The registry workbook: template (no rows) and export (rows) share one writer.

Sheets: the data sheet (bold Chinese headers, required ones in red, frozen header row, column
widths, drop-downs for coded columns), 填写说明 (every column: required?, allowed values or
format, example; the natural key; the general rules), and a hidden 选项 sheet holding the
drop-down lists that do not fit Excel's 255-character inline limit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from kechuang.core.imports.cells import neutralise_formula
from kechuang.core.imports.workbook import REPORT_SHEET
from kechuang.registry.excel.specs import Column, References, RegistrySpec, get_spec

INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
AUX_SHEETS = (INSTRUCTIONS_SHEET, OPTIONS_SHEET, REPORT_SHEET)
LAST_ROW = 1_048_576  # Excel's last row: drop-downs cover every row the user may add
INLINE_LIST_LIMIT = 255  # Excel rejects inline list validations longer than this
BOOL_LABELS = ("是", "否")
DATE_FORMAT = "yyyy-mm-dd"

HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

GENERAL_RULES = (
    "1. 只接受 .xlsx 文件（Excel 2007 及以上），不超过 20 MB；"
    ".xls、.csv 请先在 Excel 中另存为 .xlsx。",
    "2. 请勿修改、删除或增加表头；列的顺序可以调整。红色表头为必填列。",
    "3. 日期写作 2023-05-01，也可写 2023/5/1、2023年5月1日；"
    "只写到月的 2023.5（或 2023-5、2023年5月）"
    "表示该月 1 日，即 2023-05-01。注意：在数字格式的单元格中输入 2023.10 会被 Excel 存为 2023.1"
    "（即 1 月），10 月请写作 2023-10 或 2023年10月。",
    "4. 金额列默认单位为万元（表头注明“（万元）”），可直接写 1234.5；也可写 1,234.5万元、"
    "12345678元、1.2亿元；按四舍五入保留两位小数（即精确到百元）。金额不能为负数（净资产除外）。",
    "5. 是/否列填写“是”或“否”，也可写 Y/N、TRUE/FALSE、1/0。",
    "6. 带下拉列表的列请从列表中选择；区域、产业也可填写代码。",
    "7. 全角数字、字母及多余空格会自动转换和去除。",
    "8. 导入时先校验：任何一行有错误，整个文件都不会导入；请按校验结果修改后重新上传。",
    "9. 已有记录按“识别规则”匹配并整行更新：空单元格会清空该项原有内容。",
    "10. 导出文件中以 = + - @ 开头的文字前加了单引号 '，以防被当作公式执行；"
    "重新导入时会自动去掉该单引号。",
    "11. 脱敏显示的号码（如 138****5678）重新导入时保持库中原值不变。",
)


def build_template(registry_code: str) -> bytes:
    """The empty workbook a user fills in for `registry_code`."""
    return write_workbook(get_spec(registry_code), rows=())


def write_workbook(
    spec: RegistrySpec, rows: Iterable[Sequence[Any]], refs: References | None = None
) -> bytes:
    """Stream `rows` (one value per column of the spec) into the registry workbook; `refs` are
    the reference lists when the caller has loaded them already.

    Write-only mode keeps memory flat for exports of any length.
    """
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(spec.sheet_title)
    options = option_lists(spec, refs or References.load())
    option_columns: dict[str, int] = {}
    for index, column in enumerate(spec.columns, start=1):
        data.column_dimensions[get_column_letter(index)].width = column.width
        values = options.get(column.field)
        if values:
            data.data_validations.append(_validation(column, index, values, option_columns))
    data.freeze_panes = "A2"
    data.append([_header_cell(data, column) for column in spec.columns])
    for row in rows:
        data.append([_value_cell(data, value) for value in row])
    _write_instructions(workbook, spec, options)
    _write_options(workbook, spec, options, option_columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def option_lists(spec: RegistrySpec, refs: References) -> dict[str, list[str]]:
    """The drop-down values of each coded column, keyed by field name."""
    lists: dict[str, list[str]] = {}
    for column in spec.data_columns:
        if column.kind == "choice" and column.choices is not None:
            lists[column.field] = [str(label) for label in column.choices.labels]
        elif column.kind == "bool":
            lists[column.field] = list(BOOL_LABELS)
        elif column.kind == "fk_area":
            lists[column.field] = refs.area_labels()
        elif column.kind == "fk_industry":
            lists[column.field] = refs.industry_labels()
        elif column.kind == "fk_techfield":
            lists[column.field] = refs.techfield_labels()
    return lists


def _validation(
    column: Column, index: int, values: list[str], option_columns: dict[str, int]
) -> DataValidation:
    inline = '"' + ",".join(values) + '"'
    if len(inline) <= INLINE_LIST_LIMIT and not any("," in v or '"' in v for v in values):
        formula = inline
    else:
        option_index = option_columns.setdefault(column.field, len(option_columns) + 1)
        letter = get_column_letter(option_index)
        formula = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    # Warning style: area and industry columns also accept codes typed by hand.
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=not column.required,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="不在可选列表中",
        error=f"“{column.header_zh}”请从下拉列表中选择。",
    )
    letter = get_column_letter(index)
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    return validation


def _header_cell(sheet: Any, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=column.header_zh)
    cell.font = REQUIRED_FONT if column.required else HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    note = ("必填。" if column.required else "选填。") + describe(column)
    cell.comment = Comment(note, "科创平台", width=260, height=120)
    return cell


def _value_cell(sheet: Any, value: Any) -> Any:
    if hasattr(value, "isoformat") and not hasattr(value, "hour"):  # a date
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def describe(column: Column) -> str:
    """What a column accepts, in Chinese, for the instructions and header comments."""
    if column.kind == "choice" and column.choices is not None:
        text = "可选：" + "、".join(str(label) for label in column.choices.labels) + "。"
    else:
        text = {
            "text": "文字。",
            "uscc": "18 位统一社会信用代码。",
            "int": "整数。",
            "decimal": "数字，可带两位小数。",
            "amount": "金额，单位万元。",
            "date": "日期，如 2023-05-01。",
            "bool": "是 / 否。",
            "fk_org": "单位的统一社会信用代码。",
            "fk_area": "区域名称或代码。",
            "fk_industry": "产业名称或代码。",
            "fk_techfield": "高新技术领域名称。",
            "fk_talent": "人才姓名。",
            "list": "多个值以分号（；）分隔。",
            "info": "仅供参考，导入时忽略。",
        }[column.kind]
    if column.min_value is not None and column.max_value is not None:
        text += f"范围 {column.min_value}–{column.max_value}。"
    return text + (column.help_zh or "")


def _write_instructions(
    workbook: Workbook, spec: RegistrySpec, options: dict[str, list[str]]
) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for letter, width in zip("ABCD", (30, 10, 80, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    title = WriteOnlyCell(sheet, value=f"{spec.title_zh}导入模板 · 填写说明")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(["识别规则（自然键）", "", spec.key_zh])
    sheet.append([])
    heading = [
        WriteOnlyCell(sheet, value=v) for v in ("列名", "是否必填", "填写要求 / 可选值", "示例")
    ]
    for cell in heading:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.append(heading)
    for column in spec.columns:
        allowed = describe(column)
        values = options.get(column.field)
        if values and column.kind != "choice":
            shown = "、".join(values[:60]) + ("……" if len(values) > 60 else "")
            allowed += "可选：" + shown + "。"
        example = column.example or ""
        sheet.append(
            [
                column.header_zh,
                "必填" if column.required else ("忽略" if column.kind == "info" else "选填"),
                allowed,
                neutralise_formula(example),
            ]
        )
    sheet.append([])
    rules = WriteOnlyCell(sheet, value="通用规则")
    rules.font = HEADER_FONT
    sheet.append([rules])
    for rule in GENERAL_RULES:
        sheet.append([rule])


def _write_options(
    workbook: Workbook,
    spec: RegistrySpec,
    options: dict[str, list[str]],
    option_columns: dict[str, int],
) -> None:
    """The hidden sheet the long drop-down lists point to (row 1: the column they serve)."""
    sheet = workbook.create_sheet(OPTIONS_SHEET)
    sheet.sheet_state = "hidden"
    ordered = sorted(option_columns.items(), key=lambda item: item[1])
    columns = [(spec.column(field_name), options[field_name]) for field_name, _ in ordered]
    sheet.append([column.header_zh if column else "" for column, _ in columns])
    depth = max((len(values) for _, values in columns), default=0)
    for row in range(depth):
        sheet.append([values[row] if row < len(values) else None for _, values in columns])
