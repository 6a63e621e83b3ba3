from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "roundtable.voice"
    label = "voice"
    verbose_name = "Voice: concerns and You said, we did"

    def ready(self) -> None:
        from roundtable.core import home, ticks
        from roundtable.voice import access, rules  # noqa: F401  (registers policies and rules)
        from roundtable.voice.services import tick
        from roundtable.voice.views import home_section

        ticks.jobs.add("voice", tick)
        home.sections.add("voice", home_section, order=40)
