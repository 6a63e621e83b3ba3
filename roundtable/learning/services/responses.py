"""Every write to learning: events, learning responses and what they record, safety actions.

Record rules are the models' (`core.records.validate`); the rules of who may act, which events a
response covers and what a finished response must say are here, in plain words. Who may act is
the event's or response's team: its members and those who lead it. Nothing written here names
anyone as at fault (see `models`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.access import visible_people
from roundtable.care.models import Episode, PersonInCare
from roundtable.core import records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned, update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.directory.models import Organisation, Person, Team
from roundtable.directory.queries import is_member, leads_team
from roundtable.learning.access import visible_events
from roundtable.learning.models import (
    ACTION_STATES,
    QUESTIONS,
    ActionStatus,
    ContributoryFactor,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    ResponseEvent,
    ResponseKind,
    ResponseStatus,
    SafetyAction,
    TookPart,
)

ANSWERS = ("what_happened", "what_was_expected", "why_different", "what_now", "what_we_learn")


def _given(**values: object) -> dict[str, object]:
    """The values that were given: one left out is reported missing by the model's own rule."""
    return {name: value for name, value in values.items() if value is not None}


def may_take_part(actor: Person, team: Team) -> bool:
    """Members of the team and those who lead it record its learning."""
    return is_member(actor, team) or leads_team(actor, team)


def _require_team(actor: Person, team: Team, doing: str) -> None:
    if not may_take_part(actor, team):
        raise NotAllowed(f"Only members of {team.name} and those who lead it {doing}.")


def _require_open(response: LearningResponse) -> None:
    if response.status != ResponseStatus.OPEN:
        raise ValidationError("This response is finished: its record no longer changes.")


# -- Events -------------------------------------------------------------------------------------


@transaction.atomic
def event_record(
    *,
    actor: Person,
    team: Team,
    kind: str,
    title: str,
    what_happened: str,
    happened_on: date | None,
    place: str = "",
    person: PersonInCare | None = None,
    episode: Episode | None = None,
) -> LearningEvent:
    """Record that something happened, or nearly happened, in the team: the minimum facts.

    A person in care may be named only by someone who may see them; an episode, only one of that
    person's. The refusal never says more about the person than the actor already knows.
    """
    if episode is not None and person is None:
        person = episode.person
    event = LearningEvent(
        team=team,
        kind=kind,
        title=visible(title),
        what_happened=visible(what_happened),
        place=visible(place),
        person=person,
        episode=episode,
        recorded_by=actor,
        **_given(happened_on=happened_on),
    )
    errors: dict[str, str] = {}
    if happened_on is not None and happened_on > timezone.localdate():
        errors["happened_on"] = "The date it happened cannot be in the future"
    if person is not None and not visible_people(actor).filter(pk=person.pk).exists():
        errors["person"] = "Choose someone in your team's care"
    elif episode is not None and episode.person_id != person.pk:  # type: ignore[union-attr]
        errors["episode"] = "Choose one of this person's times with a team"
    records.validate(event, also=errors)
    return records.create(
        event,
        actor=actor,
        summary=f"Learning event recorded in {team.name}",
        check=lambda: _require_team(actor, team, "record its events"),
    )


# -- Responses ----------------------------------------------------------------------------------


@transaction.atomic
def response_start(
    *,
    actor: Person,
    kind: str,
    events: Sequence[LearningEvent],
    held_on: date | None = None,
    team: Team | None = None,
) -> LearningResponse:
    """Start a learning response, chosen in proportion: a SWARM huddle, After Action Review or
    MDT review of one event, or a thematic review of two or more.

    A thematic review may link only events of teams the actor leads, and is held by `team` (one
    of theirs); any other response is held by its event's team.
    """
    held_on = held_on or timezone.localdate()
    chosen = list(dict.fromkeys(events))
    errors: dict[str, str] = {}
    seen = set(
        visible_events(actor).filter(pk__in=[e.pk for e in chosen]).values_list("pk", flat=True)
    )
    if any(event.pk not in seen for event in chosen):
        # A response is seen only by those who see every event it covers: its starter first.
        errors["events"] = "Choose only events you can see"
    elif kind == ResponseKind.THEMATIC_REVIEW:
        if len(chosen) < 2:
            errors["events"] = "Choose two or more events for a thematic review"
        elif any(not leads_team(actor, event.team) for event in chosen):
            errors["events"] = "Choose only events of teams you lead"
        elif team is None or team.pk not in {event.team_id for event in chosen}:
            errors["team"] = "Choose the team, of those the events happened in, that holds it"
    elif len(chosen) != 1:
        errors["events"] = "Choose the one event this response learns from"
    else:
        team = chosen[0].team
    if chosen and held_on < min(event.happened_on for event in chosen):
        errors["held_on"] = "A response is held on or after the day of what it learns from"
    response = LearningResponse(
        team=team, kind=kind, held_on=held_on, started_by=actor, status=ResponseStatus.OPEN
    )
    records.validate(response, also=errors)
    assert team is not None  # every path above that leaves it empty refused
    records.create(
        response,
        actor=actor,
        summary=f"{response.get_kind_display()} started in {team.name}",
        check=lambda: _require_team(actor, team, "start its learning responses"),
    )
    ResponseEvent.objects.bulk_create(
        ResponseEvent(response=response, event=event) for event in chosen
    )
    return response


