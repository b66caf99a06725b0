"""Attachments checked by content: the file must be what its name says (a “.pdf” that is a PDF,
a “.docx” that is a Word document, …), at most `MAX_FILE_BYTES`. No Django."""

from __future__ import annotations

from kechuang.core.files import LABELS as KINDS
from kechuang.core.files import sniff
from kechuang.programs.engine.errors import ProgramRuleError

MAX_FILE_BYTES = 20 * 1024 * 1024
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
}
FIX = "请上传 PDF、Word（.docx）、Excel（.xlsx）或 PNG/JPEG 文件，单个文件不超过 20 MB。"


def check_attachment(content: bytes, name: str, field: str = "attachment") -> str:
    """The attachment's kind when its content is what its name says; a Chinese error otherwise."""
    if not content:
        raise ProgramRuleError.on(field, f"附件“{name}”是空文件。" + FIX)
    if len(content) > MAX_FILE_BYTES:
        raise ProgramRuleError.on(field, f"附件“{name}”过大（{len(content) // 1024} KB）。" + FIX)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        raise ProgramRuleError.on(field, f"附件“{name}”的扩展名不被接受。" + FIX)
    actual = sniff(content)
    if actual != claimed:
        what = KINDS[actual] if actual else "无法识别的内容"
        raise ProgramRuleError.on(
            field, f"附件“{name}”名为 {KINDS[claimed]} 文件，但内容是{what}（按内容检查）。" + FIX
        )
    return actual
