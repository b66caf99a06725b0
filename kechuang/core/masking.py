"""Masking of sensitive values for lists and exports (等保: phone and ID numbers never in full)."""


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
