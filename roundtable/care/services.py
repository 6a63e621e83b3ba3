"""Every write to people in care and their episodes. Validated, transactional, audited."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rules.permissions import has_perm as rule_allows

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care import nhs_numbers
from roundtable.care.access import front_door_teams
from roundtable.care.models import (
    CLOSED_STAGES,
    TRANSITIONS,
    CareAction,
    CareDecision,
    ConsentToShare,
    Destination,
    Episode,
    HuddleNote,
    Offer,
    OfferKind,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
    Zone,
    ZoneChange,
    ZoneColour,
)
from roundtable.core import dates
from roundtable.core.concurrency import ConcurrentEditError, save_versioned, update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import create_or_refuse, same_ignoring_case
from roundtable.core.text import visible
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.directory.models import Membership, Organisation, OrganisationKind, Person, Team
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumKind, Meeting

NHS_NUMBER_FORMAT = "Enter an NHS number with 10 digits, like 999 123 4578"
# A date of birth before this is a mistyped year, not someone in care.
EARLIEST_BIRTH = date(1900, 1, 1)


def normalise_nhs_number(value: str | None) -> str | None:
    """10 digits with spaces and dashes removed, or None for blank. Raises with a clear message.

    Valid means it passes the Modulus 11 check and can have been issued (`care.nhs_numbers`).
    """
    if value is None or not visible(value):
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError({"nhs_number": NHS_NUMBER_FORMAT})
    problem = nhs_numbers.problem(digits)
    if problem:
        raise ValidationError({"nhs_number": problem})
    return digits


def _check_person(
    *, local_id: str, name: str, date_of_birth: date | None, gp_practice: Organisation | None
) -> None:
    errors: dict[str, str] = {}
    if not visible(local_id):
        errors["local_id"] = "Enter the local identifier from the patient record"
    if not visible(name):
        errors["name"] = "Enter the person's name or initials"
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth must be in the past"
    elif date_of_birth is not None and date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = (
            f"The date of birth must be in {EARLIEST_BIRTH.year} or later: check the year"
        )
    if gp_practice is not None and gp_practice.kind != OrganisationKind.GP_PRACTICE:
        errors["gp_practice"] = "Choose a GP practice"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_refer(
    *,
    actor: Person,
    team: Team,
    local_id: str,
    name: str,
    referral_source: str,
    nhs_number: str | None = None,
    date_of_birth: date | None = None,
    gp_practice: Organisation | None = None,
    key_worker: Person | None = None,
    reason: str = "",
) -> Episode:
    """Refer someone to a team, recording them first unless they are already recorded.

    Someone already recorded — by NHS number, or else by local identifier — is referred as they
    are, and the answer is the same as for someone new: a referrer who could not see them learns
    nothing of whether they were known, and their team sees the person and this episode only,
    never another team's work with them. The match is in the audit trail.
    """
    _check_person(
        local_id=local_id, name=name, date_of_birth=date_of_birth, gp_practice=gp_practice
    )
    number = normalise_nhs_number(nhs_number)
    person = _recorded(visible(local_id), number)
    created = False
    if person is None:
        try:
            # A savepoint: a simultaneous referral of the same new person may record them first.
            with transaction.atomic():
                person = person_in_care_create(
                    actor=actor,
                    local_id=local_id,
                    name=name,
                    nhs_number=number,
                    date_of_birth=date_of_birth,
                    gp_practice=gp_practice,
                )
            created = True
        except (IntegrityError, ValidationError):
            # Recorded meanwhile (the fields themselves were checked above).
            person = _recorded(visible(local_id), number)
            if person is None:
                raise
    if not created:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=person,
            summary="Referred as already recorded",
            changes={"matched_by": "nhs_number" if person.nhs_number == number else "local_id"},
        )
    return episode_refer(
        actor=actor,
        person=person,
        team=team,
        referral_source=referral_source,
        key_worker=key_worker,
        reason=reason,
    )


def _recorded(local_id: str, nhs_number: str | None) -> PersonInCare | None:
    """Someone already recorded with this NHS number, or else this local identifier."""
    if nhs_number:
        found = PersonInCare.objects.filter(nhs_number=nhs_number).first()
        if found is not None:
            return found
    return PersonInCare.objects.filter(local_id=local_id).first()


@transaction.atomic
def person_in_care_create(
    *,
    actor: Person,
    local_id: str,
    name: str,
    nhs_number: str | None = None,
    date_of_birth: date | None = None,
    gp_practice: Organisation | None = None,
) -> PersonInCare:
    """Record someone. Refuses someone already recorded: a referral goes through
    `person_refer`, which does not say whether they were."""
    _check_person(
        local_id=local_id, name=name, date_of_birth=date_of_birth, gp_practice=gp_practice
    )
    number = normalise_nhs_number(nhs_number)
    local_id = visible(local_id)

    def check() -> None:
        if number and PersonInCare.objects.filter(nhs_number=number).exists():
            raise ValidationError(
                {"nhs_number": "Someone with this NHS number is already recorded"}
            )
        if PersonInCare.objects.filter(local_id=local_id).exists():
            raise ValidationError(
                {"local_id": "Someone with this local identifier is already recorded"}
            )

    person = create_or_refuse(
        check,
        lambda: PersonInCare.objects.create(
            local_id=local_id,
            nhs_number=number,
            name=visible(name),
            date_of_birth=date_of_birth,
            gp_practice=gp_practice,
        ),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person, summary="Person in care")
    return person


@transaction.atomic
def consent_give(
    *, actor: Person, person: PersonInCare, organisation: Organisation
) -> ConsentToShare:
    """The person agreed that `organisation` may see their details. Recorded by the team
    caring for them."""
    _check_cares_for(actor, person)

    def check() -> None:
        if ConsentToShare.objects.filter(
            person=person, organisation=organisation, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError(f"Consent to share with {organisation.name} is already recorded.")

    consent = create_or_refuse(
        check,
        lambda: ConsentToShare.objects.create(
            person=person, organisation=organisation, recorded_by=actor
        ),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        summary=f"Consent to share with {organisation.name}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Person, consent: ConsentToShare) -> ConsentToShare:
    _check_cares_for(actor, consent.person)
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent was already withdrawn.")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=consent, summary="Consent withdrawn")
    return consent


def caring_episode(actor: Person, person: PersonInCare) -> Episode | None:
    """The person's open episode with one of the actor's teams (the earliest), if any."""
    return (
        Episode.objects.filter(
            person=person,
            closed_at__isnull=True,
            team_id__in=Membership.objects.filter(person=actor).values("team_id"),
        )
        .select_related("team")
        .order_by("referred_at", "pk")
        .first()
    )


def _check_cares_for(actor: Person, person: PersonInCare) -> None:
    if caring_episode(actor, person) is None:
        raise NotAllowed(
            f"Only the team caring for {person.name} can record their consent to share."
        )


def _event(
    episode: Episode,
    *,
    from_stage: str,
    to_stage: str,
    actor: Person,
    at: datetime,
    reason: str = "",
    decision: Decision | None = None,
) -> PathwayEvent:
    return PathwayEvent.objects.create(
        episode=episode,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        reason=reason,
        decision=decision,
    )


@transaction.atomic
def episode_refer(
    *,
    actor: Person,
    person: PersonInCare,
    team: Team,
    referral_source: str,
    key_worker: Person | None = None,
    at: datetime | None = None,
    reason: str = "",
) -> Episode:
    """A referral to a team. Someone who moved on from this team within the re-referral window
    (default 6 months) comes straight back to the team, in support, linked to their previous
    episode, with their previous key worker: "comes back if need be" without starting again.
    """
    at = at or timezone.now()
    # "Came back" is the service's to record (below): the page never offers it, nor the API.
    if referral_source not in set(ReferralSource.values) - {ReferralSource.RE_REFERRAL}:
        raise ValidationError({"referral_source": "Choose where the referral came from"})
    # The page offers the team's active members as key workers; the API is held to the same rule.
    if key_worker is not None and not key_worker.is_active:
        raise ValidationError({"key_worker": "Choose a key worker whose account is open"})
    if key_worker is not None and not is_team_member(key_worker, team.pk):
        raise ValidationError({"key_worker": f"Choose a key worker who is in {team.name}"})

    def check() -> None:
        # One open episode per person and team (a constraint): a second referral at the same
        # moment waits for the first and is then refused like any later one.
        if Episode.objects.filter(person=person, team=team, closed_at__isnull=True).exists():
            raise ValidationError(f"{person.name} already has an open episode with {team.name}.")

    window = timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    previous = (
        Episode.objects.filter(
            person=person,
            team=team,
            stage=Stage.MOVED_ON,
            closed_at__gte=at - window,
            next__isnull=True,
        )
        .order_by("-closed_at")
        .first()
    )
    if previous is not None and key_worker is None:
        kept = previous.key_worker
        if kept and kept.is_active and is_team_member(kept, team.pk):
            key_worker = kept
    episode = create_or_refuse(
        check,
        lambda: _episode_open(
            actor=actor,
            person=person,
            team=team,
            referral_source=referral_source,
            key_worker=key_worker,
            at=at,
            reason=reason,
            previous=previous,
        ),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        summary=f"Referral to {team.name}" + (" (came back)" if previous else ""),
    )
    return episode


def _episode_open(
    *,
    actor: Person,
    person: PersonInCare,
    team: Team,
    referral_source: str,
    key_worker: Person | None,
    at: datetime,
    reason: str,
    previous: Episode | None,
) -> Episode:
    """The episode of a referral and its first pathway event: straight back in support after a
    recent move on (`previous`), or else referred."""
    if previous is not None:
        episode = Episode.objects.create(
            person=person,
            team=team,
            key_worker=key_worker,
            referral_source=ReferralSource.RE_REFERRAL,
            stage=Stage.IN_SUPPORT,
            stage_since=at,
            referred_at=at,
            previous=previous,
            zone=previous.zone if previous.zone and not previous.zone.marks_ready else None,
        )
        days = dates.days_between(previous.closed_at, at) if previous.closed_at else 0
        _event(
            episode,
            from_stage="",
            to_stage=Stage.IN_SUPPORT,
            actor=actor,
            at=at,
            reason=reason or f"Came back {days} days after moving on: straight back to the team.",
        )
    else:
        episode = Episode.objects.create(
            person=person,
            team=team,
            key_worker=key_worker,
            referral_source=referral_source,
            stage=Stage.REFERRED,
            stage_since=at,
            referred_at=at,
        )
        _event(episode, from_stage="", to_stage=Stage.REFERRED, actor=actor, at=at, reason=reason)
    return episode


@transaction.atomic
def episode_move(
    *,
    actor: Person,
    episode: Episode,
    to_stage: str,
    reason: str = "",
    destination: str = "",
    decision: Decision | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Episode:
    """Move an episode along its path. Illegal moves are refused with a message saying why.

    The team caring for the person moves them. Moving on needs a destination and an agreed
    move-on decision: nobody moves a person on alone.
    """
    if not is_team_member(actor, episode.team_id):
        raise NotAllowed(
            f"Only members of {episode.team.name} can change {episode.person.name}'s stage."
        )
    return _episode_move(
        actor=actor,
        episode=episode,
        to_stage=to_stage,
        reason=reason,
        destination=destination,
        decision=decision,
        expected_version=expected_version,
        at=at,
    )


def _episode_move(
    *,
    actor: Person,
    episode: Episode,
    to_stage: str,
    reason: str,
    destination: str = "",
    decision: Decision | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Episode:
    at = at or timezone.now()
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Choose a stage from the list"})
    if to_stage not in TRANSITIONS[current.stage]:
        raise ValidationError(
            f"Someone who is {Stage(current.stage).label.lower()} cannot move to "
            f"{Stage(to_stage).label.lower()}."
        )
    if to_stage == Stage.MOVED_ON:
        if destination not in Destination.values:
            raise ValidationError({"destination": "Choose where the person is moving on to"})
        if (
            decision is None
            or decision.kind != DecisionKind.MOVE_ON
            or decision.status not in (DecisionStatus.AGREED, DecisionStatus.REVIEWED)
            or not CareDecision.objects.filter(decision=decision, episode=current).exists()
        ):
            raise ValidationError(
                {
                    "decision": "Moving on needs an agreed move-on decision about this person, "
                    "shared by the team"
                }
            )
    elif destination:
        raise ValidationError({"destination": "A destination is only for moving on"})
    from_stage = current.stage
    if to_stage == Stage.OFFER_MADE and current.days_to_offer is None:
        current.days_to_offer = dates.days_between(current.referred_at, at)
    if to_stage == Stage.MOVED_ON:
        current.days_ready_to_moved_on = dates.days_between(current.stage_since, at)
    current.stage = to_stage
    current.stage_since = at
    current.destination = destination
    if to_stage in CLOSED_STAGES:
        current.closed_at = at
    save_versioned(
        current,
        expected_version=current.version,
        fields=(
            "stage",
            "stage_since",
            "destination",
            "closed_at",
            "days_to_offer",
            "days_ready_to_moved_on",
        ),
    )
    _event(
        current,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        reason=visible(reason),
        decision=decision,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        changes={"stage": [from_stage, to_stage]},
    )
    return current


# -- Who may act -----------------------------------------------------------------------------------


def is_team_member(person: Person, team_id: int) -> bool:
    return Membership.objects.filter(person=person, team_id=team_id).exists()


def _check_caring_team(actor: Person, episode: Episode, doing: str) -> None:
    """Changes to a person's care are made by the team caring for them."""
    if not is_team_member(actor, episode.team_id):
        raise NotAllowed(f"Only members of {episode.team.name} can {doing}.")