@transaction.atomic
def response_update(
    *,
    actor: Person,
    response: LearningResponse,
    expected_version: int,
    held_on: date | None,
    **answers: str,
) -> LearningResponse:
    """Write the response's answers to its questions (and when it was held), while it is open."""
    _require_team(actor, response.team, "write its learning responses")
    _require_open(response)
    unknown = sorted(set(answers) - set(ANSWERS))
    if unknown:
        raise TypeError(f"Unexpected answer(s): {', '.join(unknown)}")
    values: dict[str, object] = {name: visible(text) for name, text in answers.items()}
    values["held_on"] = held_on
    return update_versioned(
        response,
        actor=actor,
        expected_version=expected_version,
        fields=["held_on", *ANSWERS],
        values=values,
        summary=lambda changed: f"{changed.get_kind_display()} in {changed.team.name} written",
    )


@transaction.atomic
def response_finish(
    *, actor: Person, response: LearningResponse, expected_version: int
) -> LearningResponse:
    """Finish the response: every question its kind asks is answered, and it then stays as it is."""
    _require_team(actor, response.team, "finish its learning responses")
    if response.version != expected_version:  # finished, or written, since it was read
        raise ConcurrentEditError(response)
    _require_open(response)
    missing = {
        name: f"Answer “{question}” before finishing"
        for name, question in QUESTIONS[response.kind]
        if not getattr(response, name)
    }
    if missing:
        raise ValidationError(missing)
    return update_versioned(
        response,
        actor=actor,
        expected_version=expected_version,
        fields=["status", "finished_at"],
        values={"status": ResponseStatus.FINISHED, "finished_at": timezone.now()},
        summary=lambda finished: f"{finished.get_kind_display()} in {finished.team.name} finished",
    )


# -- What a response records --------------------------------------------------------------------


@transaction.atomic
def factor_add(
    *, actor: Person, response: LearningResponse, element: str, note: str
) -> ContributoryFactor:
    """A factor in the work system (SEIPS) that made a difference, in plain words."""
    _require_team(actor, response.team, "record what made a difference")
    _require_open(response)
    return records.create(
        ContributoryFactor(response=response, element=element, note=visible(note), added_by=actor),
        actor=actor,
        summary=f"Contributory factor added to response {response.pk}",
    )


@transaction.atomic
def participant_add(
    *,
    actor: Person,
    response: LearningResponse,
    took_part_as: str,
    person: Person | None = None,
    described_as: str = "",
    organisation: Organisation | None = None,
) -> Participant:
    """Someone who took part: a colleague (in Roundtable, or described), a partner, or — where
    appropriate — the person or their family, recorded as compassionate engagement."""
    _require_team(actor, response.team, "record who took part")
    _require_open(response)
    described_as = visible(described_as)
    errors: dict[str, str] = {}
    if took_part_as in (TookPart.PERSON_IN_CARE, TookPart.FAMILY):
        person = None  # never a member of staff
        if not described_as:
            errors["described_as"] = "Describe who took part, for example “her sister”"
        if not ResponseEvent.objects.filter(response=response, event__person__isnull=False):
            errors["took_part_as"] = "This response is about no one person in care"
    elif person is None and not described_as:
        errors["person"] = "Choose a colleague, or describe who took part"
    participant = Participant(
        response=response,
        took_part_as=took_part_as,
        person=person,
        described_as=described_as,
        organisation=organisation
        if organisation is not None
        else getattr(person, "organisation", None),
    )
    records.validate(participant, also=errors)

    def check() -> None:
        if person is not None and Participant.objects.filter(response=response, person=person):
            raise ValidationError(
                {"person": f"{person.full_name} is already recorded as taking part"}
            )

    return records.create(
        participant,
        actor=actor,
        summary=f"{participant.get_took_part_as_display()} took part in response {response.pk}",
        check=check,
    )


# What each kind of part of a response is, as a refusal names it.
_PARTS: dict[type[ContributoryFactor | Participant], str] = {
    ContributoryFactor: "what made a difference",
    Participant: "who took part",
}


