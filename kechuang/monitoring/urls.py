from django.urls import path

from kechuang.monitoring.views import dashboard, observations, report, targets

app_name = "monitoring"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("indicators/<slug:code>/", dashboard.indicator, name="indicator"),
    path("indicators/<slug:code>/targets/", targets.area_targets, name="area_targets"),
    path("observations/", observations.observation_list, name="observation_list"),
    path("observations/new/", observations.observation_create, name="observation_create"),
    path("observations/import/", observations.observation_import, name="observation_import"),
    path("observations/<int:pk>/", observations.observation_detail, name="observation_detail"),
    path(
        "observations/<int:pk>/resolve/",
        observations.observation_resolve,
        name="observation_resolve",
    ),
    path(
        "observations/<int:pk>/withdraw/",
        observations.observation_withdraw,
        name="observation_withdraw",
    ),
    path("report.docx", report.report_download, name="report_download"),
]
