"""Every write to wellbeing: pulse rounds and answers, support sessions, support offered and
peer circles. Validated with plain-English errors, transactional, audited — except that a pulse
answer is audited with no actor (docs/adr/0012-anonymity-in-voice-and-pulse.md)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.concurrency import save_versioned, update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import create_or_refuse
from roundtable.core.text import visible
from roundtable.directory.models import (
    Discipline,
    Person,
    Team,
)
from roundtable.directory.queries import is_member, leads_team
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, ForumMembership
from roundtable.wellbeing.models import (
    DEFAULT_STATEMENTS,
    PeerCircle,
    PeerCircleMembership,
    PulseAnswer,
    PulseComment,
    PulseResponseMarker,
    PulseRound,
    PulseStatement,
    SupportAttendance,
    SupportKind,
    SupportOffered,
    SupportSession,
)
from roundtable.wellbeing.queries import month_end, month_of

COMMENT_MAX = 1000
# Shuffles the order pulse answers are written in; not a security boundary (see the ADR).
_shuffle = random.SystemRandom().shuffle


# -- Pulse --------------------------------------------------------------------------------------


@transaction.atomic
def pulse_round_open(*, team: Team, day: date | None = None) -> PulseRound:
    """The team's round for the month of `day`, opened if it is not yet (safe to repeat).

    A new round asks the statements of the team's previous round, or the defaults.
    """
    return _pulse_round_open(team=team, day=day)[0]


@transaction.atomic
def _pulse_round_open(*, team: Team, day: date | None = None) -> tuple[PulseRound, bool]:
    """`pulse_round_open`, and whether this call opened the round (not found it open, nor lost
    the race to open it), so that `roundtable tick` counts only what it did."""
    month = month_of(day or timezone.localdate())
    existing = PulseRound.objects.filter(team=team, month=month).first()
    if existing is not None:
        return existing, False
    previous = PulseRound.objects.filter(team=team, month__lt=month).order_by("-month").first()
    texts = (
        list(previous.statements.order_by("position").values_list("text", flat=True))
        if previous is not None
        else list(DEFAULT_STATEMENTS)
    )
    try:
        pulse_round = records.create(
            PulseRound(team=team, month=month, closes_on=month_end(month)),
            actor=None,
            summary=f"Pulse check-in opened: {team.name}, {month:%B %Y}",
        )
    except IntegrityError:
        # Opened meanwhile by another request or a tick (nothing of this call is kept).
        return PulseRound.objects.get(team=team, month=month), False
    PulseStatement.objects.bulk_create(
        PulseStatement(round=pulse_round, position=index, text=text)
        for index, text in enumerate(texts, start=1)
    )
    return pulse_round, True


def pulse_rounds_open_for(*, person: Person, day: date | None = None) -> None:
    """This month's check-in opened, where it is not yet, for each of the person's teams: done
    when they open their wellbeing page or ask the API (`roundtable tick` opens them too)."""
    for team in Team.objects.filter(memberships__person_id=person.pk).order_by("name", "pk"):
        _pulse_round_open(team=team, day=day)


def pulse_rounds_open_all(*, today: date) -> int:
    """For `roundtable tick`: open this month's round for every team that has members."""
    month = month_of(today)
    opened = 0
    teams = Team.objects.filter(memberships__isnull=False).exclude(pulse_rounds__month=month)
    for team in teams.distinct().order_by("pk"):
        opened += _pulse_round_open(team=team, day=today)[1]
    return opened


