"""Turning the references a client sends (codes, names, credit codes, ids) into rows.

Every reference in a payload, a form or an import row is resolved in a queryset the caller has
already narrowed with `restrict(user, "view")`: a row the user may not see and a row that does
not exist get the same answer ("未知的…"), so a reference can never reveal what exists, nor
attach something outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

# The largest id a database column holds (64-bit): a larger one names nothing, and asking the
# database for it would overflow instead of answering "no such row".
MAX_ID = 2**63 - 1


def storable(key: Any) -> bool:
    return not isinstance(key, int) or -MAX_ID <= key <= MAX_ID


def unknown(label: str, values: Iterable[Any]) -> str:
    return f"未知的{label}：{'、'.join(str(v) for v in values)}"


def resolve(queryset: QuerySet, value: Any, lookup: Q, field: str, label: str) -> Any:
    """The one row of `queryset` matching `lookup`, None for an empty value, or a field error."""
    if value in (None, ""):
        return None
    found = queryset.filter(lookup).first()
    if found is None:
        raise ValidationError({field: unknown(label, [value])})
    return found


def resolve_many(
    queryset: QuerySet,
    keys: list[Any],
    key: str,
    field: str,
    label: str,
    keep: QuerySet | None = None,
) -> list[Any]:
    """The rows of `queryset` whose `key` is in `keys`, in the order given (blank keys skipped,
    duplicates once); every key that matches nothing is named in one field error. `keep`: rows
    already linked, accepted even when the user may not see them (sending back what was read
    must not fail, e.g. a platform's co-builder in another county)."""
    if keep is not None:
        queryset = queryset | keep
    wanted = list(dict.fromkeys(k for k in keys if k not in (None, "")))
    asked = [k for k in wanted if storable(k)]
    found = {getattr(row, key): row for row in queryset.filter(**{f"{key}__in": asked})}
    missing = [k for k in wanted if k not in found]
    if missing:
        raise ValidationError({field: unknown(label, missing)})
    return [found[k] for k in wanted]
