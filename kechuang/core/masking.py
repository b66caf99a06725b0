"""Masking of sensitive values for lists and exports (等保: phone and ID numbers never in full)."""

from collections.abc import Callable


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; short or empty values are masked whole."""
    digits = (value or "").strip()
    if not digits:
        return ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(value: str) -> str:
    """A resident ID number keeps its first 3 and last 2 characters: 410***********12."""
    text = (value or "").strip()
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


# The sensitive fields of the domain models and how each is masked (exports, lists, the change
# history). ID numbers are also kept out of the audit trail altogether (audit_redacted_fields).
SENSITIVE_FIELDS = {"contact_phone": mask_phone, "phone": mask_phone, "id_number": mask_id_number}


def mask_for(field_name: str) -> Callable[[str], str]:
    """The mask of a sensitive field (phone numbers by default)."""
    return SENSITIVE_FIELDS.get(field_name, mask_phone)
