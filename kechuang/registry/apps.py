from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kechuang.registry"
    label = "registry"
    verbose_name = "创新主体登记"

    def ready(self) -> None:
        from kechuang.registry import pickers  # the pickers of its reference fields

        pickers.register_all()