@transaction.atomic
def part_remove(*, actor: Person, part: ContributoryFactor | Participant) -> None:
    """Take back a factor or a participant recorded by mistake, while the response is open."""
    response = part.response
    _require_team(actor, response.team, f"change {_PARTS[type(part)]}")
    _require_open(response)
    records.delete(
        part,
        actor=actor,
        summary=f"{capfirst(part._meta.verbose_name)} removed from response {response.pk}",
    )


@transaction.atomic
def statement_add(*, actor: Person, response: LearningResponse, text: str) -> LearningStatement:
    """What was learned, in a sentence or two others can use. Added until the response is
    finished; a finished response's learning still gains actions."""
    _require_team(actor, response.team, "record what was learned")
    _require_open(response)
    return records.create(
        LearningStatement(response=response, text=visible(text), added_by=actor),
        actor=actor,
        summary=f"Learning statement added to response {response.pk}",
    )


# -- Safety actions -----------------------------------------------------------------------------


def _action_errors(
    owner: Person | None, due_on: date | None, response: LearningResponse
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if due_on is not None and due_on < response.held_on:
        errors["due_on"] = "The due date cannot be before the response was held"
    if owner is not None and not owner.is_active:
        errors["owner"] = f"{owner.full_name} no longer has an account: choose someone else"
    elif owner is not None and not may_take_part(owner, response.team):
        # An owner sees the action through its response, as the team and its leaders do.
        errors["owner"] = f"Choose someone in {response.team.name} or one of its leaders"
    return errors


@transaction.atomic
def action_add(
    *,
    actor: Person,
    response: LearningResponse,
    description: str,
    owner: Person | None,
    due_on: date | None,
    statement: LearningStatement | None = None,
) -> SafetyAction:
    """A safety action agreed in the response: what, who sees it through, by when. Actions may be
    added after the response is finished, as its learning is acted on."""
    _require_team(actor, response.team, "agree its safety actions")
    errors = _action_errors(owner, due_on, response)
    if statement is not None and statement.response_id != response.pk:
        errors["statement"] = "Choose a learning statement of this response"
    action = SafetyAction(
        response=response,
        team=response.team,
        statement=statement,
        description=visible(description),
        **_given(owner=owner, due_on=due_on),
    )
    # The owner is a relation, which `validate` leaves to the service: say so when it is missing.
    if owner is None:
        errors["owner"] = "Choose who owns the action"
    records.validate(action, also=errors)
    return records.create(
        action, actor=actor, summary=f"Safety action agreed in response {response.pk}"
    )


@transaction.atomic
def action_change(
    *,
    actor: Person,
    action: SafetyAction,
    expected_version: int,
    description: str,
    owner: Person | None,
    due_on: date | None,
) -> SafetyAction:
    """Put right what an action is, who owns it or when it is due, until it is done."""
    _require_team(actor, action.team, "change its safety actions")
    if action.status == ActionStatus.DONE:
        raise ValidationError("This action is done: its record no longer changes.")
    errors = _action_errors(owner, due_on, action.response)
    return update_versioned(
        action,
        actor=actor,
        expected_version=expected_version,
        fields=["description", "owner", "due_on"],
        values={"description": visible(description), "owner": owner, "due_on": due_on},
        summary=lambda changed: f"Safety action {changed.pk} changed",
        clean=lambda: records.validate(action, unique=True, also=errors),
    )


@transaction.atomic
def action_progress(
    *,
    actor: Person,
    action: SafetyAction,
    expected_version: int,
    to_status: str,
    evidence: str = "",
    completed_on: date | None = None,
) -> SafetyAction:
    """Move an action on: in progress, or done — with the evidence that it was, and the day."""
    action = SafetyAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    _require_team(actor, action.team, "move its safety actions on")
    if action.version != expected_version:
        raise ConcurrentEditError(action)
    fields = ["status"]
    if to_status == ActionStatus.DONE:
        evidence = visible(evidence)
        completed_on = completed_on or timezone.localdate()
        errors: dict[str, str] = {}
        if not evidence:
            errors["evidence"] = "Say what shows the action is done"
        if completed_on > timezone.localdate():
            errors["completed_on"] = "The day it was done cannot be in the future"
        action.evidence = evidence
        action.completed_on = completed_on
        records.validate(action, also=errors)
        fields += ["evidence", "completed_on"]
    ACTION_STATES.move(action, to_status, action=action, actor=actor)
    save_versioned(action, expected_version=expected_version, fields=fields)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=action,
        summary=f"Safety action {action.pk} is {action.get_status_display().lower()}",
    )
    return action
