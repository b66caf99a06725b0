from django.urls import include, path

from kechuang.monitoring import targets_view, views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<slug:code>/", views.indicator, name="indicator"),
    path("indicators/<slug:code>/targets/", targets_view.area_targets, name="area_targets"),
    # observations (list, entry, import, conflict resolution) and the report download
    path("", include("kechuang.monitoring.observation_urls")),
]