@transaction.atomic
def pulse_answer(
    *,
    actor: Person,
    pulse_round: PulseRound,
    values: Mapping[int, int | None],
    comment: str = "",
    today: date | None = None,
) -> None:
    """Answer a round: a value from 1 to 5 for every statement, and an optional comment.

    Stores the answers with no person and no time, in a shuffled order with random keys, and a
    marker that `actor` answered. Returns nothing that could tie the two together. The audit row
    has no actor. A second answer in the same round is refused and nothing is stored.
    """
    today = today or timezone.localdate()
    if not is_member(actor, pulse_round.team):
        raise NotAllowed(f"Only members of {pulse_round.team.name} answer its check-in.")
    if not pulse_round.month <= today <= pulse_round.closes_on:
        raise ValidationError(
            f"This check-in was open from {pulse_round.month:%-d %B} to "
            f"{pulse_round.closes_on:%-d %B %Y}; answer this month's instead."
        )
    statements = list(pulse_round.statements.order_by("position"))
    errors: dict[str, str] = {}
    unknown = set(values) - {s.pk for s in statements}
    if unknown:
        raise ValidationError("Answer the statements of this check-in only.")
    for statement in statements:
        value = values.get(statement.pk)
        if value is None:
            errors[f"statement_{statement.pk}"] = f"Choose an answer for “{statement.text}”"
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[f"statement_{statement.pk}"] = (
                f"Choose an answer from 1 to 5 for “{statement.text}”"
            )
    comment = visible(comment)
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment to {COMMENT_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    answers = [
        PulseAnswer(round=pulse_round, statement=statement, value=int(values[statement.pk] or 0))
        for statement in statements
    ]
    notes = [PulseComment(round=pulse_round, text=comment)] if comment else []
    for record in [*answers, *notes]:
        records.validate(record)

    def check() -> None:
        if PulseResponseMarker.objects.filter(round=pulse_round, person=actor).exists():
            raise ValidationError(
                f"You have already answered {pulse_round.team.name}'s check-in for "
                f"{pulse_round.month:%B %Y}. Everyone answers once a month."
            )

    # The marker, the answers and the comment are not audited: the round's audit event below
    # names no person and no answer (ADR 0012).
    create_or_refuse(
        check, lambda: PulseResponseMarker.objects.create(round=pulse_round, person=actor)
    )
    _shuffle(answers)
    PulseAnswer.objects.bulk_create(answers)
    for note in notes:
        note.save(force_insert=True)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=pulse_round,
        summary="A pulse check-in was answered (anonymous)",
    )


# -- Support sessions ---------------------------------------------------------------------------


def may_record_for(actor: Person, team: Team | None, circle: PeerCircle | None) -> bool:
    """Whether `actor` records, changes and cancels the sessions of this team (its members and
    leaders) or peer circle (its members)."""
    if team is not None:
        return is_member(actor, team) or leads_team(actor, team)
    if circle is not None:
        return PeerCircleMembership.objects.filter(circle=circle, person=actor).exists()
    return False


def _has_attendance(session: SupportSession) -> bool:
    return SupportAttendance.objects.filter(session=session).exists()


@transaction.atomic
def support_session_record(
    *,
    actor: Person,
    kind: str,
    starts_at: datetime,
    duration_minutes: int = 60,
    team: Team | None = None,
    peer_circle: PeerCircle | None = None,
    facilitator: Person | None = None,
    attendees: Iterable[Person] = (),
) -> SupportSession:
    """Record a support session (planned or held) for a team or a peer circle, and who came."""
    session = SupportSession(
        kind=kind,
        team=team,
        peer_circle=peer_circle,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        facilitator=facilitator,
        recorded_by=actor,
    )
    errors: dict[str, str] = {}
    if (team is None) == (peer_circle is None):
        errors["group"] = "Choose a team or a peer circle"
    records.validate(session, also=errors)

    def check() -> None:
        if kind == SupportKind.PEER_CIRCLE and peer_circle is None:
            raise ValidationError({"kind": "A peer circle session is for a peer circle"})
        if not may_record_for(actor, team, peer_circle):
            raise NotAllowed("Only members of the team or peer circle record its sessions.")

    records.create(
        session,
        actor=actor,
        summary=f"{session.get_kind_display()} for {session.group_name}",
        check=check,
    )
    people = list(attendees)
    if people:
        support_attendance_set(actor=actor, session=session, people=people)
    return session


