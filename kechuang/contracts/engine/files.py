"""The contract text a seller uploads, recognised by its content (not its name): PDF, Word
(.docx), PNG or JPEG, at most `MAX_FILE_BYTES`."""

from __future__ import annotations

from kechuang.contracts.engine.errors import ContractRuleError
from kechuang.core.files import LABELS, sniff

MAX_FILE_BYTES = 10 * 1024 * 1024
KINDS = {kind: LABELS[kind] for kind in ("pdf", "docx", "png", "jpeg")}
FIX = "请上传 PDF、Word（.docx）或 PNG/JPEG 扫描件，单个文件不超过 10 MB。"


def sniff_contract_file(content: bytes, field: str = "contract_file") -> str:
    """The file's kind ("pdf", "docx", "png", "jpeg"), or a Chinese error on `field`."""
    if not content:
        raise ContractRuleError.on(field, "合同文本为空文件。" + FIX)
    if len(content) > MAX_FILE_BYTES:
        raise ContractRuleError.on(field, f"合同文本过大（{len(content) // 1024} KB）。" + FIX)
    kind = sniff(content)
    if kind in KINDS:
        return kind
    raise ContractRuleError.on(
        field, "合同文本不是可识别的 PDF、Word 或图片文件（按内容检查）。" + FIX
    )
