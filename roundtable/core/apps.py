from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roundtable.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from roundtable.core import auth  # noqa: F401  (connects the sign-in audit receivers)
        from roundtable.core.db import read_timestamps_compiled
        from roundtable.core.forms import speak_plainly

        connection_created.connect(read_timestamps_compiled, dispatch_uid="core.timestamps")
        speak_plainly()
