from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roundtable.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from roundtable.core import auth  # noqa: F401  (connects the sign-in audit receivers)
        from roundtable.core.db import read_timestamps_compiled
        from roundtable.core.forms import see_only_visible_text, speak_plainly
        from roundtable.core.idempotency import purge as idempotency_purge
        from roundtable.core.ticks import jobs

        connection_created.connect(read_timestamps_compiled, dispatch_uid="core.timestamps")
        # Answers kept for Idempotency-Key retries are removed after a day.
        jobs.add("idempotency", idempotency_purge)
        speak_plainly()
        see_only_visible_text()
