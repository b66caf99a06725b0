"""The navigation: the modules of the platform, those live and those still to come."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kechuang.core.permissions import VIEW_AUDIT_TRAIL

# (label, url name or None while the module is being built, who sees it)
MODULES = [
    ("首页", "site:home", "all"),
    ("创新主体", "registry:organizations_list", "signed_in"),
    ("资质", "registry:qualifications_list", "signed_in"),
    ("年度数据", "registry:annual_reports_list", "signed_in"),
    ("填报审核", "registry:figures_list", "signed_in"),
    ("平台", "registry:platforms_list", "signed_in"),
    ("人才", "registry:talents_list", "signed_in"),
    ("团队", "registry:teams_list", "signed_in"),
    ("专利", "registry:patents_list", "signed_in"),
    ("规划点名", "registry:named_list", "signed_in"),
    ("规划监测", "monitoring:dashboard", "signed_in"),
    ("企业培育", "cultivation:overview", "signed_in"),
    ("技术合同", "contracts:list", "signed_in"),
    ("政策兑现", "policies:list", "signed_in"),
    ("技术市场", "market:home", "all"),
    ("科技计划", "programs:calls", "all"),
    ("科技项目", "projects:results", "all"),
    ("审计记录", "accounts:audit", "city_admin"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_admin = VIEW_AUDIT_TRAIL.allows(user)
    items = []
    for label, url_name, audience in MODULES:
        if audience == "signed_in" and not signed_in:
            continue
        if audience == "city_admin" and not is_admin:
            continue
        url = reverse(url_name) if url_name else None
        items.append(
            {"label": label, "url": url, "active": url is not None and request.path == url}
        )
    return {"nav_items": items, "nav_is_admin": is_admin}
