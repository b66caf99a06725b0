"""Account endpoints: who am I, API tokens, the audit trail (read-only by construction)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from kechuang.accounts import selectors, services
from kechuang.accounts.models import ApiToken
from kechuang.accounts.selectors import AuditFilter
from kechuang.core.pagination import Pagination

router = Router(tags=["账户与审计"])
API_TOKEN_MAX_DAYS = settings.API_TOKEN_MAX_DAYS


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_display: str = Field(..., alias="get_role_display")
    area_code: str | None = Field(None, alias="area.code")
    area_name: str | None = Field(None, alias="area.name")
    organization_id: int | None
    organization_name: str | None = Field(None, alias="organization.name")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="令牌用途")
    days: int = Field(
        90,
        ge=1,
        le=API_TOKEN_MAX_DAYS,
        description=f"有效天数（1–{API_TOKEN_MAX_DAYS}，必填范围内的整数；令牌必须有过期时间）",
    )

    @field_validator("days", mode="before")
    @classmethod
    def _days_in_range(cls, value: Any) -> Any:
        problem = services.token_days_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="完整令牌，只显示这一次")


class AuditOut(Schema):
    id: int
    at: dt.datetime
    action: str
    action_display: str = Field(..., alias="get_action_display")
    actor_username: str
    ip: str | None
    model: str | None
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    note: str

    @staticmethod
    def resolve_model(obj: Any) -> str | None:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct else None


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreatedOut}, summary="创建 API 令牌")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, raw = services.create_api_token(request.user, payload.name, payload.days)
    token.key = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None}, summary="吊销 API 令牌")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(token)
    return Status(204, None)


@router.get("/audit", response=list[AuditOut], summary="审计记录（仅市科技局管理员，只读）")
@paginate(Pagination)
def audit(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    return selectors.audit_entries(request.user, filters)
