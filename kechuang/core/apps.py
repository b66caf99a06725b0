from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kechuang.core"
    label = "core"
    verbose_name = "平台"

    def ready(self) -> None:
        from kechuang.core import (
            audit,  # noqa: F401  (connect the audit trail's receivers)
            audit_guard,  # noqa: F401  (the SQLite trigger's function)
            middleware,  # noqa: F401  (the login starts the session's idle timer)
        )
        from kechuang.core.protection import install_link_guards

        install_link_guards()  # every app's models are loaded by now
