from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "roundtable.safety"
    label = "safety"
    verbose_name = "Safety plans and positive risk-taking"

    def ready(self) -> None:
        from roundtable.care import extensions
        from roundtable.core import home
        from roundtable.safety import (
            access,  # noqa: F401  (registers access policies)
            presenters,
            selectors,
        )
        from roundtable.safety.views import home_section

        home.sections.add("safety", home_section, order=35)

        # What safety adds to the care pages: care never imports safety (care ← safety).
        extensions.register_person_panel("safety.plan", presenters.person_panel, order=20)
        extensions.register_board_badges(
            "safety.review",
            presenters.review_badges,
            read=presenters.review_read,
            order=20,
            needs_discussion=True,
        )
        extensions.register_board_badges(
            "safety.positive_risk",
            presenters.positive_risk_badges,
            read=presenters.positive_risk_read,
            order=30,
        )
        extensions.register_caseload_extra("safety.not_alone", presenters.not_alone, order=20)
        extensions.person_records.add("safety", selectors.records_about)
