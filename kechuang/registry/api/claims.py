"""A qualification claim from a form (the page and the multipart API share it): the fields of
the registry's payload, the certificate scan, and the claim service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from pydantic import ValidationError as PydanticValidationError

from kechuang.core.permissions import WRITE_DATA
from kechuang.core.webcrud import pydantic_errors
from kechuang.registry import selectors
from kechuang.registry.api.schemas import QualificationIn
from kechuang.registry.models import Qualification
from kechuang.registry.services import qualifications


def claim_values(user: Any, form: Mapping[str, Any]) -> dict[str, Any]:
    """The posted fields the payload knows (blank ones left out); an organization user's own
    credit code when none was given."""
    values = {
        name: str(form.get(name, "")).strip()
        for name in QualificationIn.model_fields
        if str(form.get(name, "")).strip()
    }
    own = getattr(user, "organization", None) if qualifications.is_organization_user(user) else None
    if own is not None and "organization" not in values:
        values["organization"] = own.uscc
    return values


def claim_from_form(user: Any, form: Mapping[str, Any], scan: Any) -> Qualification:
    """Create a claim (待核验) from posted form fields and the uploaded scan; ValidationError
    (field → Chinese messages) or PermissionDenied otherwise. Nothing is written on error."""
    WRITE_DATA.check(user)
    qualifications.refuse_state_fields(user, set(form.keys()))
    try:
        payload = QualificationIn.model_validate(claim_values(user, form))
    except PydanticValidationError as error:
        errors = pydantic_errors(error)
        try:
            qualifications.read_scan(scan)
        except ValidationError as scan_error:
            errors.update(scan_error.message_dict)
        raise ValidationError(errors) from None
    data = payload.dict()
    organization = selectors.organization_by_uscc(user, data.pop("organization"))
    return qualifications.claim(user, organization, data, scan)


SCAN_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def scan_response(obj: Qualification) -> FileResponse:
    """The certificate scan, shown inline (the caller has checked that the user may view the
    qualification); 404 in Chinese when there is none."""
    if not obj.scan:
        raise Http404("该资质没有上传证书扫描件。")
    extension = obj.scan.name.rsplit(".", 1)[-1].lower()
    try:
        handle = obj.scan.open("rb")
    except FileNotFoundError:
        raise Http404("证书扫描件文件已不存在：请联系市科技局工作人员。") from None
    return FileResponse(
        handle,
        content_type=SCAN_TYPES.get(extension, "application/octet-stream"),
        filename=f"资质证书扫描件-{obj.pk}.{extension}",
        as_attachment=False,
    )
