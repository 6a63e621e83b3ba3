"""Reads of a decision: the decision page, who took part and the voices it was reached
without, and the records a request names by id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import (
    AdviceRequest,
    Comment,
    Decision,
    DecisionEvent,
    Hold,
    Position,
    Revision,
)
from roundtable.decisions.rules_engine import (
    Participant,
    Representation,
    Tally,
    Verdict,
    may_agree,
    representation,
)
from roundtable.decisions.selectors.budgets import BudgetSummary, budget_summary
from roundtable.directory.models import Person
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumMembership, Meeting


@dataclass
class DecisionPage:
    decision: Decision
    revisions: list[Revision]
    current_positions: list[Position]
    earlier_positions: list[Position]
    silent: list[ForumMembership]
    holds: list[Hold]
    comments: list[Comment]
    advice: list[AdviceRequest]
    events: list[DecisionEvent]
    budget: BudgetSummary | None
    # Everyone recorded as present at the decision's meeting, guests known only by name too.
    participants_present: list[Attendance] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    verdict: Verdict = field(default_factory=lambda: Verdict(False))
    representation: Representation | None = None

    @property
    def current_revision(self) -> Revision:
        return self.revisions[-1]

    def position_of(self, person_id: int) -> Position | None:
        return next((p for p in self.current_positions if p.person_id == person_id), None)

    @property
    def objections(self) -> list[Position]:
        return [p for p in self.current_positions if p.stance == "objection"]


def decision_get(user: Reader, decision_id: int) -> Decision:
    """A decision the user may read, or 404."""
    decision = (
        access.scoped(user, Decision)
        .select_related("forum__home_team", "proposer", "budget", "meeting")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise Http404("No decision found.")
    return decision


_POSITION_FIELDS = (
    "id",
    "decision_id",
    "revision",
    "stance",
    "reason",
    "meeting_id",
    "updated_at",
    "person__id",
    "person__full_name",
    "person__job_title",
    "person__discipline__id",
    "person__discipline__slug",
    "person__discipline__name",
    "person__organisation__id",
    "person__organisation__name",
    "person__organisation__kind",
)


def _with_people(positions: QuerySet[Position]) -> QuerySet[Position]:
    """Positions with only the fields of their people that who-took-part needs."""
    return positions.select_related("person__discipline", "person__organisation").only(
        *_POSITION_FIELDS
    )


def _present(attendance: QuerySet[Attendance]) -> QuerySet[Attendance]:
    """Everyone present: people in Roundtable and guests known only by name."""
    return attendance.filter(status=AttendanceStatus.PRESENT).select_related(
        "person__discipline", "person__organisation", "guest_organisation", "guest_discipline"
    )


def _representation_in(forum: Forum, participants: list[Participant]) -> Representation:
    """How the participants meet the representation rules of the forum."""
    return representation(
        participants,
        min_disciplines=forum.min_disciplines,
        required_organisation_kinds=forum.required_organisation_kinds,
        lived_experience_required=forum.lived_experience_required,
    )


def decision_detail(user: Reader, decision_id: int) -> DecisionPage:
    """Everything the decision page shows, in a fixed number of queries however long it is."""
    decision = decision_get(user, decision_id)
    visible = access.scoped(user, Person)
    revisions = list(
        Revision.objects.filter(decision=decision).select_related("author").order_by("number")
    )
    # A long decision has hundreds of positions and comments: load only the people's fields the
    # page shows, so that building the objects stays cheap.
    positions = list(
        _with_people(Position.objects.filter(decision=decision, person__in=visible)).order_by(
            "-revision", "person__full_name", "pk"
        )
    )
    current = [p for p in positions if p.revision == decision.current_revision]
    earlier = [p for p in positions if p.revision != decision.current_revision]
    # Only the members who have not answered are read: on a long decision that is few rows.
    answered = Position.objects.filter(
        decision=decision, revision=decision.current_revision
    ).values("person_id")
    silent = list(
        ForumMembership.objects.filter(
            forum_id=decision.forum_id, person__in=visible, person__is_active=True
        )
        .exclude(person_id__in=answered)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    holds = list(
        Hold.objects.filter(decision=decision)
        .select_related("leader__discipline", "leadership_team")
        .order_by("created_at", "pk")
    )
    comments = list(
        Comment.objects.filter(decision=decision)
        .select_related("author__organisation")
        .only(
            "id",
            "decision_id",
            "body",
            "revision",
            "created_at",
            "author__id",
            "author__full_name",
            "author__organisation__id",
            "author__organisation__name",
            "author__organisation__kind",
        )
        .order_by("created_at", "pk")
    )
    advice = list(
        AdviceRequest.objects.filter(decision=decision)
        .select_related("adviser")
        .order_by("requested_at", "pk")
    )
    events = list(
        DecisionEvent.objects.filter(decision=decision).select_related("actor").order_by("at", "pk")
    )
    budget = budget_summary(decision.budget) if decision.budget is not None else None
    present: list[Attendance] = []
    if decision.meeting_id is not None:
        present = list(_present(Attendance.objects.filter(meeting_id=decision.meeting_id)))
    page = DecisionPage(
        decision,
        revisions,
        current,
        earlier,
        silent,
        holds,
        comments,
        advice,
        events,
        budget,
        present,
    )
    page.tally = Tally.of(p.stance for p in current)
    page.verdict = may_agree(
        decision.method,
        page.tally,
        advice_given=sum(1 for a in advice if a.given_at is not None),
        vote_threshold_percent=decision.vote_threshold_percent,
        vote_quorum=decision.vote_quorum,
    )
    page.participants = took_part(current, present)
    page.representation = _representation_in(decision.forum, page.participants)
    return page


def current_tally(decision: Decision) -> Tally:
    """The positions on the decision's current revision, counted by stance."""
    return Tally.of(
        Position.objects.filter(decision=decision, revision=decision.current_revision).values_list(
            "stance", flat=True
        )
    )


