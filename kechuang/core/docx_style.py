"""Word documents in the official format (党政机关公文格式 GB/T 9704-2012, as far as it applies to
reports), with the CJK fonts the machine has.

- Paper and margins (GB/T 9704 5.2): A4 (210 × 297 mm); 天头 (top) 37 mm, 订口 (left) 28 mm, a
  text block of 156 × 225 mm, hence right 26 mm and bottom 35 mm.
- Fonts (GB/T 9704 7.2–7.3): the title in 2号 (22 pt) 小标宋, the body in 3号 (16 pt) 仿宋, first-
  level headings in 3号 黑体, second-level in 3号 楷体. Debian's `fonts-noto-cjk` gives only Noto
  Sans CJK SC, so it stands in for all of them: Bold for 小标宋 and 黑体, Regular for 仿宋 and 楷体
  (the documents name 宋体 as the fallback a Windows Word uses).
- Page numbers (GB/T 9704 7.5): 4号 (14 pt) Arabic numerals between dashes, "— 1 —", centred.
- Tables in 5号 (10.5 pt), each column as wide as its content needs, so a number never breaks
  across lines (`fit_table`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from lxml import etree

FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk
FALLBACK_FONT = "宋体"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]  # 156 mm
BODY_SIZE, TITLE_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = Pt(16), Pt(22), Pt(10.5), Pt(14)
# style: (size, bold)
STYLE_SIZES = {
    "Normal": (BODY_SIZE, False),
    "Title": (TITLE_SIZE, True),
    "Heading 1": (BODY_SIZE, True),
    "Heading 2": (BODY_SIZE, False),
    "Heading 3": (BODY_SIZE, True),
    "Table Grid": (TABLE_SIZE, False),
    "List Bullet": (BODY_SIZE, False),
}
CELL_PADDING = Pt(11)  # Word's default left + right cell margins (0.19 cm each)


def set_cjk_fonts(document: Any) -> None:
    """The official format on `document`: A4 and its margins, the fonts and sizes, page numbers.
    (The name is kept from when it set only the fonts; every Word document the platform writes
    calls it first.)"""
    for name, (size, bold) in STYLE_SIZES.items():
        try:
            style = document.styles[name]
        except KeyError:  # pragma: no cover - all are in python-docx's default template
            continue
        style.font.name = FONT
        style.font.size = size
        style.font.bold = bold
        style.font.color.rgb = None
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
    for section in document.sections:
        _a4(section)
        _page_number(section)
    _font_table(document)


def _a4(section: Any) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]


def _page_number(section: Any) -> None:
    """ "— N —" centred in the footer, N the PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ").font.size = PAGE_NUMBER_SIZE
    run = paragraph.add_run()
    run.font.size = PAGE_NUMBER_SIZE
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —").font.size = PAGE_NUMBER_SIZE


def _font_table(document: Any) -> None:
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            root = etree.fromstring(part.blob)
            font = etree.SubElement(root, qn("w:font"), {qn("w:name"): FONT})
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): FALLBACK_FONT})
            etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
            etree.SubElement(font, qn("w:family"), {qn("w:val"): "swiss"})
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )


# --- tables sized to their content ------------------------------------------------------------

# A run that must not break: digits, Latin letters and the signs inside numbers and codes, with
# the punctuation no line may start with (，。；：、）) or end with (（) kept to it.
UNBREAKABLE = re.compile(r"[（(“]?[0-9A-Za-z.,%+\-−:/~_#]+[）)”，。；：、%]*")


def add_table(document: Any, header: list[str], rows: list[list[Any]]) -> Any:
    """A ruled table (header row, then `rows`, every value as text) sized to its content by
    `fit_table`: the one way a report writes a plain table."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = str(text)
    fit_table(table)
    return table


def text_width(text: str, size: Pt = TABLE_SIZE) -> float:
    """The width of `text` in points: a CJK or full-width character is one em, others about
    0.6 em (Noto Sans CJK's Latin and digits)."""
    em = size.pt
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else 0.62 * em for ch in text)


def fit_table(table: Any, size: Pt = TABLE_SIZE, width: Emu = TEXT_WIDTH) -> None:
    """Give each column the width its content needs within the text block, never less than its
    longest number or code (so none breaks across lines), and set the table's font size.

    Each column wants the width of its longest cell line, capped at half the text block; the
    spare width is shared in proportion to what each wants beyond its unbreakable floor. If even
    the floors do not fit, the font is reduced until they do (at most to 7.5 pt).
    """
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    if not rows:
        return
    cols = len(rows[0])
    total = Emu(width).pt
    while True:
        floors = [_column_need(rows, i, size, unbreakable=True) for i in range(cols)]
        if sum(floors) <= total or size.pt <= 7.5:
            break
        size = Pt(size.pt - 0.5)
    wants = [min(max(_column_need(rows, i, size), floors[i]), total / 2) for i in range(cols)]
    widths = _share(floors, wants, total)
    _apply(table, widths, size)


def _column_need(rows: list[list[str]], i: int, size: Pt, unbreakable: bool = False) -> float:
    best = 0.0
    for row in rows:
        for line in row[i].splitlines() or [""]:
            pieces = UNBREAKABLE.findall(line) if unbreakable else [line]
            for piece in pieces:
                best = max(best, text_width(piece, size))
    return best + CELL_PADDING.pt + 3


def _share(floors: list[float], wants: list[float], total: float) -> list[float]:
    widths = [max(f, w) for f, w in zip(floors, wants, strict=True)]
    used = sum(widths)
    if used <= total:  # room to spare: give it in proportion to what each column wants
        return [w + (total - used) * w / used for w in widths]
    extra = [w - f for f, w in zip(floors, widths, strict=True)]
    room = total - sum(floors)
    scale = room / sum(extra) if sum(extra) else 0.0
    return [f + e * scale for f, e in zip(floors, extra, strict=True)]


def _apply(table: Any, widths: list[float], size: Pt) -> None:
    table.autofit = False
    props = table._tbl.tblPr
    layout = props.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        props.append(layout)
    layout.set(qn("w:type"), "fixed")
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Pt(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Pt(w)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size