# -- The offer catalogue ---------------------------------------------------------------------------


def _check_may_change_offers(actor: Person) -> None:
    """The catalogue is the system's: administrators and leaders look after it (the rule
    `care.change_offers`, which also decides whether the pages offer it)."""
    if not rule_allows("care.change_offers", actor):  # type: ignore[no-untyped-call]
        raise NotAllowed("Only administrators and leaders can change the offer catalogue.")


def _check_offer(name: str, kind: str, organisation: Organisation | None) -> None:
    errors: dict[str, str] = {}
    if not visible(name):
        errors["name"] = "Enter the name of the offer"
    if kind not in OfferKind.values:
        errors["kind"] = "Choose the kind of offer"
    if organisation is None:
        errors["organisation"] = "Choose the organisation that provides it"
    if errors:
        raise ValidationError(errors)


def _check_offer_name(name: str, *, exclude: int | None) -> None:
    """Offer names are unique whatever their case (a constraint on the lowered name)."""
    same_name = Offer.objects.filter(same_ignoring_case("name", visible(name)))
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    if same_name.exists():
        raise ValidationError({"name": "There is already an offer with this name"})


@transaction.atomic
def offer_create(
    *,
    actor: Person,
    name: str,
    kind: str,
    organisation: Organisation | None,
    description: str = "",
) -> Offer:
    _check_may_change_offers(actor)
    _check_offer(name, kind, organisation)
    assert organisation is not None
    offer = create_or_refuse(
        lambda: _check_offer_name(name, exclude=None),
        lambda: Offer.objects.create(
            name=visible(name),
            kind=kind,
            organisation=organisation,
            description=visible(description),
        ),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=offer, summary=offer.name)
    return offer


