"""Rendering the platform's Word documents to PDF with LibreOffice and reading them back: the
page size and whether any number of the document's tables broke across lines."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

A4_POINTS = (595.3, 841.9)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def libreoffice() -> str:
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if not found:
        pytest.fail(
            "LibreOffice is missing: `make test` installs the Debian package "
            "libreoffice-writer-nogui (Makefile, DEB_PACKAGES)",
            pytrace=False,
        )
    return found


def render_pdf(content: bytes, tmp_path: Path, name: str = "document") -> PdfReader:
    source = tmp_path / f"{name}.docx"
    source.write_bytes(content)
    subprocess.run(
        [
            libreoffice(),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    return PdfReader(tmp_path / f"{name}.pdf")


def page_sizes(reader: PdfReader) -> set[tuple[float, float]]:
    return {
        (round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
        for p in reader.pages
    }


def table_numbers(content: bytes) -> set[str]:
    """Every number written in the document's tables."""
    document = Document(io.BytesIO(content))
    return {
        n
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for n in NUMBER.findall(cell.text)
    }


def split_numbers(content: bytes, reader: PdfReader) -> list[str]:
    """The table numbers that do not appear whole on one line of the PDF's text."""
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    text = "\n".join(line.replace(" ", "") for line in lines)
    return sorted(n for n in table_numbers(content) if n not in text)
