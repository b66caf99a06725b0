from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "kechuang.contracts"
    verbose_name = "技术合同登记"
    default_auto_field = "django.db.models.BigAutoField"