def offer_update(
    *,
    actor: Person,
    offer: Offer,
    expected_version: int,
    name: str,
    kind: str,
    organisation: Organisation | None,
    description: str,
    is_active: bool,
) -> Offer:
    _check_may_change_offers(actor)
    _check_offer(name, kind, organisation)
    return create_or_refuse(
        lambda: _check_offer_name(name, exclude=offer.pk),
        lambda: update_versioned(
            offer,
            actor=actor,
            expected_version=expected_version,
            fields=("name", "kind", "organisation", "description", "is_active"),
            values={
                "name": visible(name),
                "kind": kind,
                "organisation": organisation,
                "description": visible(description),
                "is_active": is_active,
            },
            summary=lambda o: f"Offer {o.name}",
        ),
    )


# -- Zones -----------------------------------------------------------------------------------------

# The default zones: each meaning says what the team does, never what it predicts.
DEFAULT_ZONES: tuple[tuple[str, str, str, bool], ...] = (
    (
        "Red",
        ZoneColour.RED,
        "Intensive input: the team is in touch most days, the plan is reviewed at every huddle "
        "and nobody holds it alone.",
        False,
    ),
    (
        "Amber",
        ZoneColour.AMBER,
        "More input than usual while the plan changes: contact at least weekly and a review "
        "at the next huddle.",
        False,
    ),
    (
        "Green",
        ZoneColour.GREEN,
        "Steady input: the plan is working and contact is as agreed with the person.",
        False,
    ),
    (
        "Blue",
        ZoneColour.BLUE,
        "Light touch: the person mostly manages with their own support; the key worker checks "
        "in as agreed.",
        False,
    ),
    (
        "Ready to move on",
        ZoneColour.PURPLE,
        "The work we agreed is done: the person and the team are planning the move on to their "
        "GP, a VCSE partner or self-management.",
        True,
    ),
)


