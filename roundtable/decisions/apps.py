from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "roundtable.decisions"
    label = "decisions"
    verbose_name = "Shared decisions"

    def ready(self) -> None:
        from roundtable.core import ticks
        from roundtable.decisions.services import closing_soon_notify

        ticks.register(
            "decisions",
            lambda today: f"{closing_soon_notify()} closing-soon notices",
        )
