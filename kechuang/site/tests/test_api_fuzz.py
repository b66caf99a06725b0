"""No 500 for a client's mistake (#17 item 1): a bounded schemathesis pass over every operation
of the app's own OpenAPI (read from the live `api`, so a module merged later is covered too),
on the test's throwaway database, as city staff (signed-in session with its CSRF token) and as
an enterprise user (API token).

Per operation: EXAMPLES cases (schema-conforming and schema-violating ones, and ids of rows that
exist), a fixed seed, at most OPERATION_SECONDS. A case fails on any 5xx answer and on an answer
its documented response schema does not describe. The operations run in groups (one per API
prefix and role), so the pass spreads over the xdist workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from kechuang.accounts.services import create_api_token
from kechuang.contracts.synthetic import write_demo_contracts
from kechuang.registry.synthetic.writer import write_ecosystem
from kechuang.site.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = 25
OPERATION_SECONDS = 5.0
SEED = 17_2026
BASE_URL = "http://localhost"  # schemathesis sets the WSGI cookies for this host
CSRF = "fuzzcsrf" * 4  # any 32 characters: the cookie and the header must agree
CHECKS = [not_a_server_error, response_schema_conformance]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _group(operation: Any) -> str:
    """The API prefix of an operation: /api/registry/platforms -> registry."""
    return operation.path.split("/")[2]


GROUPS = sorted({_group(operation) for operation in OPERATIONS})
ROLES = ("city_staff", "enterprise")


@dataclass
class Caller:
    """How one role's requests are signed."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler inside the test's transaction: like Django's test client, keep the
    request signals from closing the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(users: dict[str, Any]) -> list[int]:
    """A small synthetic ecosystem (organizations, reports, qualifications, platforms, talents,
    patents, contracts) beside one account per role, so lists answer rows for the response
    schemas to describe; and the ids a fuzzed path may name: the first keys of every table."""
    write_ecosystem(0.01, SEED)
    write_demo_contracts(0.01, SEED)
    ids: set[int] = set()
    for model in apps.get_models():
        keys = model.objects.values_list("pk", flat=True).order_by("pk")[:20]
        ids.update(key for key in keys if isinstance(key, int))
    return sorted(ids)


def caller_for(role: str, user: Any) -> Callable[[], Caller]:
    """A fresh way to sign each operation's requests (a fuzzed DELETE may revoke a token)."""
    if role == "enterprise":
        return lambda: Caller(
            headers={"Authorization": f"Bearer {create_api_token(user, 'fuzz', 1)[1]}"}
        )
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF}
    return lambda: Caller(headers={"X-CSRFToken": CSRF}, cookies=cookies)


def strategy(operation: Any, ids: list[int]) -> st.SearchStrategy[Any]:
    """Cases that fit the schema, cases that break it, and cases naming existing rows."""
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [
        p.name for p in operation.path_parameters if p.definition["schema"].get("type") == "integer"
    ]
    if names and ids:
        known = st.fixed_dictionaries({name: st.sampled_from(ids) for name in names})
        strategies.append(
            known.flatmap(lambda values: operation.as_strategy(path_parameters=values))
        )
    return st.one_of(strategies)


def call(case: Any, app: WSGIHandler, caller: Caller) -> Any:
    """One request in its own savepoint, as in production's autocommit: a database error of one
    request does not poison the next (PostgreSQL aborts the whole transaction otherwise)."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.headers = {**headers, **caller.headers}
    case.cookies = {**(case.cookies or {}), **caller.cookies}
    savepoint = transaction.savepoint()
    try:
        return case.call(base_url=BASE_URL, app=app)
    finally:
        try:
            transaction.savepoint_commit(savepoint)
        except DatabaseError:
            transaction.savepoint_rollback(savepoint)


def fuzz(operation: Any, app: WSGIHandler, caller: Caller, ids: list[int]) -> None:
    """EXAMPLES cases of one operation, stopping early after OPERATION_SECONDS."""
    deadline = time.monotonic() + OPERATION_SECONDS

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, ids))
    def run(case: Any) -> None:
        if time.monotonic() > deadline:
            return
        response = call(case, app, caller)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("group", GROUPS)
def test_no_server_error_nor_schema_violation(
    group: str, role: str, users: dict[str, Any], world: list[int], wsgi_app: WSGIHandler
) -> None:
    signer = caller_for(role, users[role])
    failures = []
    for operation in (op for op in OPERATIONS if _group(op) == group):
        try:
            fuzz(operation, wsgi_app, signer(), world)
        except (Exception, BaseExceptionGroup) as exc:  # every failing operation, reported at once
            failures.append(f"{operation.label}: {exc}")
    assert not failures, f"{len(failures)} 个接口失败：\n\n" + "\n\n".join(failures)
