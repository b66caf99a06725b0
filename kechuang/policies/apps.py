from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kechuang.policies"
    verbose_name = "惠企政策兑现（免申即享）"
    default_auto_field = "django.db.models.BigAutoField"
