from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "kechuang.programs"
    verbose_name = "科技计划项目（揭榜挂帅、赛马制）"
    default_auto_field = "django.db.models.BigAutoField"
