"""Who vouches for a qualification: entry, claims, verification and rejection.

The rule (README, roles):
- 市科技局工作人员 (and superusers) enter qualifications directly: a new row is verified at once
  (source 市级工作人员录入, verified by them). Changing an existing row keeps its state.
- An official list (认定名单/入库名单, `registry/services/official_list.py`) creates verified rows
  or verifies the matching claims (source 官方名单导入).
- 县区工作人员 may enter or correct a qualification in their area, but the row is a claim
  (待核验, source 县区工作人员录入) until city staff verify it: county staff do not issue
  government qualifications.
- Enterprise and institution users may only CLAIM (单位申报): certificate number and a scan of the
  certificate (PDF, PNG or JPEG, checked by content, size-limited). They cannot set the state, the
  source or the verifier, and cannot change or delete a qualification through the registry's
  plain form or API.
- Only city staff verify or reject a claim (a reason is required to reject). Claims and rejected
  rows never count (`Qualification.valid_on`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kechuang.core.files import sniff
from kechuang.core.permissions import VERIFY_QUALIFICATIONS, WRITE_DATA
from kechuang.core.roles import CITY_ROLES, ORGANIZATION_ROLES, Role
from kechuang.core.services import ensure_can, save_instance
from kechuang.registry.models import (
    Organization,
    Qualification,
    QualificationSource,
    Verification,
)

CLAIM_ONLY = (
    "单位用户不能直接登记或修改资质认定：请在“申报资质”页面（或 POST "
    "/api/registry/qualification-claims）提交证书编号和证书扫描件，经市科技局核验后计入统计。"
)
STATE_FIELDS = ("verification", "source", "verified_by", "verified_at", "rejection_reason")
STATE_REFUSED = (
    "核验状态、来源和核验人由系统设置，单位和县区用户不能填写：请删除字段 {names} 后重新提交，"
    "申报提交后由市科技局工作人员核验。"
)
DEFAULT_SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}  # kinds a scan may be


def is_city(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in CITY_ROLES)
    )


def is_organization_user(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not user.is_superuser
        and user.role in ORGANIZATION_ROLES
    )


def verified_state(user: Any, source: str) -> dict[str, Any]:
    return {
        "verification": Verification.VERIFIED,
        "source": source,
        "verified_by": user if getattr(user, "pk", None) else None,
        "verified_at": timezone.now(),
        "rejection_reason": "",
    }


def claimed_state(source: str) -> dict[str, Any]:
    return {
        "verification": Verification.CLAIMED,
        "source": source,
        "verified_by": None,
        "verified_at": None,
        "rejection_reason": "",
    }


def entry_state(user: Any, instance: Qualification) -> dict[str, Any]:
    """The state fields a plain entry (form, API, Excel import) sets on `instance`: verified for
    a new row by city staff, unchanged for their edits, a claim for county staff; refused for
    enterprise and institution users (they claim instead)."""
    if is_organization_user(user):
        raise PermissionDenied(CLAIM_ONLY)
    if is_city(user):
        return {} if instance.pk else verified_state(user, QualificationSource.CITY_STAFF)
    return claimed_state(QualificationSource.COUNTY_STAFF)


def refuse_state_fields(user: Any, given: set[str]) -> None:
    """Refuse a payload that tries to set the state (for anyone but city staff)."""
    names = sorted(given & set(STATE_FIELDS))
    if names and not is_city(user):
        raise PermissionDenied(STATE_REFUSED.format(names="、".join(names)))


# --- the scan ---------------------------------------------------------------------------------


def scan_limit() -> int:
    return int(getattr(settings, "QUALIFICATION_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES))


def read_scan(upload: Any) -> tuple[bytes, str]:
    """The scan's bytes and extension, checked by content (never by the file name) and size;
    a ValidationError on field `scan` in Chinese otherwise."""
    if upload is None:
        raise ValidationError({"scan": ["请上传证书扫描件（PDF、PNG 或 JPEG 格式）。"]})
    limit = scan_limit()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"scan": [_too_big(size, limit)]})
    content = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    if len(content) > limit:
        raise ValidationError({"scan": [_too_big(len(content), limit)]})
    if not content:
        raise ValidationError({"scan": ["证书扫描件是空文件：请重新扫描后上传。"]})
    extension = SCAN_EXTENSIONS.get(sniff(content) or "")
    if extension is not None:
        return content, extension
    raise ValidationError(
        {
            "scan": [
                "证书扫描件的内容不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与文件名无关）："
                "请将证书扫描或拍照后另存为 PDF、PNG 或 JPEG 再上传。"
            ]
        }
    )


def _too_big(size: int, limit: int) -> str:
    return (
        f"证书扫描件过大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB："
        "请降低扫描分辨率或压缩后重新上传。"
    )


# --- claims -----------------------------------------------------------------------------------


def claim_organization(user: Any, organization: Organization | None) -> Organization:
    """The organization a claim is for: an organization user's own; staff must name one."""
    if is_organization_user(user):
        own = user.organization
        if own is None:
            raise PermissionDenied("您的账号未关联单位，不能申报资质：请联系市科技局工作人员。")
        if organization is not None and organization.pk != own.pk:
            raise ValidationError(
                {
                    "organization": [
                        "单位用户只能为本单位申报资质：请填写本单位的统一社会信用代码或留空。"
                    ]
                }
            )
        return own
    if organization is None:
        raise ValidationError({"organization": ["请填写申报单位的统一社会信用代码。"]})
    return organization


