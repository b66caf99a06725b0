from django.urls import path

from kechuang.core.webcrud import urls_for
from kechuang.registry.pages import PAGES
from kechuang.registry.views import excel as excel_views
from kechuang.registry.views import figures as views
from kechuang.registry.views import platforms as platform_views
from kechuang.registry.views import qualifications as quals

app_name = "registry"
urlpatterns = [
    path("figures/", views.figures_list, name="figures_list"),
    path("figures/new/", views.figures_new, name="figures_new"),
    path("figures/<int:pk>/", views.figures_detail, name="figures_detail"),
    path("figures/<int:pk>/withdraw/", views.figures_withdraw, name="figures_withdraw"),
    path("figures/<int:pk>/resubmit/", views.figures_resubmit, name="figures_resubmit"),
    path(
        "platforms/<int:pk>/status-changes/new/",
        platform_views.status_change_new,
        name="platforms_status_change_new",
    ),
    path("excel/<str:code>/template.xlsx", excel_views.download_template, name="excel_template"),
    path("excel/<str:code>/export.xlsx", excel_views.export, name="excel_export"),
    path("excel/<str:code>/import/", excel_views.import_view, name="excel_import"),
    path("excel/<str:code>/report.xlsx", excel_views.error_report, name="excel_report"),
    # qualifications: claims, the queue, verification, scans, official lists; "新增" and "修改"
    # shadow the generic pages (organization users claim instead)
    path("qualifications/claim/", quals.claim, name="qualifications_claim"),
    path("qualifications/pending/", quals.pending, name="qualifications_pending"),
    path("qualifications/official-list/", quals.official_list, name="qualifications_official"),
    path("qualifications/new/", quals.qualification_new, name="qualifications_create"),
    path("qualifications/<int:pk>/edit/", quals.qualification_edit, name="qualifications_edit"),
    path("qualifications/<int:pk>/verify/", quals.verify, name="qualifications_verify"),
    path("qualifications/<int:pk>/reject/", quals.reject, name="qualifications_reject"),
    path("qualifications/<int:pk>/scan/", quals.scan, name="qualifications_scan"),
]
for page in PAGES:
    urlpatterns += urls_for(page)
