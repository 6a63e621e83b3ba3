from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "roundtable.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from roundtable.core import home, ticks
        from roundtable.directory import extensions
        from roundtable.insights.services import tick
        from roundtable.insights.views import home_section, team_panel

        ticks.jobs.add("insights", tick)
        home.sections.add("insights", home_section, order=38)
        extensions.team_panels.add("insights.link", team_panel)
