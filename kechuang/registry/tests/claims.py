"""Shared test data for qualification claims: scan bytes of each kind and a stored claim."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from kechuang.registry.models import Qualification, QualificationSource, Verification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEXT_AS_PDF = "这不是扫描件，只是文字。".encode()


def stored_claim(org: Any, kind: str = "HNTE", issued_on: dt.date = dt.date(2024, 11, 1)) -> Any:
    """A claim as the service leaves it (待核验, 单位申报, with its scan)."""
    q = Qualification.objects.create(
        organization=org,
        kind=kind,
        certificate_no=f"GR2024{org.pk:06d}",
        issued_on=issued_on,
        expires_on=issued_on.replace(year=issued_on.year + 3) - dt.timedelta(days=1),
        issuer_level="national",
        verification=Verification.CLAIMED,
        source=QualificationSource.DECLARATION,
    )
    q.scan.save(f"{q.pk}.pdf", ContentFile(PDF), save=True)
    return q
