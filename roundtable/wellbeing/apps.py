from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "roundtable.wellbeing"
    label = "wellbeing"
    verbose_name = "Wellbeing and connection"

    def ready(self) -> None:
        from roundtable.core import home, ticks
        from roundtable.wellbeing import access  # noqa: F401  (registers access policies)
        from roundtable.wellbeing.services import tick
        from roundtable.wellbeing.views import home_section

        ticks.jobs.add("wellbeing", tick)
        home.sections.add("wellbeing", home_section, order=45)
