from django.urls import path

from kechuang.policies.views import mine, policies, runs

app_name = "policies"
urlpatterns = [
    path("", policies.policy_list, name="list"),
    path("new/", policies.policy_new, name="new"),
    path("mine/", mine.mine, name="mine"),
    path("entitlements/<int:pk>/act/", mine.entitlement_act, name="entitlement_act"),
    path("runs/<int:pk>/", runs.run_detail, name="run"),
    path("runs/<int:pk>/act/", runs.run_act, name="run_act"),
    path("runs/<int:pk>/notice/", runs.notice, name="notice"),
    path("batches/<int:pk>/", runs.batch_detail, name="batch"),
    path("<int:pk>/", policies.policy_detail, name="detail"),
    path("<int:pk>/act/", policies.policy_act, name="act"),
    path("<int:pk>/simulate/", policies.policy_simulate, name="simulate"),
    path("<int:pk>/apply/", policies.policy_apply, name="apply"),
]
