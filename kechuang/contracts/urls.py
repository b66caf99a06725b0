from django.urls import path

from kechuang.contracts.views import imports, register, stats

app_name = "contracts"
urlpatterns = [
    path("", register.contract_list, name="list"),
    path("apply/", register.contract_apply, name="apply"),
    path("workbench/", register.workbench, name="workbench"),
    path("stats/", stats.statistics, name="stats"),
    path("verify/", register.verify, name="verify"),
    path("import/", imports.import_page, name="import"),
    path("import/template.xlsx", imports.template, name="import_template"),
    path("import/report.xlsx", imports.import_report, name="import_report"),
    path("<int:pk>/", register.contract_detail, name="detail"),
    path("<int:pk>/act/", register.contract_act, name="act"),
    path("<int:pk>/certificate.docx", register.certificate_docx, name="certificate"),
]
