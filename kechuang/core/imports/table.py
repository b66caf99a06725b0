"""Reading an uploaded table: the bytes (size limit), what they are (by content, never by the
name: an xlsx is a zip holding the workbook parts; anything else may be a CSV), and the rows.

xlsx is read with python-calamine (a Rust reader, several times faster than openpyxl's on large
sheets; `bench/bench_import.py --reader` compares them); values come out as openpyxl's would:
empty cells are None, whole numbers int. CSV is UTF-8 (with or without BOM) or GB18030. Every
limit (upload size, unpacked size, rows) is refused with a Chinese problem and fix.
"""

from __future__ import annotations

import contextlib
import csv
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from kechuang.core.imports.cells import is_empty, lookup_key, normalize_text
from kechuang.core.imports.errors import ErrorLog, column_letters

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
# A zip bomb is refused before it is unpacked: the whole workbook at most this many bytes once
# unpacked (200,000 rows of 13 columns written by a program take about 190 MB), and no part
# bigger than 10 MB packed more densely than MAX_PACKING to 1 (real sheets: 5-15 to 1; a sheet of
# whitespace: 1000 to 1). Reading costs about twice the unpacked size, and is given back after.
MAX_UNCOMPRESSED_BYTES = 250 * 1024 * 1024
MAX_PACKING = 100
MAX_ROWS = 200_000  # data rows of one file
# The sheet's extent (last row × last column) is checked before the reader allocates it: one
# cell at XFD1048576 would otherwise make a 17-billion-cell grid.
MAX_CELLS = 6_000_000
NOT_XLSX_FIX = "请在 Excel 或 WPS 中打开文件，选择“另存为 → Excel 工作簿（*.xlsx）”后重新上传。"
CSV_FIX = "请另存为逗号分隔的 CSV（UTF-8 或 GB18030 编码），或上传 .xlsx 工作簿。"
DAMAGED = "文件已损坏，无法作为 .xlsx 工作簿读取。"
XLSX = "xlsx"


class FileProblem(Exception):
    """The file as a whole cannot be read: `problem` and `fix` in Chinese."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass
class Table:
    rows: list[list[Any]]  # header first: rows[i] is the sheet's row i + 1
    file_format: str = XLSX  # "xlsx", "CSV（UTF-8）", "CSV（GB18030）"
    sheet_title: str = ""
    # (row, column), both 1-based, of every cell of the sheet holding a formula: its value is
    # what Excel last computed, or nothing at all (a file written by a program); reported by
    # `report_formulas`, never read silently.
    formulas: list[tuple[int, int]] = field(default_factory=list)


# --- the bytes --------------------------------------------------------------------------------


def too_large(size: int) -> FileProblem:
    return FileProblem(
        f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 20 MB。",
        "请删除空行和无关工作表，或将数据拆分为多个文件分批导入。",
    )


def read_upload(upload: Any, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of a Django UploadedFile (or of bytes), refusing more than `limit` early."""
    if isinstance(upload, bytes | bytearray):
        content = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise too_large(size)
        upload.seek(0)
        chunks, total = [], 0
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            total += len(chunk)
            if total > limit:
                raise too_large(total)
            chunks.append(chunk)
        content = b"".join(chunks)
    if len(content) > limit:
        raise too_large(len(content))
    return content


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _not_a_zip(content: bytes) -> str:
    if content[:8] == OLE2:
        return "该文件是旧版 Excel 97-2003（.xls）或加密的工作簿，不是 .xlsx 文件。"
    if content[:5] == b"%PDF-":
        return "该文件是 PDF 文档，不是 Excel 工作簿。"
    if not content.strip():
        return "文件是空的。"
    return "该文件不是 .xlsx 工作簿（看起来是文本、CSV 或其他格式的文件），改扩展名无效。"


def _zip_problem(names: set[str], infos: list[zipfile.ZipInfo]) -> str | None:
    if "word/document.xml" in names:
        return "该文件是 Word 文档（.docx），不是 Excel 工作簿。"
    if "ppt/presentation.xml" in names:
        return "该文件是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿。"
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return "该文件是压缩包，但不是 .xlsx 工作簿。"
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        return "工作簿解压后过大，疑似异常文件。"
    if any(
        info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_PACKING * info.compress_size
        for info in infos
    ):
        return "工作簿的压缩比异常（解压后膨胀数百倍，如大量空白），疑似异常文件。"
    return None


