"""Helpers shared by the register's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from pydantic import ValidationError as PydanticError

from kechuang.core.errors import django_validation_errors, pydantic_message


def field_errors(error: ValidationError | PydanticError) -> dict[str, list[str]]:
    """Field errors of a service's or a schema's refusal, in Chinese, for a page."""
    if isinstance(error, PydanticError):
        found: dict[str, list[str]] = {}
        for item in error.errors():
            name = ".".join(str(p) for p in item["loc"]) or "__all__"
            found.setdefault(name, []).append(pydantic_message(item))
        return found
    return django_validation_errors(error)


def deduction_rows(post: Any, rows: int = 6) -> list[dict[str, Any]]:
    """The itemised costs typed in the form's rows (blank rows skipped)."""
    items = []
    for i in range(rows):
        kind = post.get(f"d_kind_{i}", "").strip()
        amount = post.get(f"d_amount_{i}", "").strip()
        if not kind and not amount:
            continue
        items.append(
            {
                "kind": kind,
                "amount": amount or "0",
                "description": post.get(f"d_desc_{i}", "").strip(),
                "quantity": post.get(f"d_qty_{i}", "").strip() or 1,
            }
        )
    return items
