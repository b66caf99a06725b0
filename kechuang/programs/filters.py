"""The application list's parameters: one `ApplicationFilter` for the page and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from ninja import Field, FilterSchema
from pydantic import ValidationError


class ApplicationFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="项目名称或申报单位")
    call: int | None = Field(None, ge=1, description="申报批次编号")
    challenge: int | None = Field(None, ge=1, description="榜单编号")
    phase: str | None = Field(None, max_length=40, description="环节编码，如 review")

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(title__icontains=value) | Q(organization__name__icontains=value)

    def filter_call(self, value: int | None) -> Q:
        return Q(call_id=value) if value else Q()

    def filter_challenge(self, value: int | None) -> Q:
        return Q(challenge_id=value) if value else Q()


def page_application_filter(params: Any) -> tuple[ApplicationFilter, list[str]]:
    """The page's filter; a value it cannot read is dropped and named (never widened silently
    into an export, which this list does not have)."""
    values = {k: params.get(k) for k in ("q", "call", "challenge", "phase") if params.get(k)}
    try:
        return ApplicationFilter(**values), []
    except ValidationError as error:
        bad = sorted({str(e["loc"][0]) for e in error.errors()})
        kept = {k: v for k, v in values.items() if k not in bad}
        return ApplicationFilter(**kept), [f"筛选条件“{b}”的值无效，已忽略。" for b in bad]
