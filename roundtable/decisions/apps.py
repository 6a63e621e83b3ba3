from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "roundtable.decisions"
    label = "decisions"
    verbose_name = "Shared decisions"

    def ready(self) -> None:
        from roundtable.core import home, ticks
        from roundtable.decisions import access  # noqa: F401  (registers access policies)
        from roundtable.decisions.services import closing_soon_notify
        from roundtable.decisions.views import home_section

        ticks.jobs.add(
            "decisions",
            lambda today: f"{closing_soon_notify()} closing-soon notices",
        )

        home.sections.add("decisions", home_section, order=30)
