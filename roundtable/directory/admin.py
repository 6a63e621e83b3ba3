"""Django admin for set-up. Saves and deletes are written to the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import capfirst

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import access
from roundtable.directory import services
from roundtable.directory.models import (
    ApiToken,
    Discipline,
    LeadershipMembership,
    LeadershipTeam,
    Locality,
    Membership,
    Organisation,
    Person,
    Team,
)


class AuditedAdmin(admin.ModelAdmin[Any]):
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """What a deletion would take with it, naming no record the reader may not see: deleting
        a team lists its episodes, and an episode names a person in care."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        found: dict[Any, set[Model]] = {m: set(o) for m, o in collector.model_objs.items()}
        for obj in collector.protected:
            found.setdefault(type(obj), set()).add(obj)
        hidden = _not_visible(request.user, found)
        if not hidden:
            return to_delete, model_count, perms_needed, protected

        def describe(obj: Model) -> str:
            label = capfirst(str(obj._meta.verbose_name))
            if (type(obj), obj.pk) in hidden:
                return f"{label} {obj.pk}: not shown, you may not see this record"
            return f"{label}: {obj}"

        return (
            collector.nested(describe),
            model_count,
            perms_needed,
            [describe(obj) for obj in collector.protected],
        )

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            summary=f"Set-up: {obj}",
            changes={name: "changed" for name in form.changed_data},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_record(
            actor=request.user, action=AuditAction.DELETE, obj=obj, summary=f"Set-up: {obj}"
        )
        super().delete_model(request, obj)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        """Audit each row an inline adds, changes or removes: a team membership is what lets
        someone see the people the team cares for, so granting one is never silent."""
        assert isinstance(formset, BaseInlineFormSet)
        removed = [(str(obj), obj) for obj in formset.deleted_objects if obj.pk is not None]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(
                actor=request.user, action=AuditAction.CREATE, obj=obj, summary=f"Set-up: {obj}"
            )
        for obj, fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=AuditAction.UPDATE,
                obj=obj,
                summary=f"Set-up: {obj}",
                changes={name: "changed" for name in fields},
            )
        for label, obj in removed:
            audit_record(
                actor=request.user, action=AuditAction.DELETE, obj=obj, summary=f"Set-up: {label}"
            )


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "ods_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "ods_code"]
    exclude = ["version"]


@admin.register(Locality)
class LocalityAdmin(AuditedAdmin):
    search_fields = ["name"]


class MembershipInline(admin.TabularInline[Membership, Team]):
    model = Membership
    autocomplete_fields = ["person"]
    extra = 0


def _not_visible(
    user: access.Reader, found: Mapping[Any, set[Model]]
) -> set[tuple[type[Model], Any]]:
    """Of these records by model, those of a person-identifiable model that `user` may not see."""
    protected = access.person_identifiable_models()
    hidden: set[tuple[type[Model], Any]] = set()
    for model, objs in found.items():
        if model not in protected:
            continue
        keys = {obj.pk for obj in objs}
        seen = set(access.scoped(user, model).filter(pk__in=keys).values_list("pk", flat=True))
        hidden.update((model, pk) for pk in keys - seen)
    return hidden


class TeamForm(ModelForm[Team]):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        team = Team(pk=self.instance.pk, kind=cleaned.get("kind", ""))
        try:
            team.clean_serves(cleaned.get("serves") or [])
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    form = TeamForm
    list_display = ["name", "kind", "organisation", "locality"]
    list_filter = ["kind", "locality", "organisation__kind"]
    search_fields = ["name"]
    list_select_related = ["organisation", "locality"]
    inlines = [MembershipInline]
    exclude = ["version"]
    filter_horizontal = ["serves"]

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        """Which teams a front door serves decides who sees new referrals: set through the
        service, which audits it, rather than by the form."""
        served = form.cleaned_data.pop("serves", None)
        super().save_related(request, form, formsets, change)
        if served is not None:
            services.front_door_set(
                actor=request.user,  # type: ignore[arg-type]
                front_door=form.instance,
                teams=served,
            )


@admin.register(Discipline)
class DisciplineAdmin(AuditedAdmin):
    list_display = ["name", "slug", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}


class LeadershipMembershipInline(admin.TabularInline[LeadershipMembership, LeadershipTeam]):
    model = LeadershipMembership
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(LeadershipTeam)
class LeadershipTeamAdmin(AuditedAdmin):
    list_display = ["name", "level", "organisation", "team"]
    list_filter = ["level"]
    search_fields = ["name"]
    inlines = [LeadershipMembershipInline]
    exclude = ["version"]


@admin.register(Person)
# Person is not an AbstractUser, which the stubs expect of UserAdmin
class PersonAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    ordering = ["full_name"]
    list_display = ["full_name", "email", "discipline", "organisation", "is_active"]
    list_filter = ["is_active", "is_staff", "discipline", "organisation__kind"]
    search_fields = ["full_name", "email"]
    list_select_related = ["discipline", "organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "job_title", "discipline", "organisation")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ["groups"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["person", "name", "prefix", "token_hash", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
