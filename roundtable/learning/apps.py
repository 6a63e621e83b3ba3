from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "roundtable.learning"
    label = "learning"
    verbose_name = "Learning, not blame"

    def ready(self) -> None:
        from roundtable.learning import access  # noqa: F401  (registers access policies)
