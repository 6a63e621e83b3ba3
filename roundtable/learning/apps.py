from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "roundtable.learning"
    label = "learning"
    verbose_name = "Learning, not blame"

    def ready(self) -> None:
        from roundtable.core import home
        from roundtable.directory import extensions
        from roundtable.learning import (
            access,  # noqa: F401  (registers access policies)
            presenters,
        )
        from roundtable.learning.views.home import home_section

        home.sections.add("learning", home_section, order=36)
        # Overdue safety actions on the team's page and on its leadership teams' pages.
        extensions.team_panels.add("learning.overdue", presenters.team_overdue)
        extensions.leadership_panels.add("learning.overdue", presenters.leadership_overdue)