@transaction.atomic
def support_session_change(
    *,
    actor: Person,
    session: SupportSession,
    expected_version: int,
    kind: str,
    starts_at: datetime,
    duration_minutes: int,
    facilitator: Person | None,
) -> SupportSession:
    """Put right a session's kind, time, length or facilitator. Who it is for stays: a session
    for another team or circle is another session."""
    if not may_record_for(actor, session.team, session.peer_circle):
        raise NotAllowed("Only members of the team or peer circle change its sessions.")
    if session.is_cancelled:
        raise ValidationError("This session is cancelled: record a new one instead.")
    # The kind, time and length as changed, by the session's own rules, before it is changed.
    records.validate(
        SupportSession(kind=kind, starts_at=starts_at, duration_minutes=duration_minutes)
    )
    if kind == SupportKind.PEER_CIRCLE and session.peer_circle_id is None:
        raise ValidationError({"kind": "A peer circle session is for a peer circle"})
    if starts_at > timezone.now() and _has_attendance(session):
        raise ValidationError(
            {
                "starts_at": "Who came is recorded, so the session has happened: it cannot move "
                "to a time still to come"
            }
        )
    return update_versioned(
        session,
        actor=actor,
        expected_version=expected_version,
        fields=["kind", "starts_at", "duration_minutes", "facilitator"],
        values={
            "kind": kind,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "facilitator": facilitator,
        },
        summary=lambda changed: f"{changed.get_kind_display()} for {changed.group_name} changed",
    )


