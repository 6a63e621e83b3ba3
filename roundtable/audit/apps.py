from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "roundtable.audit"
    label = "audit"
    verbose_name = "Audit trail"
