"""The contract text a seller uploads, recognised by its content (not its name): PDF, Word
(.docx), PNG or JPEG, at most `MAX_FILE_BYTES`."""

from __future__ import annotations

import io
import zipfile

from kechuang.contracts.engine.errors import ContractRuleError

MAX_FILE_BYTES = 10 * 1024 * 1024
KINDS = {"pdf": "PDF", "docx": "Word（.docx）", "png": "PNG 图片", "jpeg": "JPEG 图片"}
FIX = "请上传 PDF、Word（.docx）或 PNG/JPEG 扫描件，单个文件不超过 10 MB。"


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def sniff_contract_file(content: bytes, field: str = "contract_file") -> str:
    """The file's kind ("pdf", "docx", "png", "jpeg"), or a Chinese error on `field`."""
    if not content:
        raise ContractRuleError.on(field, "合同文本为空文件。" + FIX)
    if len(content) > MAX_FILE_BYTES:
        raise ContractRuleError.on(field, f"合同文本过大（{len(content) // 1024} KB）。" + FIX)
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return "docx"
    raise ContractRuleError.on(
        field, "合同文本不是可识别的 PDF、Word 或图片文件（按内容检查）。" + FIX
    )
