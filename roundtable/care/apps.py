from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "roundtable.care"
    label = "care"
    verbose_name = "Care flow"

    def ready(self) -> None:
        from roundtable.care import access, extensions  # access registers its policies
        from roundtable.care.selectors.people import records_about
        from roundtable.care.services import front_door_offer_agreed
        from roundtable.decisions import hooks

        hooks.outcome_callbacks.add("care.front_door_offer", front_door_offer_agreed)
        extensions.person_records.add("care", records_about)
        hooks.audience_narrowings.add("care.may_see_person", access.decision_audience)
