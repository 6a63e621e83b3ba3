from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "roundtable.safety"
    label = "safety"
    verbose_name = "Safety plans and positive risk-taking"

    def ready(self) -> None:
        from roundtable.safety import access  # noqa: F401  (registers access policies)
