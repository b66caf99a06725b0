from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kechuang.accounts"
    label = "accounts"
    verbose_name = "账户与审计"

    def ready(self) -> None:
        from kechuang.accounts import signals  # noqa: F401  (connect receivers)