def zones_ensure(*, team: Team) -> list[Zone]:
    """The team's zones, creating the default five the first time a team uses the board."""
    zones = list(Zone.objects.filter(team=team, is_archived=False).order_by("position", "pk"))
    if zones:
        return zones
    with transaction.atomic():
        Zone.objects.bulk_create(
            [
                Zone(
                    team=team,
                    name=name,
                    colour=colour,
                    meaning=meaning,
                    position=position,
                    marks_ready=ready,
                )
                for position, (name, colour, meaning, ready) in enumerate(DEFAULT_ZONES)
            ],
            ignore_conflicts=True,
        )
    return list(Zone.objects.filter(team=team, is_archived=False).order_by("position", "pk"))


# Words that rate a person's risk: a score, a rating, a level or a tier of risk, or low, medium
# or high risk. NICE NG225 says not to use risk tools or scales to predict harm or to decide who
# gets care; a zone says what the team does instead (ADR 0011, docs/guide/care.md#zones).
RATES_RISK = re.compile(
    r"\brisk[\s_-]*(scores?|scoring|ratings?|rated|levels?|categor(y|ies)|tiers?|bands?"
    r"|grades?|stratif\w*)\b"
    r"|\b(scores?|ratings?|levels?|categor(y|ies)|tiers?|bands?|grades?)[\s_-]+of[\s_-]+risk\b"
    r"|\b(low|lower|lowest|medium|moderate|high|higher|highest)[\s_-]*risk\b"
    r"|\brisk\W{0,3}\d",
    re.IGNORECASE,
)
NO_RISK_RATINGS = (
    "Zones say what the team does for the people in them (how often it is in touch, when it "
    "reviews the plan, what support it gives), not a rating of their risk: NICE guidance on "
    "self-harm (NG225) says not to use risk scores or low, medium or high risk ratings to "
    "predict harm or to decide care."
)


