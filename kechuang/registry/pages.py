"""The registry's web pages: which columns each list shows, which fields each detail shows."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from kechuang.core.crud import Resource
from kechuang.core.webcrud import Column, Page
from kechuang.registry import selectors
from kechuang.registry.api import RESOURCES
from kechuang.registry.api.schemas import AnnualReportOut, NamedActorOut
from kechuang.registry.filters import AnnualReportFilter, NamedActorFilter
from kechuang.registry.models import AnnualReport, NamedActor, Qualification
from kechuang.registry.models.figures import FIGURE_FIELDS

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
                ["资质", "证书编号", "认定日期", "有效期至", "今日有效"],
                [
                    {
                        "url": reverse("registry:qualifications_detail", args=[q.pk]),
                        "cells": [
                            q.get_kind_display(),
                            q.certificate_no,
                            q.issued_on,
                            q.expires_on,
                            "是" if q.is_valid_on(today) else "否",
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


def qualification_validity(request: HttpRequest, q: Qualification) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "related": [
            _section(
                "有效性",
                ["日期", "是否有效"],
                [
                    {"cells": [day, "是" if q.is_valid_on(day) else "否"]}
                    for day in (today, dt.date(today.year - 1, 12, 31))
                ],
            )
        ]
    }


PAGES = [
    Page(
        R["organizations"],
        (
            Column("单位名称", "name"),
            Column("统一社会信用代码", "uscc"),
            Column("类型", "get_kind_display"),
            Column("区域", "area.name"),
            Column("产业", "industry.name"),
            Column("规上", "is_above_designated_size"),
        ),
        (
            "uscc",
            "name",
            "kind",
            "area",
            "industry",
            "tech_field",
            "founded_on",
            "size_class",
            "is_listed",
            "is_above_designated_size",
            "address",
            "contact_name",
            "created_at",
            "updated_at",
        ),
        excel="organizations",
        extra_detail=organization_related,
    ),
    Page(
        R["qualifications"],
        (
            Column("单位", "organization.name"),
            Column("资质", "get_kind_display"),
            Column("证书编号", "certificate_no"),
            Column("认定日期", "issued_on"),
            Column("有效期至", "expires_on"),
            Column("认定层级", "get_issuer_level_display"),
        ),
        (
            "organization",
            "kind",
            "certificate_no",
            "issued_on",
            "expires_on",
            "issuer_level",
            "issuer",
            "note",
        ),
        excel="qualifications",
        extra_detail=qualification_validity,
    ),
    Page(
        R["platforms"],
        (
            Column("平台名称", "name"),
            Column("类型", "get_kind_display"),
            Column("级别", "get_level_display"),
            Column("依托单位", "host.name"),
            Column("区域", "area.name"),
            Column("状态", "get_status_display"),
            Column("批准日期", "approved_on"),
        ),
        (
            "name",
            "kind",
            "level",
            "host",
            "co_builders",
            "area",
            "industry",
            "tech_field",
            "approved_on",
            "approval_document",
            "status",
            "latest_evaluation",
            "latest_evaluation_year",
            "note",
        ),
        excel="platforms",
    ),
    Page(
        R["talents"],
        (
            Column("姓名", "name"),
            Column("工作单位", "organization.name"),
            Column("职称/职务", "title"),
            Column("学位", "get_degree_display"),
            Column("科技特派员", "is_st_commissioner"),
            Column("手机号", "masked_phone"),
        ),
        (
            "name",
            "organization",
            "title",
            "degree",
            "tech_fields",
            "expertise",
            "honours",
            "is_st_commissioner",
        ),
        excel="talents",
    ),
    Page(
        R["teams"],
        (
            Column("团队名称", "name"),
            Column("依托单位", "organization.name"),
            Column("带头人", "leader.name"),
            Column("引育计划", "get_programme_display"),
            Column("入选年度", "approved_year"),
        ),
        (
            "name",
            "organization",
            "leader",
            "members",
            "programme",
            "approved_year",
            "research_direction",
        ),
        excel="teams",
    ),
    Page(
        R["patents"],
        (
            Column("专利号", "number"),
            Column("名称", "title"),
            Column("类型", "get_kind_display"),
            Column("权利人", "organization.name"),
            Column("申请日", "application_date"),
            Column("法律状态", "get_legal_status_display"),
        ),
        (
            "number",
            "kind",
            "title",
            "abstract",
            "ipc_codes",
            "applicants",
            "organization",
            "application_date",
            "grant_date",
            "legal_status",
            "hv_strategic_industry",
            "hv_overseas_family",
            "hv_pledged",
            "hv_award",
        ),
        excel="patents",
    ),
]
PAGES.append(
    Page(
        Resource(
            "annual_reports",
            "年度数据",
            AnnualReport,
            AnnualReportOut,
            Schema,
            AnnualReportFilter,
            ("year", "organization__name"),
            selectors.annual_reports_for,
            lambda user, payload: {},
        ),
        (
            Column("单位", "organization.name"),
            Column("年度", "year"),
            Column("销售收入（万元）", "sales_revenue"),
            Column("研发费用（万元）", "rd_expense"),
            Column("职工", "employees_avg"),
            Column("科技人员", "st_staff_avg"),
            Column("确认时间", "confirmed_at"),
        ),
        ("organization", "year", *FIGURE_FIELDS, "confirmed_at"),
        title="年度数据（已确认）",
        excel="annual_reports",
        read_only=True,
        create_url="/registry/figures/new/",
    )
)
PAGES.append(
    Page(
        Resource(
            "named",
            "规划点名主体",
            NamedActor,
            NamedActorOut,
            Schema,
            NamedActorFilter,
            ("sort_order", "name"),
            selectors.named_actors_for,
            lambda user, payload: {},
        ),
        (
            Column("名称", "name"),
            Column("类别", "get_kind_display"),
            Column("规划中的定位", "role"),
            Column("出处章节", "section"),
            Column("对应登记单位", "organization.name"),
        ),
        ("name", "kind", "role", "section", "seed", "area", "organization"),
        read_only=True,
    )
)
