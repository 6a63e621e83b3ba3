"""At the huddle: moving someone to another zone (with who was in the room), SBARD notes and
actions."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import CareAction, Episode, HuddleNote, Stage, Zone, ZoneChange
from roundtable.care.services._common import _check_caring_team, is_team_member
from roundtable.care.services.pathway import _episode_move
from roundtable.core import records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.text import visible
from roundtable.directory.models import Person
from roundtable.forums.models import Attendance, AttendanceStatus, Meeting


def _present_at(meeting: Meeting | None) -> tuple[list[int], list[str]]:
    """Who was in the room: people present and named guests, as the meeting recorded them."""
    if meeting is None:
        return [], []
    rows = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT)
    people = [pk for pk in rows.filter(person__isnull=False).values_list("person_id", flat=True)]
    guests = list(rows.filter(person__isnull=True).values_list("guest_name", flat=True))
    return people, guests


def _check_meeting(meeting: Meeting | None, episode: Episode, at: datetime | None = None) -> None:
    """Who was in the room is taken from the meeting: one of the team's meetings that day (today
    unless `at` says when), not cancelled, as the board offers and the API finds them."""
    if meeting is None:
        return
    day = timezone.localdate(at or timezone.now())
    if (
        meeting.forum.home_team_id != episode.team_id
        or meeting.is_cancelled
        or timezone.localdate(meeting.starts_at) != day
    ):
        raise ValidationError({"meeting": f"Choose one of today's meetings of {episode.team.name}"})


@transaction.atomic
def episode_zone_set(
    *,
    actor: Person,
    episode: Episode,
    zone: Zone,
    reason: str = "",
    meeting: Meeting | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Episode:
    """Move a person to another zone at the huddle, recording who was in the room.

    The ready-to-move-on zone and the pathway agree: moving someone in support into it makes
    them ready to move on, and moving them out of it takes them back into support.
    """
    at = at or timezone.now()
    current = (
        Episode.objects.select_for_update(of=("self",))
        .select_related("team", "zone", "person")
        .get(pk=episode.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    _check_caring_team(actor, current, "change zones")
    _check_meeting(meeting, current, at)
    if zone.team_id != current.team_id or zone.is_archived:
        raise ValidationError({"zone": f"Choose one of {current.team.name}'s zones"})
    if not current.is_open:
        raise ValidationError("This episode is closed: it is not on the huddle board.")
    if current.zone_id == zone.pk:
        raise ValidationError({"zone": f"{current.person.name} is already in {zone.name}"})
    if current.stage not in (Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON, Stage.WAITING):
        raise ValidationError("Zones are for people the team is supporting: make the offer first.")
    if zone.marks_ready and current.stage != Stage.IN_SUPPORT:
        raise ValidationError({"zone": "Only someone in support can be ready to move on"})
    from_zone = current.zone
    change = ZoneChange(
        episode=current,
        from_zone=from_zone,
        to_zone=zone,
        actor=actor,
        meeting=meeting,
        reason=visible(reason),
        at=at,
        day=timezone.localdate(at),
        guests=[],
    )
    # Written beside the episode's own audit event, with the reason in the team's words.
    records.validate(change)
    change.save(force_insert=True)
    people, guests = _present_at(meeting)
    if people:
        change.present.set(people)
    if guests:
        change.guests = guests
        change.save(update_fields=["guests"])
    current.zone = zone
    current.zone_since = at
    save_versioned(current, expected_version=current.version, fields=("zone", "zone_since"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=f"Zone {from_zone.name if from_zone else 'none'} → {zone.name}",
        changes={"zone": [from_zone.name if from_zone else None, zone.name]},
    )
    if zone.marks_ready:
        current = _episode_move(
            actor=actor, episode=current, to_stage=Stage.READY_TO_MOVE_ON, reason=reason, at=at
        )
    elif current.stage == Stage.READY_TO_MOVE_ON:
        current = _episode_move(
            actor=actor, episode=current, to_stage=Stage.IN_SUPPORT, reason=reason, at=at
        )
    return current


SBARD_FIELDS = ("situation", "background", "assessment", "recommendation", "decision")


@transaction.atomic
def huddle_note_add(
    *,
    actor: Person,
    episode: Episode,
    situation: str = "",
    background: str = "",
    assessment: str = "",
    recommendation: str = "",
    decision: str = "",
    meeting: Meeting | None = None,
) -> HuddleNote:
    """An SBARD handover note: at least one of its parts must be written."""
    _check_caring_team(actor, episode, "write huddle notes")
    _check_meeting(meeting, episode)
    parts = {
        "situation": visible(situation),
        "background": visible(background),
        "assessment": visible(assessment),
        "recommendation": visible(recommendation),
        "decision": visible(decision),
    }
    if not any(parts.values()):
        raise ValidationError(
            {
                "situation": "Write at least one part of the note: situation, background, "
                "assessment, recommendation or decision"
            }
        )
    # The episode is locked first, so that of two notes written at once the one written later
    # is both the later in time and the one the episode keeps as its latest.
    list(Episode.objects.select_for_update().filter(pk=episode.pk).values_list("pk"))
    note = records.create(
        HuddleNote(episode=episode, author=actor, meeting=meeting, at=timezone.now(), **parts),
        actor=actor,
        summary="SBARD note",
    )
    # Not a change to the episode itself: its version stays, so a zone change prepared
    # meanwhile is not refused.
    Episode.objects.filter(pk=episode.pk).update(latest_note=note)
    episode.latest_note = note
    return note


@transaction.atomic
def care_action_add(
    *,
    actor: Person,
    episode: Episode,
    description: str,
    owner: Person | None,
    due_on: date | None,
    meeting: Meeting | None = None,
) -> CareAction:
    _check_caring_team(actor, episode, "add actions")
    _check_meeting(meeting, episode)
    action = CareAction(
        episode=episode, description=visible(description), created_by=actor, meeting=meeting
    )
    errors: dict[str, str] = {}
    if owner is None:
        errors["owner"] = "Choose who will do it"
    elif not owner.is_active:
        errors["owner"] = "Choose someone whose account is open"
    elif not is_team_member(owner, episode.team_id):
        # The page offers only the team's members; the API is held to the same rule.
        errors["owner"] = f"Choose a member of {episode.team.name}, the team caring for them"
    else:
        action.owner = owner
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or later"
    else:
        action.due_on = due_on
    records.validate(action, also=errors)
    return records.create(action, actor=actor, summary=action.description)


@transaction.atomic
def care_action_complete(
    *, actor: Person, action: CareAction, expected_version: int | None = None
) -> CareAction:
    current = (
        CareAction.objects.select_for_update().select_related("episode__team").get(pk=action.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    _check_caring_team(actor, current.episode, "complete actions")
    if current.done_at is not None:
        raise ValidationError("This action is already done.")
    current.done_at = timezone.now()
    save_versioned(current, expected_version=current.version, fields=("done_at",))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, summary="Action done")
    return current
