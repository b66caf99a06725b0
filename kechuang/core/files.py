"""What an uploaded file is, by its content, never its name: the one place that reads magic
bytes for the documents users upload (contract texts, certificate scans, attachments). The
spreadsheet reader has its own sniffing (`core/imports/table.py`), which also knows CSV and the
old .xls."""

from __future__ import annotations

import io
import zipfile

# (magic bytes, kind)
SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
# Office Open XML parts by the folder that marks them
OOXML = (("word/", "docx"), ("xl/", "xlsx"))
LABELS = {
    "pdf": "PDF",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "docx": "Word（.docx）",
    "xlsx": "Excel（.xlsx）",
}


def sniff(content: bytes) -> str | None:
    """ "pdf", "png", "jpeg", "docx" or "xlsx" by content; None for anything else."""
    for magic, kind in SIGNATURES:
        if content.startswith(magic):
            return kind
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        for folder, kind in OOXML:
            if any(name.startswith(folder) for name in names):
                return kind
    return None
