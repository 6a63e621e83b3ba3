from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roundtable.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from roundtable.core import auth  # noqa: F401  (connects the sign-in audit receivers)
