from django.urls import path

from kechuang.cultivation.views import pool, screenings, self_assessment

app_name = "cultivation"
urlpatterns = [
    path("", pool.overview, name="overview"),
    path("pool/", pool.pool_list, name="pool_list"),
    path("pool/<int:organization_id>/", pool.entry_detail, name="pool_detail"),
    path("movements/", pool.movements, name="movements"),
    path("screenings/", screenings.screenings, name="screenings"),
    path("rules/", pool.rule_sets, name="rule_sets"),
    path("projection/", pool.projection, name="projection"),
    path("self-assessment/", self_assessment.self_assessment, name="self_assessment"),
]
