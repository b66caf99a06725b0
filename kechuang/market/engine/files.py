"""A listing's attachment checked by content: the file must be what its name says (a “.pdf” that
is a PDF, a “.docx” that is a Word document, …) and at most `MAX_FILE_BYTES`. Pure: returns the
kind or a Chinese problem that names the file and the fix. No Django."""

from __future__ import annotations

from kechuang.core.files import LABELS as KINDS
from kechuang.core.files import sniff

MAX_FILE_BYTES = 10 * 1024 * 1024
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
}
FIX = "请上传 PDF、Word（.docx）、Excel（.xlsx）或 PNG/JPEG 文件，单个文件不超过 10 MB。"


def attachment_problem(content: bytes, name: str) -> tuple[str | None, str]:
    """(kind, "") when the content is what the name says; (None, a Chinese problem) otherwise."""
    if not name.strip():
        return None, "附件缺少文件名。" + FIX
    if not content:
        return None, f"附件“{name}”是空文件。" + FIX
    if len(content) > MAX_FILE_BYTES:
        size = f"{len(content) / 1024 / 1024:.1f} MB"
        return None, f"附件“{name}”过大（{size}）。" + FIX
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        return None, f"附件“{name}”的扩展名“{extension or '无'}”不被接受。" + FIX
    actual = sniff(content)
    if actual != claimed:
        what = KINDS[actual] if actual else "无法识别的内容"
        return None, (
            f"附件“{name}”名为 {KINDS[claimed]} 文件，但内容是{what}（按内容检查）。"
            "请确认文件没有改过扩展名。"
        )
    return actual, ""
