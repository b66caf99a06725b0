"""Word documents in Chinese: the East Asian font for every style python-docx uses."""

from typing import Any

from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk
FALLBACK_FONT = "宋体"


def set_cjk_fonts(document: Any) -> None:
    """East Asian text in Noto Sans CJK SC (fonts-noto-cjk), named with 宋体 as fallback."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:  # pragma: no cover - all are in python-docx's default template
            continue
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
    document.styles["Normal"].font.size = Pt(10.5)
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
