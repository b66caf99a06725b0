from django.urls import path

from kechuang.core.webcrud import urls_for
from kechuang.registry.pages import PAGES
from kechuang.registry.views import excel as excel_views
from kechuang.registry.views import figures as views
from kechuang.registry.views import platforms as platform_views

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
]
for page in PAGES:
    urlpatterns += urls_for(page)
