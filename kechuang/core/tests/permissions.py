"""The access-matrix harness: one row per page or API operation, the expected status for every
role, all roles checked against one setup.

A module declares rows with `endpoint(method, url, body=..., **expected_by_role)` (or `Row(...)`
with the expected statuses as a dict) and runs each with `check_row(client_for, context, row)`:
one test per row, every role in turn, each role's request in a savepoint rolled back after it,
so a write by one role (a create, an update, a delete) never changes what the next role meets
and the row's fixtures are built once. A row fails with the list of every role whose answer
differed, not just the first. URLs and bodies may hold `{placeholders}` filled from `context`
(object ids the fixtures created); bodies are JSON for `/api/` and form data for pages.

Expected statuses are the specification, written by hand from the roles table of the README
(the generated rows of `site/tests/test_access_registry.py` compute them from that table, never
from the scoping code under test).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

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
class Row:
    method: str
    url: str  # may hold {placeholders} filled from the context
    expected: dict[str, int]
    body: Any = None  # dict, or callable(context) -> dict
    name: str = ""
    check: Callable[[str, Any, dict[str, Any]], None] | None = field(default=None)

    def label(self) -> str:
        return self.name or f"{self.method} {self.url}"

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")


def endpoint(method: str, url: str, body: Any = None, name: str = "", **expected: int) -> Row:
    missing = set(ROLES) - set(expected)
    if missing:
        raise ValueError(f"{method} {url}: expected status missing for {sorted(missing)}")
    return Row(method, url, dict(expected), body, name)


row = endpoint


def row_id(r: Row) -> str:
    return r.label()


def fill(template: Any, context: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return template.format(**context)
    if isinstance(template, dict):
        return {k: fill(v, context) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, context) for v in template]
    if callable(template):
        return template(context)
    return template


def request(client: Any, r: Row, context: dict[str, Any]) -> Any:
    url = fill(r.url, context)
    kwargs: dict[str, Any] = {}
    if r.body is not None:
        body = fill(r.body, context)
        if r.is_api:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        else:
            kwargs = {"data": body}
    return getattr(client, r.method.lower())(url, **kwargs)


def _problem(r: Row, role: str, response: Any) -> str | None:
    expected = r.expected[role]
    if response.status_code != expected:
        return f"{role}: 期望 {expected}，实得 {response.status_code}：{response.content[:200]!r}"
    if r.is_api and 400 <= response.status_code < 500:
        body = response.json()
        if set(body) != {"code", "message", "errors"}:
            return f"{role}: 错误响应的格式不对：{body}"
        if not any("\u4e00" <= c <= "\u9fff" for c in body["message"]):
            return f"{role}: 错误说明不是中文：{body}"
    redirected = not r.is_api and response.status_code == 302 and role == "anonymous"
    if redirected and "/login/" not in response["Location"]:  # the site's or the admin's
        return f"{role}: 未登录应转到登录页，实际转到 {response['Location']}"
    return None


def check_role(client_for: Callable[[str], Any], context: dict[str, Any], r: Row, role: str) -> str:
    """One role's request; the problem found ("" when none)."""
    response = request(client_for(role), r, context)
    problem = _problem(r, role, response)
    if problem is None and r.check is not None:
        try:
            r.check(role, response, context)
        except AssertionError as error:
            problem = f"{role}: {error}"
    return problem or ""


def check_row(client_for: Callable[[str], Any], context: dict[str, Any], r: Row) -> None:
    problems = []
    for role in ROLES:
        with transaction.atomic():
            problem = check_role(client_for, context, r, role)
            transaction.set_rollback(True)
        if problem:
            problems.append(problem)
    assert not problems, (
        f"{r.method} {fill(r.url, context)}：{len(problems)}/{len(ROLES)} 个角色不符\n"
        + "\n".join(problems)
    )
