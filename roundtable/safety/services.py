"""Every write to safety plans, formulations, positive risk-taking plans and reviews.

Validated, transactional, audited. A plan is written by someone on the person's caseload, with
the person; every save is a new version, and two people saving at once never lose either text:
the second is refused with `ConcurrentEditError` and shown both versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care import services as care_services
from roundtable.care.models import Episode, PersonInCare, Zone
from roundtable.core import records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import Decision, DecisionKind
from roundtable.directory.models import Person, Team
from roundtable.forums.models import Forum, Meeting
from roundtable.safety.models import (
    FormulationContent,
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanContent,
    SafetyPlanVersion,
    SafetyReview,
)


def caring_episode(actor: Person, person: PersonInCare) -> Episode:
    """The open episode of `person` with one of the actor's teams; refused otherwise."""
    episode = care_services.caring_episode(actor, person)
    if episode is None:
        raise NotAllowed(
            f"{person.name} is not on the caseload of any of your teams: only the team caring "
            "for someone writes their safety plan."
        )
    return episode


def _clean_texts(values: Mapping[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise TypeError(f"Unexpected field(s): {', '.join(unknown)}")
    return {name: visible(values.get(name)) for name in fields}


def _check_review_on(review_on: date | None, errors: dict[str, str]) -> None:
    if review_on is not None and review_on < timezone.localdate():
        errors["review_on"] = "The review date must be today or in the future"


def _check_no_plan_yet(person: PersonInCare) -> None:
    """A first plan is refused once the person has one: the writer compares the two."""
    plan = SafetyPlan.objects.filter(person=person).first()
    if plan is not None:
        raise ConcurrentEditError(plan)


def _check_no_formulation_yet(person: PersonInCare) -> None:
    formulation = SafetyFormulation.objects.filter(person=person).first()
    if formulation is not None:
        raise ConcurrentEditError(formulation)


@transaction.atomic
def safety_plan_save(
    *,
    actor: Person,
    person: PersonInCare,
    values: Mapping[str, str],
    written_with: str,
    review_on: date | None = None,
    expected_version: int | None = None,
) -> SafetyPlan:
    """Write the person's safety plan (a first version, or the next one).

    `expected_version` is the version the writer started from (None for a new plan). If someone
    saved in between, ConcurrentEditError carries the stored plan so both texts can be shown.
    """
    texts = _clean_texts(values, SafetyPlanContent.FIELDS)
    written = SafetyPlan(
        person=person,
        written_by=actor,
        written_with=visible(written_with),
        review_on=review_on,
        **texts,
    )
    errors: dict[str, str] = {}
    if not any(texts.values()):
        errors["warning_signs"] = "Write at least one step of the plan, in the person's words"
    _check_review_on(review_on, errors)
    records.validate(written, also=errors)
    episode = caring_episode(actor, person)
    plan = SafetyPlan.objects.select_for_update().filter(person=person).first()
    if plan is None:
        if expected_version is not None:
            raise ValidationError("This safety plan no longer exists.")
        # Two first plans written at the same moment: the second is shown the first, as for
        # any save that someone else's came before (one plan per person is a constraint).
        plan = records.create(
            written,
            actor=actor,
            summary=f"Safety plan version {written.version}",
            check=lambda: _check_no_plan_yet(person),
        )
    else:
        if expected_version is None or expected_version != plan.version:
            raise ConcurrentEditError(plan)
        # The values were validated above, as `written`.
        for name, text in texts.items():
            setattr(plan, name, text)
        plan.written_by = actor
        plan.written_with = written.written_with
        plan.review_on = review_on
        save_versioned(
            plan,
            expected_version=expected_version,
            fields=(*SafetyPlanContent.FIELDS, "written_by", "written_with", "review_on"),
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=plan,
            summary=f"Safety plan version {plan.version}",
        )
    # The version and the review are written beside the plan's own audit event.
    version = SafetyPlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        written_by=actor,
        written_with=plan.written_with,
        review_on=review_on,
        **texts,
    )
    SafetyReview.objects.create(
        person=person,
        episode=episode,
        reviewed_by=actor,
        reviewed_on=timezone.localdate(),
        note=f"Safety plan written (version {version.number}) with {plan.written_with}.",
        plan_version=version,
    )
    return plan


@transaction.atomic
def safety_formulation_save(
    *,
    actor: Person,
    person: PersonInCare,
    values: Mapping[str, str],
    expected_version: int | None = None,
) -> SafetyFormulation:
    texts = _clean_texts(values, FormulationContent.FIELDS)
    if not any(texts.values()):
        raise ValidationError({"presenting": "Write at least one part of the formulation"})
    caring_episode(actor, person)
    formulation = SafetyFormulation.objects.select_for_update().filter(person=person).first()
    if formulation is None:
        if expected_version is not None:
            raise ValidationError("This formulation no longer exists.")
        first = SafetyFormulation(person=person, written_by=actor, **texts)
        formulation = records.create(
            first,
            actor=actor,
            summary=f"Safety formulation version {first.version}",
            check=lambda: _check_no_formulation_yet(person),
        )
    else:
        if expected_version is None or expected_version != formulation.version:
            raise ConcurrentEditError(formulation)
        for name, text in texts.items():
            setattr(formulation, name, text)
        formulation.written_by = actor
        records.validate(formulation)
        save_versioned(
            formulation,
            expected_version=expected_version,
            fields=(*FormulationContent.FIELDS, "written_by"),
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=formulation,
            summary=f"Safety formulation version {formulation.version}",
        )
    # Written beside the formulation's own audit event.
    SafetyFormulationVersion.objects.create(
        formulation=formulation, number=formulation.version, written_by=actor, **texts
    )
    return formulation


@transaction.atomic
def safety_review_record(
    *, actor: Person, person: PersonInCare, note: str = "", reviewed_on: date | None = None
) -> SafetyReview:
    """The plan was reviewed with the person and still stands."""
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": "The review date cannot be in the future"})
    episode = caring_episode(actor, person)
    plan = SafetyPlan.objects.filter(person=person).first()
    if plan is None:
        raise ValidationError(f"{person.name} has no safety plan yet: write it with them first.")
    latest = SafetyPlanVersion.objects.filter(plan=plan).order_by("-number").first()
    return records.create(
        SafetyReview(
            person=person,
            episode=episode,
            reviewed_by=actor,
            reviewed_on=reviewed_on,
            note=visible(note),
            plan_version=latest,
        ),
        actor=actor,
        summary="Safety review",
    )


@transaction.atomic
def positive_risk_propose(
    *,
    actor: Person,
    episode: Episode,
    forum: Forum,
    wants_to: str,
    benefits: str,
    possible_harms: str,
    safeguards: str,
    who_does_what: str,
    review_on: date | None,
    meeting: Meeting | None = None,
) -> Decision:
    """Propose a positive risk-taking plan for the team (VCSE partners included) to share."""
    if not care_services.is_team_member(actor, episode.team_id):
        raise NotAllowed(f"{episode.person.name} is not on the caseload of any of your teams.")
    texts = {
        "wants_to": visible(wants_to),
        "benefits": visible(benefits),
        "possible_harms": visible(possible_harms),
        "safeguards": visible(safeguards),
        "who_does_what": visible(who_does_what),
    }
    plan = PositiveRiskPlan(episode=episode, **texts)
    if review_on is not None:  # else the plan's own rule asks for the date
        plan.review_on = review_on
    errors: dict[str, str] = {}
    _check_review_on(review_on, errors)
    if forum.home_team_id != episode.team_id or forum.is_archived:
        # The page offers the team's forums in use; the API is held to the same rule.
        errors["forum"] = f"Choose a forum of {episode.team.name}"
    if not episode.is_open:
        errors["episode"] = "This episode is closed"
    records.validate(plan, also=errors)
    assert review_on is not None
    decision = care_services.care_decision_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        meeting=meeting,
        kind=DecisionKind.POSITIVE_RISK,
        title=f"Positive risk-taking: {episode.person.name} — {texts['wants_to'][:120]}",
        proposal="\n\n".join(
            f"{label}: {texts[name]}"
            for name, label in (
                ("wants_to", "What the person wants to do"),
                ("benefits", "Benefits"),
                ("possible_harms", "Possible harms"),
                ("safeguards", "Safeguards"),
                ("who_does_what", "Who does what"),
            )
        ),
        review_on=review_on,
    )
    # The plan is written beside the decision's own audit event.
    plan.decision = decision
    plan.save(force_insert=True)
    return decision


