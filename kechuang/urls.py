from django.contrib import admin
from django.urls import include, path

from kechuang.core import views as core_views
from kechuang.site.api import api

admin.site.site_header = "科创平台管理后台"
admin.site.site_title = "科创平台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("kechuang.accounts.urls")),
    path("jobs/", include("kechuang.core.jobs.urls")),
    path("registry/", include("kechuang.registry.urls")),
    path("cultivation/", include("kechuang.cultivation.urls")),
    path("monitoring/", include("kechuang.monitoring.urls")),
    path("contracts/", include("kechuang.contracts.urls")),
    path("policies/", include("kechuang.policies.urls")),
    path("programs/", include("kechuang.programs.urls")),
    path("projects/", include("kechuang.projects.urls")),
    path("market/", include("kechuang.market.urls")),
    path("", include("kechuang.site.urls")),
]

handler400 = "kechuang.core.views.bad_request"
handler403 = "kechuang.core.views.permission_denied"
handler404 = "kechuang.core.views.page_not_found"
handler500 = "kechuang.core.views.server_error"
