"""A team's zones: the default five, adding one, changing one and no longer using one."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import Episode, Zone, ZoneColour
from roundtable.care.services._common import is_team_member
from roundtable.core import records
from roundtable.core.concurrency import save_versioned, update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import create_or_refuse, same_ignoring_case
from roundtable.core.text import visible
from roundtable.directory.models import Person, Team

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


def _zones_in_use(team: Team) -> list[Zone]:
    return list(Zone.objects.filter(team=team, is_archived=False).order_by("position", "pk"))


def zones_ensure(*, team: Team) -> list[Zone]:
    """The team's zones. The first time anyone opens a page of a team that has none in use, the
    default five are set up: once (the team is locked while it happens), and written to the
    audit trail with no actor — the system set them up, whoever happened to open the page."""
    zones = _zones_in_use(team)
    if zones:
        return zones
    with transaction.atomic():
        list(Team.objects.select_for_update().filter(pk=team.pk).values_list("pk", flat=True))
        if not Zone.objects.filter(team=team, is_archived=False).exists():
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
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                obj=team,
                summary=f"Default zones set up for {team.name}",
            )
    return _zones_in_use(team)


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


def _check_zone(zone: Zone) -> None:
    """Refuse `zone`, as it would be written, with every mistake at once: a rule of its own, a
    name or meaning that rates risk, a name another of the team's zones in use has."""
    errors: dict[str, str] = {}
    if RATES_RISK.search(zone.name):
        errors["name"] = (
            f"Name the zone for what the team does, like “Intensive input”. {NO_RISK_RATINGS}"
        )
    if RATES_RISK.search(zone.meaning):
        errors["meaning"] = (
            "Say what the team does for people in this zone, like “In touch most days, the plan "
            f"reviewed at every huddle”. {NO_RISK_RATINGS}"
        )
    if zone.name and "name" not in errors:
        # Unique whatever the case among the team's zones in use (a constraint on the lowered
        # name).
        same_name = Zone.objects.filter(
            same_ignoring_case("name", zone.name), team_id=zone.team_id, is_archived=False
        )
        if zone.pk is not None:
            same_name = same_name.exclude(pk=zone.pk)
        if same_name.exists():
            errors["name"] = "The team already has a zone with this name"
    records.validate(zone, also=errors)


@transaction.atomic
def zone_create(*, actor: Person, team: Team, name: str, colour: str, meaning: str) -> Zone:
    if not is_team_member(actor, team.pk):
        raise NotAllowed(f"Only members of {team.name} can change its zones.")
    zones_ensure(team=team)
    last = Zone.objects.filter(team=team).order_by("-position").values_list("position", flat=True)
    zone = Zone(
        team=team,
        name=visible(name),
        colour=colour,
        meaning=visible(meaning),
        position=(last.first() or 0) + 1,
    )
    # Every mistake at once first; then the name again as the zone is written, in case another
    # zone of that name was added meanwhile.
    _check_zone(zone)
    return records.create(
        zone, actor=actor, summary=f"Zone {zone.name}", check=lambda: _check_zone(zone)
    )


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
    values = {
        "name": visible(name),
        "colour": colour,
        "meaning": visible(meaning),
        "position": position,
    }
    changed = Zone(pk=zone.pk, team_id=zone.team_id, **values)  # the zone as it would be
    return create_or_refuse(
        lambda: _check_zone(changed),
        lambda: update_versioned(
            zone,
            actor=actor,
            expected_version=expected_version,
            fields=("name", "colour", "meaning", "position"),
            values=values,
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
