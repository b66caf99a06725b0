"""Issue #17 item 6: the Content-Security-Policy (django-csp) without 'unsafe-inline', every
template free of inline script, style and on* handlers (so a new module cannot bring them back),
Permissions-Policy, `Cache-Control: no-store` on everything behind a login, on API answers and
on exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

KECHUANG = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in KECHUANG.glob("*/templates/**/*.html"))

# What the policy forbids in markup: style attributes and <style> blocks (style-src 'self'),
# on* event handlers and javascript: URLs, and <script> elements with code in them (only
# <script src=...> from the platform's static files, or one carrying the request's nonce).
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE)
JS_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# A URL from data (source_url, ...) becomes a link only through the core filter `http_link`.
# (The platform's own addresses, reverse()d into *_url context names, are not data.)
RAW_DATA_LINK = re.compile(
    r"""href\s*=\s*["']\{\{\s*[\w.]*(source_url|website|homepage)\s*(\}|\|(?!http_link))"""
)


def inline_problems(text: str) -> list[str]:
    problems = []
    for name, pattern in (
        ("style 属性", STYLE_ATTRIBUTE),
        ("<style> 元素", STYLE_ELEMENT),
        ("on* 事件属性", HANDLER),
        ("javascript: 链接", JS_URL),
        ("数据中的网址未经 http_link 过滤", RAW_DATA_LINK),
    ):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"第 {line} 行：{name}")
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes and "csp_nonce" not in attributes:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"第 {line} 行：内联 <script>（改用静态文件或 json_script）")
    return problems


def test_the_scan_finds_every_kind_of_inline_code() -> None:
    sample = (
        '<div style="height: 3px"></div>\n<style>p{}</style>\n'
        '<form onsubmit="return confirm(1)"></form>\n<a href="javascript:alert(1)">x</a>\n'
        '<script>alert(1)</script>\n<script type="application/json">{}</script>\n'
        '<script src="/static/x.js" defer></script>\n'
        '<script nonce="{{ request.csp_nonce }}">ok()</script>\n'
        '<div data-style="x" data-onload="y" class="kc-h-300"></div>\n'
        '<a href="{{ obs.source_url }}">s</a><a href="{{ link }}">ok</a>\n'
    )
    assert inline_problems(sample) == [
        "第 1 行：style 属性",
        "第 2 行：<style> 元素",
        "第 3 行：on* 事件属性",
        "第 4 行：javascript: 链接",
        "第 10 行：数据中的网址未经 http_link 过滤",
        "第 5 行：内联 <script>（改用静态文件或 json_script）",
        "第 6 行：内联 <script>（改用静态文件或 json_script）",
    ]


def test_no_template_carries_inline_script_style_or_handlers() -> None:
    assert len(TEMPLATES) > 50  # every app's templates are scanned
    found = {
        str(path.relative_to(KECHUANG)): problems
        for path in TEMPLATES
        if (problems := inline_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}, f"模板中有 CSP 禁止的内联代码：{found}"


# --- headers ---------------------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parts = [d.strip().split() for d in header.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
def test_pages_carry_a_policy_without_unsafe_inline(client_for: Any) -> None:
    for path in ("/", "/monitoring/", "/accounts/login/", "/registry/organizations/"):
        response = client_for("city_staff").get(path)
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"][0] == "'self'" and policy["style-src"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_api_docs_page_runs_under_the_same_policy(client_for: Any) -> None:
    response = client_for("city_staff").get("/api/docs")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "script-src 'self'" in header
    html = response.content.decode()
    # the Swagger page's only inline <script> is its settings, a JSON data block, never run
    scripts = SCRIPT_TAG.findall(html)
    assert [s for s in scripts if "src=" not in s] == [
        ' type="application/json" id="swagger-settings"'
    ]


@pytest.mark.django_db
def test_permissions_policy_on_every_answer(client_for: Any) -> None:
    for role, path in (
        ("anonymous", "/"),
        ("city_staff", "/monitoring/"),
        ("expert", "/api/accounts/me"),
    ):
        response = client_for(role).get(path)
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("city_staff", "/"),
        ("city_staff", "/monitoring/"),
        ("city_staff", "/registry/organizations/"),
        ("city_staff", "/registry/excel/organizations/export.xlsx"),
        ("enterprise", "/"),
        ("city_staff", "/api/accounts/me"),
        ("anonymous", "/api/accounts/me"),  # the 401 too
        ("anonymous", "/accounts/login/"),
    ],
)
def test_private_answers_are_never_stored(client_for: Any, role: str, path: str) -> None:
    response = client_for(role).get(path)
    assert response.status_code in (200, 401)
    cache = {p.strip() for p in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache


@pytest.mark.django_db
def test_the_public_home_page_may_be_cached(db: Any) -> None:
    response = Client().get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_are_not_marked_private() -> None:
    response = Client().get("/static/core/kechuang.css")
    assert "no-store" not in response.get("Cache-Control", "")
