"""Set-up for forums, sites and meetings. Saves and deletes are audited."""

from __future__ import annotations

from django.contrib import admin

from roundtable.directory.admin import AuditedAdmin
from roundtable.forums.models import Forum, ForumMembership, Meeting, MeetingSeries, Site


class ForumMembershipInline(admin.TabularInline[ForumMembership, Forum]):
    model = ForumMembership
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(Forum)
class ForumAdmin(AuditedAdmin):
    list_display = ["name", "kind", "home_team", "is_archived"]
    list_filter = ["kind", "is_archived"]
    search_fields = ["name"]
    inlines = [ForumMembershipInline]
    exclude = ["version"]


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "locality", "organisation"]
    search_fields = ["name"]
    filter_horizontal = ["teams"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(AuditedAdmin):
    list_display = ["forum", "start_time", "starts_on", "ends_on", "generated_until"]
    readonly_fields = ["generated_until"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["forum", "starts_at", "site", "facilitator", "cancelled_at"]
    list_filter = ["forum__kind"]
    date_hierarchy = "starts_at"
    search_fields = ["forum__name"]
    list_select_related = ["forum", "site", "facilitator"]
    exclude = ["version"]
