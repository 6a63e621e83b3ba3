from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "roundtable.governance"
    label = "governance"
    verbose_name = "Information governance"
