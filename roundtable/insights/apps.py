from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "roundtable.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from roundtable.core import ticks
        from roundtable.insights.services import tick

        ticks.jobs.add("insights", tick)
