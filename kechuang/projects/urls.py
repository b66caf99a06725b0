from django.urls import path

from kechuang.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/certificate.docx", views.certificate, name="certificate"),
    path("tranches/<int:pk>/pay/", views.pay, name="pay"),
    path("awards/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.docx", views.dashboard_docx, name="dashboard_docx"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("results/", views.results, name="results"),
    path("results/<int:pk>/", views.result, name="result"),
    path("integrity/", views.integrity_list, name="integrity"),
    path("integrity/<int:pk>/contest/", views.integrity_contest, name="integrity_contest"),
    path("integrity/import/", views.integrity_import, name="integrity_import"),
]