def _check_zone(team: Team, name: str, colour: str, meaning: str, *, exclude: int | None) -> None:
    errors: dict[str, str] = {}
    if not visible(name):
        errors["name"] = "Enter the zone's name"
    elif RATES_RISK.search(name):
        errors["name"] = (
            f"Name the zone for what the team does, like “Intensive input”. {NO_RISK_RATINGS}"
        )
    if colour not in ZoneColour.values:
        errors["colour"] = "Choose a colour"
    if not visible(meaning):
        errors["meaning"] = "Say in plain English what the team does for people in this zone"
    elif RATES_RISK.search(meaning):
        errors["meaning"] = (
            "Say what the team does for people in this zone, like “In touch most days, the plan "
            f"reviewed at every huddle”. {NO_RISK_RATINGS}"
        )
    # Unique whatever the case among the team's zones in use (a constraint on the lowered name).
    same_name = Zone.objects.filter(
        same_ignoring_case("name", visible(name)), team=team, is_archived=False
    )
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    if "name" not in errors and same_name.exists():
        errors["name"] = "The team already has a zone with this name"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def zone_create(*, actor: Person, team: Team, name: str, colour: str, meaning: str) -> Zone:
    if not is_team_member(actor, team.pk):
        raise NotAllowed(f"Only members of {team.name} can change its zones.")
    zones_ensure(team=team)
    last = Zone.objects.filter(team=team).order_by("-position").values_list("position", flat=True)
    zone = create_or_refuse(
        lambda: _check_zone(team, name, colour, meaning, exclude=None),
        lambda: Zone.objects.create(
            team=team,
            name=visible(name),
            colour=colour,
            meaning=visible(meaning),
            position=(last.first() or 0) + 1,
        ),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=zone, summary=f"Zone {zone.name}")
    return zone


