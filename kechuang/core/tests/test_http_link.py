"""Issue #17 item 6: only `http(s)://host...` addresses from data are rendered as links."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template

from kechuang.core.templatetags.kechuang_tags import http_link


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://tjj.nanyang.gov.cn/2023-bulletin", "https://tjj.nanyang.gov.cn/2023-bulletin"),
        ("http://www.nanyang.gov.cn/a?b=1#c", "http://www.nanyang.gov.cn/a?b=1#c"),
        ("  HTTPS://Example.org/x ", "HTTPS://Example.org/x"),
        ("//evil.example/steal", ""),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,<script>1</script>", ""),
        ("/monitoring/", ""),
        ("https://", ""),
        ("http:///path-only", ""),
        ("https://exa mple.org/", ""),
        ("https://example.org/\x00", ""),
        ("https://[::1/", ""),  # urlsplit refuses it
        ("ftp://example.org/", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_http_addresses_with_a_host_are_links(url: Any, link: str) -> None:
    assert http_link(url) == link


def test_the_filter_is_available_in_every_template_without_a_load() -> None:
    template = Template(
        '{% with link=u|http_link %}{% if link %}<a href="{{ link }}">x</a>'
        "{% else %}{{ u }}{% endif %}{% endwith %}"
    )
    assert (
        template.render(Context({"u": "https://a.example/"}))
        == '<a href="https://a.example/">x</a>'
    )
    assert template.render(Context({"u": "//evil.example"})) == "//evil.example"
