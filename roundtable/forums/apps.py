from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "roundtable.forums"
    label = "forums"
    verbose_name = "Forums, meetings and presence"

    def ready(self) -> None:
        from roundtable.core import home, ticks
        from roundtable.forums import access  # noqa: F401  (registers access policies)
        from roundtable.forums.services import meeting_series_extend_all
        from roundtable.forums.views import home_section

        ticks.jobs.add(
            "meetings",
            lambda today: f"{meeting_series_extend_all(today=today)} recurring meetings added",
        )

        home.sections.add("forums", home_section, order=20)