def zone_update(
    *,
    actor: Person,
    zone: Zone,
    expected_version: int,
    name: str,
    colour: str,
    meaning: str,
    position: int,
) -> Zone:
    if not is_team_member(actor, zone.team_id):
        raise NotAllowed(f"Only members of {zone.team.name} can change its zones.")

    def check() -> None:
        _check_zone(zone.team, name, colour, meaning, exclude=zone.pk)
        if position < 0:
            raise ValidationError({"position": "The order is a whole number, 0 or more"})

    return create_or_refuse(
        check,
        lambda: update_versioned(
            zone,
            actor=actor,
            expected_version=expected_version,
            fields=("name", "colour", "meaning", "position"),
            values={
                "name": visible(name),
                "colour": colour,
                "meaning": visible(meaning),
                "position": position,
            },
            summary=lambda z: f"Zone {z.name}",
        ),
    )


@transaction.atomic
def zone_archive(*, actor: Person, zone: Zone) -> Zone:
    """Stop using a zone. Refused while anyone is in it; its history stays."""
    if not is_team_member(actor, zone.team_id):
        raise NotAllowed(f"Only members of {zone.team.name} can change its zones.")
    if zone.marks_ready:
        raise ValidationError("The ready-to-move-on zone is needed: rename it instead.")
    in_zone = Episode.objects.filter(zone=zone, closed_at__isnull=True).count()
    if in_zone:
        raise ValidationError(
            f"{in_zone} {'person is' if in_zone == 1 else 'people are'} in {zone.name}: move "
            "them to another zone first."
        )
    zone.is_archived = True
    save_versioned(zone, expected_version=zone.version, fields=("is_archived",))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=zone, summary="Zone archived")
    return zone


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
    change = ZoneChange.objects.create(
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


# -- At the huddle: SBARD notes and actions --------------------------------------------------------

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
    note = HuddleNote.objects.create(
        episode=episode, author=actor, meeting=meeting, at=timezone.now(), **parts
    )
    # Not a change to the episode itself: its version stays, so a zone change prepared
    # meanwhile is not refused.
    Episode.objects.filter(pk=episode.pk).update(latest_note=note)
    episode.latest_note = note
    audit_record(actor=actor, action=AuditAction.CREATE, obj=note, summary="SBARD note")
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
    errors: dict[str, str] = {}
    if not visible(description):
        errors["description"] = "Say what will be done"
    if owner is None:
        errors["owner"] = "Choose who will do it"
    elif not owner.is_active:
        errors["owner"] = "Choose someone whose account is open"
    elif not is_team_member(owner, episode.team_id):
        # The page offers only the team's members; the API is held to the same rule.
        errors["owner"] = f"Choose a member of {episode.team.name}, the team caring for them"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or later"
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    assert due_on is not None
    action = CareAction.objects.create(
        episode=episode,
        description=visible(description),
        owner=owner,
        due_on=due_on,
        created_by=actor,
        meeting=meeting,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=action, summary=action.description)
    return action


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


# -- Shared decisions about a person ---------------------------------------------------------------


def _locked(episode: Episode) -> Episode:
    """The episode as stored now, locked until the transaction ends. A rule about its open
    decisions ("one open offer decision for a referral") is checked and kept by one request at
    a time: a second proposal sent at the same moment waits for the first, then sees it."""
    return (
        Episode.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=episode.pk)
    )


def care_decision_propose(
    *,
    actor: Person,
    episode: Episode,
    forum: Forum,
    meeting: Meeting | None,
    kind: str,
    title: str,
    proposal: str,
    review_on: date | None = None,
    offer: Offer | None = None,
    destination: str = "",
) -> Decision:
    """Propose a shared decision about a person's episode, linked to it before it opens.

    The link makes the decision readable only by those who may see the person, and so the forum
    is asked for positions only once it is there: its members who may not see the person are
    never told of it (`access.decision_audience`). Call it inside the caller's transaction.
    """
    if meeting is not None and (
        meeting.forum_id != forum.pk
        or meeting.is_cancelled
        or timezone.localdate(meeting.starts_at) != timezone.localdate()
    ):
        # The pages offer only today's meetings of the forum; the API is held to the same rule.
        raise ValidationError({"meeting": f"Choose one of today's meetings of {forum.name}"})
    decision = decision_services.decision_propose(
        actor=actor,
        forum=forum,
        meeting=meeting,
        kind=kind,
        title=title,
        proposal=proposal,
        review_on=review_on,
        open_now=False,
    )
    CareDecision.objects.create(
        decision=decision, episode=episode, offer=offer, destination=destination
    )
    return decision_services.decision_open(actor=actor, decision=decision)


