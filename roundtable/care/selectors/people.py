"""A person in care: their record and episodes, the people list, and consents to share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from roundtable.audit.services import audit_shown
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    PathwayEvent,
    PersonInCare,
    ZoneChange,
)
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.directory.models import Organisation, Person


@dataclass
class PersonRecord:
    person: PersonInCare
    episodes: list[Episode]
    events: list[PathwayEvent]
    zone_changes: list[ZoneChange] = field(default_factory=list)
    notes: list[HuddleNote] = field(default_factory=list)
    actions: list[CareAction] = field(default_factory=list)
    decisions: Sequence[CareDecision] = field(default_factory=list)


def person_record(user: Reader, person_id: int) -> PersonRecord:
    """A person in care with all their episodes and history. 404 unless the user may see them;
    the read is audited."""
    person = access.get_visible(
        user, PersonInCare, PersonInCare.objects.select_related("gp_practice"), pk=person_id
    )
    episodes = list(
        access.scoped(user, Episode)
        .filter(person=person)
        .select_related("team", "key_worker", "previous")
        .order_by("-referred_at", "-pk")
    )
    events = list(
        access.scoped(user, PathwayEvent)
        .filter(episode__person=person)
        .select_related("actor", "episode__team", "decision")
        .order_by("at", "pk")
    )
    zone_changes = list(
        access.scoped(user, ZoneChange)
        .filter(episode__person=person)
        .select_related("actor", "from_zone", "to_zone", "meeting__forum")
        .prefetch_related(Prefetch("present", queryset=Person.objects.order_by("full_name")))
        .order_by("-at", "-pk")
    )
    notes = list(
        access.scoped(user, HuddleNote)
        .filter(episode__person=person)
        .select_related("author", "meeting__forum")
        .order_by("-at", "-pk")
    )
    actions = list(
        access.scoped(user, CareAction)
        .filter(episode__person=person)
        .select_related("owner")
        .order_by("done_at", "due_on", "pk")
    )
    decisions = list(
        CareDecision.objects.filter(
            episode__person=person,
            decision__in=access.scoped(user, Decision),
        )
        .select_related("decision__forum", "offer__organisation")
        .annotate(hold_count=Count("decision__holds", distinct=True))
        .order_by("-decision__created_at")
    )
    return PersonRecord(person, episodes, events, zone_changes, notes, actions, decisions)


def episode_get(user: Reader, episode_id: int, *, audit: bool = True) -> Episode:
    """An episode the user may see, with its person and team, or 404."""
    return access.get_visible(
        user,
        Episode,
        Episode.objects.select_related("person", "team", "key_worker", "zone", "offer"),
        pk=episode_id,
        audit=audit,
    )


def people_shown(user: Reader, people: Iterable[PersonInCare]) -> None:
    """Audit a page of the people list (the API pages it; see `core.api.paginated`)."""
    audit_people_shown(user, (p.pk for p in people), "People in care")


def people_in_care(user: Reader, *, q: str = "") -> QuerySet[PersonInCare]:
    """The people in care the user may see, by name; `q` is part of the name or local id."""
    people = access.scoped(user, PersonInCare).select_related("gp_practice")
    words = q.strip()
    if words:
        people = people.filter(Q(name__icontains=words) | Q(local_id__icontains=words))
    return people.order_by("name", "pk")


def audit_people_shown(user: Reader, person_ids: Iterable[int], summary: str) -> None:
    """One audit event for a list or board read, naming each person shown by reference: reading
    many people is recorded as surely as reading one (`access.get_visible`)."""
    audit_shown(actor=user, model=PersonInCare, ids=person_ids, summary=summary)


def person_get(user: Reader, person_id: int) -> PersonInCare:
    """A person the user may see, to act on, or 404. Not audited: the write that follows is."""
    return access.get_visible(
        user, PersonInCare, PersonInCare.objects.all(), pk=person_id, audit=False
    )


@dataclass
class PersonDetail:
    """The person record with their consents to share, each episode's zone and offer loaded."""

    record: PersonRecord
    consents: list[ConsentToShare]  # newest first, withdrawn ones too


def person_detail(user: Reader, person_id: int) -> PersonDetail:
    """`person_record` (404 unless visible; audited) and the person's consents to share."""
    record = person_record(user, person_id)
    prefetch_related_objects(record.episodes, "zone", "offer")
    consents = list(
        ConsentToShare.objects.filter(person=record.person)
        .select_related("organisation", "recorded_by")
        .order_by("-created_at", "-pk")
    )
    return PersonDetail(record, consents)


def consent_get(user: Reader, consent_id: int) -> ConsentToShare:
    """A consent to share about someone the user may see, or 404."""
    consent = (
        ConsentToShare.objects.filter(
            pk=consent_id, person__in=access.scoped(user, PersonInCare).values("pk")
        )
        .select_related("organisation", "recorded_by", "person")
        .first()
    )
    if consent is None:
        raise Http404("No consent found.")
    return consent


def organisations() -> list[Organisation]:
    """Every organisation in the system, by name: partners to share with, or provide offers."""
    return list(Organisation.objects.order_by("name", "pk"))


def agreed_move_on_decisions(user: Reader, episode: Episode) -> list[Decision]:
    """The agreed move-on decisions about an episode that the user may read, newest first: what
    moving the person on needs."""
    return list(
        access.scoped(user, Decision)
        .filter(
            care__episode=episode,
            kind=DecisionKind.MOVE_ON,
            status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED],
        )
        .order_by("-created_at", "-pk")
    )


def records_about(person: PersonInCare) -> list[tuple[type[Model], list[int]]]:
    """The person's own record and their episodes: for the report of who has read about them."""
    episodes = list(Episode.objects.filter(person=person).values_list("pk", flat=True))
    return [(PersonInCare, [person.pk]), (Episode, episodes)]
