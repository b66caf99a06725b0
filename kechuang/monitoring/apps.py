from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "kechuang.monitoring"
    label = "monitoring"
    verbose_name = "规划监测"
