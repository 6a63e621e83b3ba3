from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "roundtable.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from roundtable.audit.chain import tick
        from roundtable.core import ticks

        ticks.jobs.add("audit", tick)