def _rejected_twin(organization: Organization, data: dict[str, Any]) -> Qualification | None:
    """A rejected claim of the same qualification (organization, kind, issue date): claiming
    again corrects it (new number, new scan, back to 待核验) instead of colliding with it."""
    return Qualification.objects.filter(
        organization=organization,
        kind=data.get("kind"),
        issued_on=data.get("issued_on"),
        verification=Verification.REJECTED,
    ).first()


@transaction.atomic
def claim(
    user: Any, organization: Organization | None, data: dict[str, Any], scan: Any
) -> Qualification:
    """A declaration: created as 待核验 (source 单位申报, or 县区工作人员录入 for county staff)
    whatever else was sent; certificate number and scan required."""
    WRITE_DATA.check(user)
    organization = claim_organization(user, organization)
    errors: dict[str, list[str]] = {}
    if not str(data.get("certificate_no") or "").strip():
        errors["certificate_no"] = ["申报资质须填写证书编号：请按证书原文填写。"]
    try:
        content, extension = read_scan(scan)
    except ValidationError as error:
        errors.update(error.message_dict)
        content, extension = b"", ""
    if errors:
        raise ValidationError(errors)
    source = (
        QualificationSource.COUNTY_STAFF
        if getattr(user, "role", "") == Role.COUNTY_STAFF and not user.is_superuser
        else QualificationSource.DECLARATION
    )
    instance = _rejected_twin(organization, data) or Qualification(organization=organization)
    fields = {
        k: v for k, v in data.items() if k not in STATE_FIELDS and k not in ("organization", "scan")
    }
    fields["certificate_no"] = str(data["certificate_no"]).strip()
    obj = save_instance(user, instance, {**fields, **claimed_state(source)})
    obj.scan.save(f"{obj.pk}.{extension}", ContentFile(content), save=False)
    return save_instance(user, obj, {"scan": obj.scan.name})


# --- verification -----------------------------------------------------------------------------


def _check_reviewer(user: Any, qualification: Qualification) -> None:
    VERIFY_QUALIFICATIONS.check(user)
    ensure_can(user, "change", qualification)


@transaction.atomic
def verify(user: Any, qualification: Qualification) -> Qualification:
    """City staff accept a claim (or a rejected row after a second look): it counts from now."""
    _check_reviewer(user, qualification)
    if qualification.verification == Verification.VERIFIED:
        raise ValidationError({"verification": ["该资质已核验，无需重复核验。"]})
    state = verified_state(user, qualification.source or QualificationSource.DECLARATION)
    return save_instance(user, qualification, state)


@transaction.atomic
def reject(user: Any, qualification: Qualification, reason: str) -> Qualification:
    """City staff reject a claim with a reason: it stays on record, shown, never counted."""
    _check_reviewer(user, qualification)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ["驳回须填写理由（如：证书编号与扫描件不符），以便申报单位更正。"]}
        )
    if qualification.verification != Verification.CLAIMED:
        shown = qualification.get_verification_display()
        raise ValidationError({"verification": [f"只能驳回待核验的申报，该资质当前为“{shown}”。"]})
    return save_instance(
        user,
        qualification,
        {
            "verification": Verification.REJECTED,
            "verified_by": user,
            "verified_at": timezone.now(),
            "rejection_reason": reason[:300],
        },
    )