@transaction.atomic
def front_door_offer_propose(
    *,
    actor: Person,
    episode: Episode,
    offer: Offer | None,
    forum: Forum,
    meeting: Meeting | None = None,
    proposal: str = "",
) -> Decision:
    """Propose an offer for a new referral, as a shared decision of the front-door forum.

    When the forum agrees, the episode moves to "offer made" with this decision (see
    `front_door_offer_agreed`).
    """
    if offer is None or not offer.is_active:
        raise ValidationError({"offer": "Choose an offer from the catalogue"})
    if forum.kind != ForumKind.FRONT_DOOR:
        raise ValidationError({"forum": "Front-door offers are made at a front-door meeting"})
    episode = _locked(episode)
    if episode.stage != Stage.REFERRED:
        raise ValidationError(
            f"{episode.person.name} is {Stage(episode.stage).label.lower()}: an offer is for "
            "a new referral."
        )
    if not front_door_teams(forum).filter(pk=episode.team_id).exists():
        raise ValidationError(
            f"{forum.name} does not take referrals for {episode.team.name}: choose its own "
            "front-door meeting."
        )
    if CareDecision.objects.filter(
        episode=episode, offer__isnull=False, decision__status=DecisionStatus.OPEN
    ).exists():
        raise ValidationError(f"An offer for {episode.person.name} is already open for positions.")
    return care_decision_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        meeting=meeting,
        kind=DecisionKind.FRONT_DOOR_OFFER,
        title=f"Offer {offer.name} to {episode.person.name}",
        proposal=visible(proposal)
        or f"Offer {episode.person.name} {offer.name} ({offer.organisation.name}).",
        offer=offer,
    )


def front_door_offer_agreed(decision: Decision, actor: Person) -> None:
    """An agreed front-door offer is made: the episode moves to "offer made" with the offer."""
    if decision.kind != DecisionKind.FRONT_DOOR_OFFER or decision.status != DecisionStatus.AGREED:
        return
    link = CareDecision.objects.filter(decision=decision).select_related("episode").first()
    if link is None or link.offer_id is None or link.episode.stage != Stage.REFERRED:
        return
    # The agreed decision is the authority: whoever in the forum records it makes the offer.
    episode = _episode_move(
        actor=actor,
        episode=link.episode,
        to_stage=Stage.OFFER_MADE,
        reason=decision.outcome,
        decision=decision,
    )
    episode.offer_id = link.offer_id
    save_versioned(episode, expected_version=episode.version, fields=("offer",))


@transaction.atomic
def move_on_propose(
    *,
    actor: Person,
    episode: Episode,
    destination: str,
    forum: Forum,
    proposal: str,
    meeting: Meeting | None = None,
) -> Decision:
    """Raise a move-on decision for someone ready to move on, for the team to share."""
    _check_caring_team(actor, episode, "raise a move-on decision")
    errors: dict[str, str] = {}
    if destination not in Destination.values:
        errors["destination"] = "Choose where the person is moving on to"
    if not visible(proposal):
        errors["proposal"] = "Say what the move on is and how the person comes back if need be"
    if forum.home_team_id != episode.team_id or forum.is_archived:
        # The page offers the team's forums in use; the API is held to the same rule.
        errors["forum"] = f"Choose a forum of {episode.team.name}"
    if errors:
        raise ValidationError(errors)
    episode = _locked(episode)
    if episode.stage != Stage.READY_TO_MOVE_ON:
        raise ValidationError(
            f"{episode.person.name} is not ready to move on: move them to the ready-to-move-on "
            "zone first."
        )
    if CareDecision.objects.filter(
        episode=episode,
        decision__kind=DecisionKind.MOVE_ON,
        decision__status__in=[DecisionStatus.OPEN, DecisionStatus.AGREED],
    ).exists():
        raise ValidationError(
            f"A move-on decision for {episode.person.name} is already open or agreed."
        )
    return care_decision_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        meeting=meeting,
        kind=DecisionKind.MOVE_ON,
        title=f"{episode.person.name} moves on: {Destination(destination).label}",
        proposal=proposal,
        destination=destination,
    )
