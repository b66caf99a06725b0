from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kechuang.projects"
    verbose_name = "科技项目管理（任务书、经费、验收、成果公开）"
    default_auto_field = "django.db.models.BigAutoField"
