from django.urls import path

from kechuang.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.calls, name="calls"),
    path("results/", views.results, name="results"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/apply/", views.apply, name="apply"),
    path("calls/<int:pk>/assign/", views.assign, name="assign"),
    path("calls/<int:pk>/status/", views.call_status, name="call_status"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/results.docx", views.results_docx, name="results_docx"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/", views.application_act, name="act"),
    path("workbench/", views.workbench, name="workbench"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("workflows/", views.workflows, name="workflows"),
    path("workflows/<str:code>/", views.workflow_edit, name="workflow_edit"),
]