def sniff_xlsx(content: bytes) -> str | None:
    """None when `content` is an xlsx workbook; otherwise why not, in Chinese.

    Decided by the bytes: an xlsx is a zip holding [Content_Types].xml and xl/workbook.xml.
    """
    if content[:4] != b"PK\x03\x04" or not zipfile.is_zipfile(io.BytesIO(content)):
        return _not_a_zip(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return DAMAGED
    return _zip_problem(names, infos)


def _binary(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04" or content[:5] == b"%PDF-" or content[:4] == OLE2[:4]


# --- the rows ---------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _pick(names: list[str], preferred: str, skip: Collection[str]) -> str | None:
    if preferred in names:
        return preferred
    return next((name for name in names if name not in skip), None)


def _read_xlsx_calamine(content: bytes, preferred: str, skip: Collection[str]) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        title = _pick(workbook.sheet_names, preferred, skip)
        if title is None:
            raise FileProblem("工作簿中没有数据工作表。", "请使用下载的模板填写。")
        data = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except FileProblem:
        raise
    except Exception as error:  # calamine raises several types on a damaged file
        raise FileProblem(DAMAGED, NOT_XLSX_FIX) from error
    return Table([[_cell(v) for v in row] for row in data], XLSX, title)


def _read_xlsx_openpyxl(content: bytes, preferred: str, skip: Collection[str]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types on a damaged file
        raise FileProblem(DAMAGED, NOT_XLSX_FIX) from error
    try:
        title = _pick(workbook.sheetnames, preferred, skip)
        if title is None:
            raise FileProblem("工作簿中没有数据工作表。", "请使用下载的模板填写。")
        rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
        return Table(rows, XLSX, title)
    finally:
        workbook.close()


# --- the sheet's extent and formulas, read from its XML before the reader ---------------------

# One pass finds what matters: each row's number, cells in columns AA and beyond (a sheet with
# none is at most 26 wide), and the cell formula element <f> (not <formula1> of a drop-down).
# A sheet written with a namespace prefix (<x:row …>, rare) is scanned with the slower pattern.
_SCAN = re.compile(rb'<(?:row r="(\d{1,7})"|c r="([A-Z]{2,3})\d|(f)[ >/])')
_SCAN_PREFIXED = re.compile(rb'<(?:\w{1,10}:)?(?:row r="(\d{1,7})"|c r="([A-Z]{2,3})\d|(f)[ >/])')
_PREFIXED_ROOT = re.compile(rb"<\w{1,10}:worksheet[\s>]")
NARROW = 26
_REF = re.compile(rb"<(?:\w+:)?row r=\"(\d{1,7})\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c r=\"([A-Z]{1,3})\d")
_WIDE_CELL_REF = re.compile(rb"<(?:\w+:)?c r=\"([A-Z]{2,3})\d")  # column AA and beyond
_REF = re.compile(r"([A-Z]+)(\d+)")
_SCAN_CHUNK = 1 << 20
FORMULA_PROBLEM = "该单元格是公式（{ref}），导入只读取数值，公式的结果可能缺失或已过时。"
FORMULA_FIX = "请选中该列，复制后“选择性粘贴 → 数值”，保存后重新上传。"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetScan:
    part: str = ""  # the sheet's zip member
    has_formula: bool = False
    last_row: int = 0
    last_column: int = 0


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> zip member, in the workbook's order (workbook.xml and its relationships)."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            parts[sheet.get("name", "")] = part
    return parts


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _scan_part(archive: zipfile.ZipFile, part: str) -> SheetScan:
    """One pass over the sheet's XML in 1 MB chunks (bounded memory): its last row and column
    and whether any cell holds a formula."""
    scan, tail, pattern = SheetScan(part), b"", None
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            if pattern is None:
                pattern = _SCAN_PREFIXED if _PREFIXED_ROOT.search(chunk[:4096]) else _SCAN
            rows, columns = set(), set()
            for row, column, formula in pattern.findall(tail + chunk):
                if row:
                    rows.add(row)
                elif column:
                    columns.add(column)
                elif formula:
                    scan.has_formula = True
            if rows:
                scan.last_row = max(scan.last_row, *map(int, rows))
                scan.last_column = max(scan.last_column, NARROW)
            if columns:
                widest = max(columns, key=lambda col: (len(col), col))
                scan.last_column = max(scan.last_column, column_number(widest.decode()))
            tail = chunk[-32:]
    return scan


def scan_sheet(content: bytes, title: str) -> SheetScan:
    """The extent and formulas of the sheet titled `title` (an empty scan when unreadable: the
    reader then says what is wrong with the file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            part = sheet_parts(archive).get(title)
            return _scan_part(archive, part) if part else SheetScan()
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return SheetScan()


def _check_extent(scan: SheetScan, max_rows: int) -> None:
    if scan.last_row - 1 > max_rows:
        raise FileProblem(
            f"文件行数过多（工作表用到第 {scan.last_row} 行），一次最多导入 {max_rows} 行。",
            "请删除末尾的空行，或将数据拆分为多个文件分批导入。",
        )
    if scan.last_row * scan.last_column > MAX_CELLS:
        corner = f"{column_letters(scan.last_column)}{scan.last_row}"
        raise FileProblem(
            f"工作表的范围过大（用到单元格 {corner}，超过 {MAX_CELLS:,} 个单元格），疑似异常文件。",
            "请删除数据区域之外的行和列（选中后右键“删除”），保存后重新上传。",
        )


def formula_cells(content: bytes, part: str, limit: int = 1000) -> list[tuple[int, int]]:
    """(row, column) of the first `limit` formula cells of the sheet stored at `part`."""
    found: list[tuple[int, int]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(part) as stream:
            for _, element in ET.iterparse(stream, events=("end",)):
                if element.tag.endswith("}c"):
                    match = _REF.fullmatch(element.get("r", ""))
                    if match and any(child.tag.endswith("}f") for child in element):
                        found.append((int(match[2]), column_number(match[1])))
                elif element.tag.endswith("}row"):
                    element.clear()  # the row's cells are done with: keep memory flat
                if len(found) >= limit:
                    break
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError):
        pass  # the reader has said what is wrong with a damaged file
    return found


def report_formulas(table: Table, add: Callable[[int, str, Any, str, str], None]) -> None:
    """One error per formula cell of `table`: its row, its column's header, the fix."""
    header = table.rows[0] if table.rows else []
    for row, column in table.formulas:
        name = header[column - 1] if column - 1 < len(header) else None
        ref = f"{column_letters(column)}{row}"
        shown = str(name) if name not in (None, "") else f"第 {column_letters(column)} 列"
        add(row, shown, ref, FORMULA_PROBLEM.format(ref=ref), FORMULA_FIX)


XLSX_READERS: dict[str, Callable[[bytes, str, Collection[str]], Table]] = {
    "calamine": _read_xlsx_calamine,
    "openpyxl": _read_xlsx_openpyxl,
}
DEFAULT_READER = "calamine"


def read_csv(content: bytes) -> Table:
    if b"\x00" in content:
        raise FileProblem("该文件不是文本 CSV（含有二进制内容）。", CSV_FIX)
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as error:  # Python's message is English: say what it means instead
            raise FileProblem(
                "CSV 格式有误：引号不成对，或某一格内容过长（超过 13 万字符）。", CSV_FIX
            ) from error
        return Table(rows, f"CSV（{label}）")
    raise FileProblem("无法识别文件的字符编码。", CSV_FIX)


def _read_xlsx(
    content: bytes, sheet: str, skip_sheets: Collection[str], max_rows: int, reader: str
) -> Table:
    """The sheet's extent is checked before it is read; its formulas are found after."""
    scan = None
    with contextlib.suppress(KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            title = _pick(list(sheet_parts(archive)), sheet, skip_sheets)
        scan = scan_sheet(content, title) if title is not None else None
    if scan is not None:
        _check_extent(scan, max_rows)
    table = XLSX_READERS[reader or DEFAULT_READER](content, sheet, skip_sheets)
    if scan is not None and scan.has_formula:
        table.formulas = formula_cells(content, scan.part)
    return table


def estimate_rows(content: bytes, *, sheet: str = "", skip_sheets: Collection[str] = ()) -> int:
    """About how many data rows the file holds, found in a fraction of the time reading it takes
    (an xlsx sheet's last used row, a CSV's line count), to decide whether checking it runs as a
    background job. An unreadable file counts 0: the reader then says what is wrong with it."""
    if sniff_xlsx(content) is not None:
        return max(0, content.count(b"\n") - 1) if not _binary(content) else 0
    with contextlib.suppress(KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            title = _pick(list(sheet_parts(archive)), sheet, skip_sheets)
        if title is not None:
            return max(0, scan_sheet(content, title).last_row - 1)
    return 0


def read_table(
    content: bytes,
    *,
    sheet: str = "",
    skip_sheets: Collection[str] = (),
    allow_csv: bool = False,
    max_rows: int = MAX_ROWS,
    reader: str = "",
) -> Table:
    """The rows of an xlsx (the sheet titled `sheet`, else the first not in `skip_sheets`) or,
    with `allow_csv`, of a CSV; raises FileProblem. The format is decided by the bytes."""
    fix = CSV_FIX if allow_csv else NOT_XLSX_FIX
    if not content.strip():
        raise FileProblem("文件是空的。", fix)
    problem = sniff_xlsx(content)
    if problem is None:
        table = _read_xlsx(content, sheet, skip_sheets, max_rows, reader)
    elif allow_csv and not _binary(content):
        table = read_csv(content)
    else:
        raise FileProblem(problem, fix)
    if len(table.rows) - 1 > max_rows:
        raise FileProblem(
            f"文件行数过多（{len(table.rows) - 1} 行），一次最多导入 {max_rows} 行。",
            "请将数据拆分为多个文件分批导入。",
        )
    return table


# --- the header and the data rows -------------------------------------------------------------


@dataclass(frozen=True)
class HeaderTexts:
    """What an importer says about its header row (its columns and its template differ)."""

    unknown_fix: str
    missing_fix: str
    duplicate_fix: str = "请删除重复的列，只保留一列。"
    label: Callable[[str], str] = str  # a column's name in messages
    missing_problem: Callable[[str], str] = lambda label: f"缺少列“{label}”。"


@dataclass
class Header:
    positions: dict[int, str] = field(default_factory=dict)  # 0-based position -> column
    headers: dict[str, int] = field(default_factory=dict)  # header text -> 1-based column
    ok: bool = True  # False when an unknown, repeated or missing column was reported


def match_header(
    row: list[Any],
    aliases: dict[str, str],
    required: Collection[str],
    log: ErrorLog,
    texts: HeaderTexts,
) -> Header:
    """Map the header row to columns through `aliases` (lookup key -> column), reporting
    unknown, repeated or missing columns (then `ok` is False)."""
    header = Header()
    for position, raw in enumerate(row):
        if is_empty(raw):
            continue
        text = normalize_text(raw)
        header.headers.setdefault(text, position + 1)
        column = aliases.get(lookup_key(raw).rstrip("*"))
        if column is None:
            log.add(1, text, raw, f"无法识别的列“{text}”。", texts.unknown_fix)
            header.ok = False
        elif column in header.positions.values():
            label = texts.label(column)
            log.add(1, text, raw, f"列“{label}”出现了两次。", texts.duplicate_fix)
            header.ok = False
        else:
            header.positions[position] = column
            header.headers[texts.label(column)] = position + 1
    for column in required:
        if column not in header.positions.values():
            label = texts.label(column)
            log.add(1, label, "", texts.missing_problem(label), texts.missing_fix)
            header.ok = False
    return header


def data_rows(table: Table, positions: dict[int, str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: raw value}) of every data row with a value in a known column."""
    for number, row in enumerate(table.rows[1:], start=2):
        width = len(row)
        cells = {column: row[p] for p, column in positions.items() if p < width}
        if not all(is_empty(value) for value in cells.values()):
            yield number, cells
