"""The permission-matrix harness: role × endpoint × expected status.

A module declares rows with `endpoint(method, url, body=..., **expected_by_role)` and runs each
with `check_row(client_for, context, row)`: one test per row, every role in turn, each role's
request in a savepoint rolled back after it, so the row's fixtures are built once
(`check(client_for, context, row, role)` checks a single role). URLs and bodies may hold
`{placeholders}` filled from `context` (object ids the fixtures created). Later issues add their
own rows the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "city_admin",
    "city_staff",
    "county_staff",
    "enterprise",
    "institution",
    "expert",
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: str
    expected: dict[str, int]
    body: Any = None
    name: str = field(default="")

    def label(self) -> str:
        return self.name or f"{self.method} {self.url}"


def endpoint(method: str, url: str, body: Any = None, name: str = "", **expected: int) -> Endpoint:
    missing = set(ROLES) - set(expected)
    if missing:
        raise ValueError(f"{method} {url}: expected status missing for {sorted(missing)}")
    return Endpoint(method, url, expected, body, name)


def cases(rows: list[Endpoint]) -> Iterator[tuple[Endpoint, str]]:
    for row in rows:
        for role in ROLES:
            yield row, role


def row_id(row: Endpoint) -> str:
    return row.label()


def case_id(value: Any) -> str:
    return value.label() if isinstance(value, Endpoint) else str(value)


def _fill(template: Any, context: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return template.format(**context)
    if isinstance(template, dict):
        return {k: _fill(v, context) for k, v in template.items()}
    if callable(template):
        return template(context)
    return template


def check(
    client_for: Callable[[str], Any], context: dict[str, Any], row: Endpoint, role: str
) -> Any:
    client = client_for(role)
    url = _fill(row.url, context)
    kwargs: dict[str, Any] = {}
    if row.body is not None:
        kwargs = {"data": json.dumps(_fill(row.body, context)), "content_type": "application/json"}
    response = getattr(client, row.method.lower())(url, **kwargs)
    assert response.status_code == row.expected[role], (
        f"{role} {row.method} {url}: expected {row.expected[role]}, got {response.status_code}: "
        f"{response.content[:300]!r}"
    )
    if url.startswith("/api/") and 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"code", "message", "errors"}, body
        assert any("\u4e00" <= c <= "\u9fff" for c in body["message"]), body
    return response


def check_row(client_for: Callable[[str], Any], context: dict[str, Any], row: Endpoint) -> None:
    """Every role against one row. Each role's request runs in a savepoint rolled back after it,
    so what one role writes or deletes is not seen by the next. Fails listing every role whose
    answer differs from the expected one."""
    from django.db import transaction

    failures: list[str] = []
    for role in ROLES:
        try:
            with transaction.atomic():
                check(client_for, context, row, role)
                transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"  {role}: {error}")
    assert not failures, f"{row.label()}: {len(failures)} of {len(ROLES)} roles differ:\n" + (
        "\n".join(failures)
    )
