from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "kechuang.market"
    verbose_name = "科技大市场"
    default_auto_field = "django.db.models.BigAutoField"