@transaction.atomic
def support_session_cancel(
    *, actor: Person, session: SupportSession, expected_version: int, reason: str
) -> SupportSession:
    """Call a session off, or take back one recorded by mistake, saying why. It stays listed,
    marked cancelled; nothing is deleted."""
    if not may_record_for(actor, session.team, session.peer_circle):
        raise NotAllowed("Only members of the team or peer circle cancel its sessions.")
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled.")
    if _has_attendance(session):
        raise ValidationError(
            "Who came is recorded, so the session took place: change who came instead."
        )
    reason = visible(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the session is cancelled"})
    session.cancelled_at = timezone.now()
    session.cancel_reason = reason
    records.validate(session)
    save_versioned(
        session, expected_version=expected_version, fields=["cancelled_at", "cancel_reason"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=session,
        summary=f"{session.get_kind_display()} for {session.group_name} cancelled: {reason}",
    )
    return session


@transaction.atomic
def support_attendance_set(
    *, actor: Person, session: SupportSession, people: Iterable[Person]
) -> list[SupportAttendance]:
    """Who came to a session (replaces what was recorded). Only once it has started."""
    if not may_record_for(actor, session.team, session.peer_circle):
        raise NotAllowed("Only members of the team or peer circle record who came.")
    if session.is_cancelled:
        raise ValidationError("This session is cancelled: nobody came.")
    if session.starts_at > timezone.now():
        raise ValidationError("Record who came once the session has started.")
    # The page offers the team's or the circle's active members; the API is held to the same rule.
    people = list(people)
    if session.team_id is not None:
        in_group = Person.objects.filter(memberships__team_id=session.team_id)
    else:
        in_group = Person.objects.filter(peer_circle_memberships__circle_id=session.peer_circle_id)
    allowed = set(in_group.filter(is_active=True).values_list("pk", flat=True))
    outsiders = sorted({p.full_name for p in people if p.pk not in allowed})
    if outsiders:
        raise ValidationError(
            {
                "people": f"Choose who came from {session.group_name}: {', '.join(outsiders)} "
                f"{'is' if len(outsiders) == 1 else 'are'} not in it"
            }
        )
    # The same list sent twice at the same moment is applied once and then found applied.
    list(SupportSession.objects.select_for_update().filter(pk=session.pk).values_list("pk"))
    wanted = {p.pk: p for p in people}
    SupportAttendance.objects.filter(session=session).exclude(person_id__in=wanted).delete()
    have = set(
        SupportAttendance.objects.filter(session=session).values_list("person_id", flat=True)
    )
    SupportAttendance.objects.bulk_create(
        SupportAttendance(session=session, person_id=pid) for pid in wanted if pid not in have
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=session,
        summary=f"Attendance at {session}: {len(wanted)} people",
        changes={"attendees": sorted(wanted)},
    )
    return list(SupportAttendance.objects.filter(session=session))


@transaction.atomic
def support_offered_record(
    *, actor: Person, person: Person, team: Team, what: str, on: date | None = None
) -> SupportOffered:
    """A leader records support offered to someone in a team they lead."""

    def check() -> None:
        if not leads_team(actor, team):
            raise NotAllowed(f"Only the leadership of {team.name} records support offered there.")
        if not is_member(person, team):
            raise ValidationError({"person": f"Choose someone in {team.name}"})

    return records.create(
        SupportOffered(
            person=person,
            team=team,
            offered_by=actor,
            what=visible(what),
            on=on or timezone.localdate(),
        ),
        actor=actor,
        summary=f"Support offered to {person.full_name}",
        check=check,
    )


# -- Peer circles -------------------------------------------------------------------------------


@transaction.atomic
def peer_circle_create(
    *,
    actor: Person,
    name: str,
    discipline: Discipline,
    purpose: str = "",
    members: Iterable[Person] = (),
) -> PeerCircle:
    """A peer circle with its own forum, made through the forums services. Whoever sets it up
    convenes the forum, and joins the circle if they share its discipline."""
    name = visible(name)
    circle = PeerCircle(name=name, discipline=discipline, purpose=visible(purpose))
    # A name, before the circle's forum is made with it.
    records.validate(circle)

    def check() -> None:
        if PeerCircle.objects.filter(name=name).exists():
            raise ValidationError({"name": f"There is already a peer circle called {name}"})

    check()
    try:
        # The forums app has no "peer circle" kind; the circle's forum is a meeting of
        # practitioners, named as the circle is.
        forum = forum_services.forum_create(
            actor=actor,
            name=name,
            kind=ForumKind.PEER_CIRCLE,
            purpose=visible(purpose) or f"A peer circle: {discipline.name}.",
        )
    except ValidationError:
        # The same circle set up at the same moment made its forum first: say so in the
        # circle's words. Otherwise another forum has the name, and the forum's refusal says so.
        check()
        raise
    circle.forum = forum
    records.create(circle, actor=actor, summary=f"Peer circle {name}", check=check)
    people = [actor] if actor.discipline_id == discipline.pk else []
    for person in [*people, *members]:
        if not PeerCircleMembership.objects.filter(circle=circle, person=person).exists():
            _join(actor=actor, circle=circle, person=person)
    return circle


def _join(*, actor: Person, circle: PeerCircle, person: Person) -> PeerCircleMembership:
    if person.discipline_id != circle.discipline_id:
        raise ValidationError(
            f"{circle.name} is for people whose discipline is "
            f"{circle.discipline.name.lower()}; {person.full_name}'s is not."
        )

    def check() -> None:
        if PeerCircleMembership.objects.filter(circle=circle, person=person).exists():
            raise ValidationError(f"{person.full_name} is already in {circle.name}.")

    membership = records.create(
        PeerCircleMembership(circle=circle, person=person),
        actor=actor,
        summary=f"{person.full_name} joined peer circle {circle.name}",
        check=check,
    )
    if not ForumMembership.objects.filter(forum=circle.forum, person=person).exists():
        forum_services.forum_member_add(actor=actor, forum=circle.forum, person=person)
    return membership


@transaction.atomic
def peer_circle_join(*, actor: Person, circle: PeerCircle) -> PeerCircleMembership:
    """Join a peer circle of your own discipline, and with it the circle's forum."""
    return _join(actor=actor, circle=circle, person=actor)


@transaction.atomic
def peer_circle_leave(*, actor: Person, circle: PeerCircle) -> None:
    membership = PeerCircleMembership.objects.filter(circle=circle, person=actor).first()
    if membership is None:
        raise ValidationError(f"You are not in {circle.name}.")
    records.delete(
        membership, actor=actor, summary=f"{actor.full_name} left peer circle {circle.name}"
    )


def tick(today: date) -> str:
    return f"{pulse_rounds_open_all(today=today)} pulse check-ins opened"