# Review in proportion to the team's input: used for a zone whose team has not set its own.
DEFAULT_REVIEW_DAYS: dict[str, int] = {
    "red": 7,
    "amber": 14,
    "green": 91,
    "blue": 182,
    "purple": 28,
}


@transaction.atomic
def review_frequency_set(*, actor: Person, zone: Zone, every_days: int | None) -> Zone:
    """Set how often people in `zone` have their safety plan reviewed (None: the default)."""
    if not care_services.is_team_member(actor, zone.team_id):
        raise NotAllowed(f"Only members of {zone.team.name} can set its review frequency.")
    if every_days is not None and not 1 <= every_days <= 366:
        raise ValidationError({"every_days": "Enter a number of days from 1 to 366"})
    if every_days is None:
        ReviewFrequency.objects.filter(zone=zone).delete()
    else:
        ReviewFrequency.objects.update_or_create(zone=zone, defaults={"every_days": every_days})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=zone,
        summary=f"Review every {every_days or 'default'} days",
    )
    return zone


@transaction.atomic
def review_frequencies_set(
    *, actor: Person, team: Team, every_days: Mapping[int, int | None]
) -> list[Zone]:
    """Set the review frequency of several of the team's zones at once (by zone id; None: the
    default for the zone's colour). All or nothing: one bad number stores none of them.

    Errors are keyed `zone_<id>`."""
    if not care_services.is_team_member(actor, team.pk):
        raise NotAllowed(f"Only members of {team.name} can set its review frequency.")
    zones = {z.pk: z for z in Zone.objects.filter(team=team, is_archived=False)}
    errors: dict[str, str] = {}
    for zone_id, days in every_days.items():
        if zone_id not in zones:
            errors[f"zone_{zone_id}"] = f"Choose one of {team.name}'s zones"
        elif days is not None and not 1 <= days <= 366:
            errors[f"zone_{zone_id}"] = (
                f"Enter a number of days from 1 to 366 for {zones[zone_id].name}, or leave it "
                "blank for the default"
            )
    if errors:
        raise ValidationError(errors)
    now = dict(
        ReviewFrequency.objects.filter(zone__in=list(zones.values())).values_list(
            "zone_id", "every_days"
        )
    )
    for zone_id, days in every_days.items():
        if now.get(zone_id) != days:  # only what changed is written and audited
            review_frequency_set(actor=actor, zone=zones[zone_id], every_days=days)
    return [zones[zone_id] for zone_id in every_days]