def _has_rules(forum: Forum) -> bool:
    return bool(
        forum.min_disciplines
        or forum.required_organisation_kinds
        or forum.lived_experience_required
    )


def missing_voices(decisions: Iterable[Decision]) -> dict[int, tuple[str, ...]]:
    """The voices each decided decision was reached without, by the rules of its forum (as on
    the decision page), by id; decisions that met them are left out. For a page of the log:
    two queries, none when no decided decision on it is in a forum with rules."""
    ruled = [d for d in decisions if d.is_decided and _has_rules(d.forum)]
    if not ruled:
        return {}
    current = Q()
    for d in ruled:
        current |= Q(decision_id=d.pk, revision=d.current_revision)
    positions: dict[int, list[Position]] = {}
    for position in _with_people(Position.objects.filter(current)):
        positions.setdefault(position.decision_id, []).append(position)
    present: dict[int, list[Attendance]] = {}
    meetings = {d.meeting_id for d in ruled if d.meeting_id is not None}
    if meetings:
        for row in _present(Attendance.objects.filter(meeting_id__in=meetings)):
            present.setdefault(row.meeting_id, []).append(row)
    found = {}
    for d in ruled:
        participants = took_part(
            positions.get(d.pk, []), present.get(d.meeting_id, []) if d.meeting_id else []
        )
        missing = _representation_in(d.forum, participants).missing
        if missing:
            found[d.pk] = missing
    return found


def note_missing_voices(user: Reader, decisions: list[Decision]) -> None:
    """Set `missing_voices` on each decision of a page of the log (the API's)."""
    missing = missing_voices(decisions)
    for d in decisions:
        d.missing_voices = list(missing.get(d.pk, ()))  # type: ignore[attr-defined]


def took_part(positions: list[Position], present: list[Attendance]) -> list[Participant]:
    """Who took part, by name: those with a position on the current proposal, and, for a
    decision made in a meeting, everyone recorded as present there — guests known only by name
    included, with the organisation (or kind), discipline and role recorded for them."""
    people: dict[tuple[str, int], Participant] = {
        ("person", p.person_id): _participant(p.person) for p in positions
    }
    for row in present:
        if row.person is not None:
            people[("person", row.person.pk)] = _participant(row.person)
        else:
            people[("guest", row.pk)] = _guest_participant(row)
    return sorted(people.values(), key=lambda p: (p.name, p.is_named_guest))


def took_part_in(user: Reader, decisions: Sequence[Decision]) -> dict[int, list[Participant]]:
    """Who took part in each of several decisions, as `took_part` says for one: the people the
    user may see with a position on the current proposal, and everyone present at the decision's
    meeting. Two queries however many decisions (none for none)."""
    if not decisions:
        return {}
    current = Q()
    for decision in decisions:
        current |= Q(decision_id=decision.pk, revision=decision.current_revision)
    positions: dict[int, list[Position]] = {}
    for position in _with_people(
        Position.objects.filter(current, person__in=access.scoped(user, Person))
    ).order_by("pk"):
        positions.setdefault(position.decision_id, []).append(position)
    meetings = {d.meeting_id for d in decisions if d.meeting_id is not None}
    present: dict[int, list[Attendance]] = {}
    if meetings:
        for row in _present(Attendance.objects.filter(meeting_id__in=meetings)).order_by("pk"):
            present.setdefault(row.meeting_id, []).append(row)
    return {
        d.pk: took_part(positions.get(d.pk, []), present.get(d.meeting_id or 0, []))
        for d in decisions
    }


def _participant(person: Person) -> Participant:
    discipline = person.discipline
    organisation = person.organisation
    return Participant(
        discipline_slug=discipline.slug if discipline else None,
        discipline_name=discipline.name if discipline else None,
        organisation_kind=organisation.kind if organisation else None,
        name=person.full_name,
        role=person.job_title,
    )


def _guest_participant(row: Attendance) -> Participant:
    discipline = row.guest_discipline
    return Participant(
        discipline_slug=discipline.slug if discipline else None,
        discipline_name=discipline.name if discipline else None,
        organisation_kind=row.organisation_kind or None,
        name=row.guest_name,
        role=row.guest_role,
        is_named_guest=True,
    )


def meetings_for_proposal(forum_id: int, *, now: datetime | None = None) -> list[Meeting]:
    """Meetings of the forum that a decision can be taken in: today's and upcoming ones, not
    cancelled, soonest first."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Meeting.objects.filter(
            forum_id=forum_id, starts_at__gte=start_of_today, cancelled_at__isnull=True
        ).order_by("starts_at", "pk")[:30]
    )


# -- Records a request names by id (the API) ----------------------------------------------------


def advice_request_get(decision: Decision, advice_id: int) -> AdviceRequest:
    """One request for advice on `decision`, with its adviser, or 404."""
    request = (
        AdviceRequest.objects.select_related("adviser")
        .filter(decision=decision, pk=advice_id)
        .first()
    )
    if request is None:
        raise Http404("No advice request found.")
    return request


def decisions_by_id(user: Reader, decision_ids: list[int]) -> dict[int, Decision]:
    """The decisions among `decision_ids` that exist and the user may read, by id. One query
    (none for no ids)."""
    if not decision_ids:
        return {}
    return {d.pk: d for d in access.scoped(user, Decision).filter(pk__in=set(decision_ids))}
