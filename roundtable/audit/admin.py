"""The audit trail in the admin: who did what to which record, and when.

An administrator is not thereby someone who may see people in care. A summary or a change names
whatever it was written about — a decision titled with a person's name, a care action — so for a
record the reader may not see, the admin shows who, what, when and the record's reference only,
and the reader's access is asked each time the trail is read, not when it was written. Search
looks at references and actors, never at summaries, so a search cannot find a name either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

from roundtable.audit.models import AuditEvent
from roundtable.core import access

HIDDEN = "Not shown: you may not see this record"


def mark_readable(user: access.Reader, events: Iterable[AuditEvent]) -> None:
    """Set `readable` on each event: whether `user` may see the record it is about.

    One query for each kind of person-identifiable record among the events, through the access
    chokepoint (not audited: reading the trail is not reading the record).
    """
    protected = access.person_identifiable_models()
    kinds: dict[str, Any] = {}
    ids_by_model: dict[Any, set[str]] = defaultdict(set)
    checked: list[AuditEvent] = []
    for event in events:
        event.readable = True  # type: ignore[attr-defined]
        if event.object_type not in kinds:
            kinds[event.object_type] = _model(event.object_type)
        model = kinds[event.object_type]
        if model is not None and model in protected:
            ids_by_model[model].add(event.object_id)
            checked.append(event)
    visible: set[tuple[str, str]] = set()
    for model, ids in ids_by_model.items():
        keys = [int(i) for i in ids if i.isdigit()]
        found = access.scoped(user, model).filter(pk__in=keys).values_list("pk", flat=True)
        visible.update((model._meta.label_lower, str(pk)) for pk in found)
    for event in checked:
        event.readable = (event.object_type, event.object_id) in visible  # type: ignore[attr-defined]


def _model(label: str) -> Any:
    if "." not in label:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


class ReadableChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        mark_readable(request.user, self.result_list)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor", "action", "object_type", "object_id", "shown_summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    fields = ("at", "actor", "action", "object_type", "object_id", "shown_summary", "shown_changes")
    readonly_fields = fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReadableChangeList

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            mark_readable(request.user, [event])
        return event

    @admin.display(description="summary")
    def shown_summary(self, event: AuditEvent) -> str:
        return event.summary if getattr(event, "readable", False) else HIDDEN

    @admin.display(description="changes")
    def shown_changes(self, event: AuditEvent) -> Any:
        return event.changes if getattr(event, "readable", False) else HIDDEN

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
