from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "roundtable.care"
    label = "care"
    verbose_name = "Care flow"

    def ready(self) -> None:
        from roundtable.care import access  # noqa: F401  (registers access policies)
