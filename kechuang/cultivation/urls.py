from django.urls import path

from kechuang.cultivation import pool_views, views

app_name = "cultivation"
urlpatterns = [
    path("", pool_views.overview, name="overview"),
    path("pool/", pool_views.pool_list, name="pool_list"),
    path("pool/<int:organization_id>/", pool_views.entry_detail, name="pool_detail"),
    path("movements/", pool_views.movements, name="movements"),
    path("screenings/", pool_views.screenings, name="screenings"),
    path("rules/", pool_views.rule_sets, name="rule_sets"),
    path("projection/", pool_views.projection, name="projection"),
    path("self-assessment/", views.self_assessment, name="self_assessment"),
]
