from django.urls import include, path

from kechuang.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<slug:code>/", views.indicator, name="indicator"),
    # observations (list, entry, import, conflict resolution) and the report download
    path("", include("kechuang.monitoring.observation_urls")),
]
