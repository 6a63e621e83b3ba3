"""Administrators give people their governance roles; saves and deletes are audited."""

from django.contrib import admin

from roundtable.directory.admin import AuditedAdmin
from roundtable.governance.models import GovernanceRole


@admin.register(GovernanceRole)
class GovernanceRoleAdmin(AuditedAdmin):
    list_display = ["person", "role", "organisation"]
    list_filter = ["role"]
    autocomplete_fields = ["person", "organisation"]
    search_fields = ["person__full_name", "organisation__name"]
