"""Observation pages and the report download. Included by `kechuang/monitoring/urls.py`
(namespace "monitoring"), so names are reversed as "monitoring:observation_list" etc."""

from django.urls import path

from kechuang.monitoring import observation_views as views

urlpatterns = [
    path("observations/", views.observation_list, name="observation_list"),
    path("observations/new/", views.observation_create, name="observation_create"),
    path("observations/import/", views.observation_import, name="observation_import"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("observations/<int:pk>/resolve/", views.observation_resolve, name="observation_resolve"),
    path("report.docx", views.report_download, name="report_download"),
]
