"""The registry's web pages: which columns each list shows, which fields each detail shows."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from kechuang.core.crud import Resource
from kechuang.core.permissions import VERIFY_QUALIFICATIONS
from kechuang.core.scoping import can
from kechuang.core.webcrud import Column, Page
from kechuang.registry import declarations as d
from kechuang.registry import selectors
from kechuang.registry.api import RESOURCES
from kechuang.registry.api.schemas import AnnualReportOut, NamedActorOut
from kechuang.registry.declarations import Registry
from kechuang.registry.filters import AnnualReportFilter, NamedActorFilter
from kechuang.registry.models import InnovationPlatform, Qualification, Verification
from kechuang.registry.services.platforms import RECORD_PLATFORM_HISTORY
from kechuang.registry.services.qualifications import is_organization_user

R = {r.path: r for r in RESOURCES}


def _section(title: str, headers: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "headers": headers, "rows": rows}


def organization_related(request: HttpRequest, org: Any) -> dict[str, Any]:

    today = timezone.localdate()
    user = request.user
    quals = selectors.qualifications_for(user).filter(organization=org)
    reports = selectors.annual_reports_for(user).filter(organization=org).order_by("-year")[:6]
    submissions = (
        selectors.submissions_for(user).filter(organization=org).order_by("-created_at")[:10]
    )
    platforms = selectors.platforms_for(user).filter(host=org)
    return {
        "related": [
            _section(
                "资质认定",
                ["资质", "证书编号", "认定日期", "有效期至", "核验状态", "今日有效"],
                [
                    {
                        "url": reverse("registry:qualifications_detail", args=[q.pk]),
                        "cells": [
                            q.get_kind_display(),
                            q.certificate_no,
                            q.issued_on,
                            q.expires_on,
                            q.get_verification_display(),
                            q.validity_label(today),
                        ],
                    }
                    for q in quals
                ],
            ),
            _section(
                "年度数据（已确认）",
                ["年度", "销售收入（万元）", "研发费用（万元）", "职工", "科技人员"],
                [
                    {
                        "url": reverse("registry:annual_reports_detail", args=[r.pk]),
                        "cells": [
                            r.year,
                            r.sales_revenue,
                            r.rd_expense,
                            r.employees_avg,
                            r.st_staff_avg,
                        ],
                    }
                    for r in reports
                ],
            ),
            _section(
                "年度数据填报",
                ["年度", "状态", "填报人", "填报时间"],
                [
                    {
                        "url": reverse("registry:figures_detail", args=[s.pk]),
                        "cells": [s.year, s.get_status_display(), s.submitted_by, s.created_at],
                    }
                    for s in submissions
                ],
            ),
            _section(
                "依托平台",
                ["平台", "类型", "级别", "状态"],
                [
                    {
                        "url": reverse("registry:platforms_detail", args=[p.pk]),
                        "cells": [
                            p.name,
                            p.get_kind_display(),
                            p.get_level_display(),
                            p.get_status_display(),
                        ],
                    }
                    for p in platforms
                ],
            ),
        ]
    }


def platform_history(request: HttpRequest, platform: InnovationPlatform) -> dict[str, Any]:
    """The platform's dated status history, with the link to record an event (city staff)."""
    section = _section(
        "状态变更",
        ["日期", "事项", "变更后级别", "变更后状态", "文号", "整合进入", "备注"],
        [
            {
                "cells": [
                    change.date,
                    change.get_event_display(),
                    change.get_level_after_display(),
                    change.get_status_after_display(),
                    change.document_no,
                    change.merged_into or "",
                    change.note,
                ]
            }
            for change in selectors.platform_status_changes(platform)
        ],
    )
    if RECORD_PLATFORM_HISTORY.allows(request.user):
        section["action_url"] = reverse("registry:platforms_status_change_new", args=[platform.pk])
        section["action_label"] = "记录状态变更"
    return {"related": [section]}


def qualification_validity(request: HttpRequest, q: Qualification) -> dict[str, Any]:
    """The state (badge, reviewer's buttons, scan) and the validity on two days: 是/否 for a
    verified qualification, its state (待核验/已驳回) otherwise — a claim never counts."""
    today = timezone.localdate()
    return {
        "may_verify": VERIFY_QUALIFICATIONS.allows(request.user),
        # organization users claim again instead of editing (services/qualifications.py)
        "may_change": can(request.user, "change", q) and not is_organization_user(request.user),
        "badge": {
            Verification.VERIFIED: "text-bg-success",
            Verification.CLAIMED: "text-bg-warning",
            Verification.REJECTED: "text-bg-danger",
        }.get(q.verification, "text-bg-secondary"),
        "related": [
            _section(
                "有效性（计入统计）",
                ["日期", "是否有效"],
                [
                    {"cells": [day, q.validity_label(day)]}
                    for day in (today, dt.date(today.year - 1, 12, 31))
                ],
            )
        ],
    }


def _page(registry: Registry, resource: Resource, **options: Any) -> Page:
    columns = tuple(Column(label, path) for label, path in registry.list_column_specs())
    return Page(resource, columns, registry.detail_fields, **options)


def _read_only(
    registry: Registry, label: str, out: Any, filters: Any, orderings: Any, rows: Any
) -> Resource:
    return Resource(
        registry.code,
        label,
        registry.model,
        out,
        Schema,
        filters,
        orderings,
        rows,
        lambda user, payload: {},
    )


PAGES = [
    _page(
        d.ORGANIZATIONS,
        R["organizations"],
        excel="organizations",
        extra_detail=organization_related,
    ),
    _page(
        d.QUALIFICATIONS,
        R["qualifications"],
        excel="qualifications",
        extra_detail=qualification_validity,
        detail_template="registry/qualification_detail.html",
    ),
    _page(d.PLATFORMS, R["platforms"], excel="platforms", extra_detail=platform_history),
    _page(d.TALENTS, R["talents"], excel="talents"),
    _page(d.TEAMS, R["teams"], excel="teams"),
    _page(d.PATENTS, R["patents"], excel="patents"),
    _page(
        d.ANNUAL_REPORTS,
        _read_only(
            d.ANNUAL_REPORTS,
            "年度数据",
            AnnualReportOut,
            AnnualReportFilter,
            ("year", "organization__name"),
            selectors.annual_reports_for,
        ),
        title="年度数据（已确认）",
        excel="annual_reports",
        read_only=True,
        create_url="/registry/figures/new/",
    ),
    _page(
        d.NAMED_ACTORS,
        _read_only(
            d.NAMED_ACTORS,
            "规划点名主体",
            NamedActorOut,
            NamedActorFilter,
            ("sort_order", "name"),
            selectors.named_actors_for,
        ),
        read_only=True,
    ),
]
