"""Reads of safety plans, formulations, positive risk-taking plans and reviews due, always
through the access chokepoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from roundtable.care import selectors as care_selectors
from roundtable.care.access import team_caseload
from roundtable.care.models import CareDecision, Episode, PersonInCare, Zone
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import Decision, DecisionStatus, Hold, Position, Stance
from roundtable.directory.models import Membership, Person, Team
from roundtable.forums import selectors as forum_selectors
from roundtable.forums.models import Forum, Meeting
from roundtable.safety.models import (
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.services import DEFAULT_REVIEW_DAYS


@dataclass
class SafetyRecord:
    person: PersonInCare
    plan: SafetyPlan | None
    plan_versions: list[SafetyPlanVersion]
    formulation: SafetyFormulation | None
    formulation_versions: list[SafetyFormulationVersion]
    reviews: list[SafetyReview]
    positive_risk_plans: list[PositiveRiskPlan]
    holds: dict[int, list[Hold]]

    @property
    def last_reviewed_on(self) -> date | None:
        return self.reviews[0].reviewed_on if self.reviews else None


def safety_record(user: Reader, person_id: int) -> SafetyRecord:
    """A person's safety plan with its history, formulation, reviews and positive risk-taking
    plans. 404 unless the user may see the person; the read is audited."""
    person = access.get_visible(user, PersonInCare, pk=person_id)
    plan = (
        access.scoped(user, SafetyPlan).filter(person=person).select_related("written_by").first()
    )
    plan_versions = (
        list(
            access.scoped(user, SafetyPlanVersion)
            .filter(plan=plan)
            .select_related("written_by")
            .order_by("-number")
        )
        if plan
        else []
    )
    formulation = (
        access.scoped(user, SafetyFormulation)
        .filter(person=person)
        .select_related("written_by")
        .first()
    )
    formulation_versions = (
        list(
            access.scoped(user, SafetyFormulationVersion)
            .filter(formulation=formulation)
            .select_related("written_by")
            .order_by("-number")
        )
        if formulation
        else []
    )
    reviews = list(
        access.scoped(user, SafetyReview)
        .filter(person=person)
        .select_related("reviewed_by", "plan_version")
        .order_by("-reviewed_on", "-pk")
    )
    plans = list(
        access.scoped(user, PositiveRiskPlan)
        .filter(episode__person=person, decision__in=access.scoped(user, Decision))
        .select_related("decision__forum", "episode__team")
        .order_by("-decision__created_at")
    )
    holds: dict[int, list[Hold]] = {}
    for hold in (
        Hold.objects.filter(decision_id__in=[p.decision_id for p in plans])
        .select_related("leader", "leadership_team")
        .order_by("created_at", "pk")
    ):
        holds.setdefault(hold.decision_id, []).append(hold)
    return SafetyRecord(
        person, plan, plan_versions, formulation, formulation_versions, reviews, plans, holds
    )


def plan_version_get(user: Reader, person_id: int, number: int) -> SafetyPlanVersion:
    """One version of a person's plan (for showing what changed), or 404."""
    return access.get_visible(
        user,
        SafetyPlanVersion,
        SafetyPlanVersion.objects.select_related("written_by", "plan__person"),
        plan__person_id=person_id,
        number=number,
        audit=False,
    )


def review_days(zones: list[Zone]) -> dict[int, int | None]:
    """How often each zone's people are reviewed: the team's choice, else the default for the
    zone's colour (None: no scheduled review). One query."""
    chosen = dict(
        ReviewFrequency.objects.filter(zone__in=zones).values_list("zone_id", "every_days")
    )
    return {z.pk: chosen.get(z.pk, DEFAULT_REVIEW_DAYS.get(z.colour)) for z in zones}


@dataclass
class ReviewDue:
    episode: Episode
    every_days: int
    last_reviewed_on: date | None
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)


def reviews_due(
    user: Reader,
    team: Team,
    *,
    key_worker: Person | None = None,
    within_days: int = 7,
    today: date | None = None,
    listed: bool = True,
) -> list[ReviewDue]:
    """Safety-plan reviews due within `within_days` (and overdue ones), soonest first.

    A list shown to the user is audited, naming the people on it; `listed=False` for a caller
    that shows only how many (the home page).

    Each person is reviewed as often as their zone asks: a person never reviewed is due from the
    day they were zoned. When their zone changes, so does their next review. Three queries.
    """
    today = today or timezone.localdate()
    episodes = (
        access.scoped(user, Episode)
        .filter(team=team, closed_at__isnull=True, zone__isnull=False)
        .select_related("person", "key_worker", "zone")
        .annotate(last_reviewed_on=last_reviewed_on())
        .order_by("person__name", "pk")
    )
    if key_worker is not None:
        episodes = episodes.filter(key_worker=key_worker)
    rows = list(episodes)
    days = review_days(list({e.zone for e in rows if e.zone is not None}))
    horizon = today + timedelta(days=within_days)
    found: list[ReviewDue] = []
    for episode in rows:
        assert episode.zone is not None
        every = days.get(episode.zone.pk)
        if every is None:
            continue
        last = getattr(episode, "last_reviewed_on", None)
        # Reviewed: due `every` days (of the zone they are in now) after the last review. Never
        # reviewed: due from the (local) day they were zoned.
        due = due_on(last, every, timezone.localdate(episode.zone_since or episode.referred_at))
        if due <= horizon:
            found.append(ReviewDue(episode, every, last, due, today))
    if listed:
        care_selectors.audit_people_shown(
            user, (r.episode.person_id for r in found), f"Safety reviews due in {team.name}"
        )
    return sorted(found, key=lambda r: (r.due_on, r.episode.person.name))


def positive_risk_plans_for(
    user: Reader, episode_ids: list[int]
) -> dict[int, list[PositiveRiskPlan]]:
    """Positive risk-taking plans of several episodes with their decision and hold count (for
    the huddle board and caseloads). One query."""
    found: dict[int, list[PositiveRiskPlan]] = {}
    plans = (
        access.scoped(user, PositiveRiskPlan)
        .filter(episode_id__in=episode_ids)
        .select_related("decision")
        .annotate(hold_count=Count("decision__holds", distinct=True))
        .order_by("-decision__created_at")
    )
    for plan in plans:
        found.setdefault(plan.episode_id, []).append(plan)
    return found


# -- For the pages and the API -------------------------------------------------------------------


def person_get(user: Reader, person_id: int) -> PersonInCare:
    """Someone the user may see, to write about, or 404. Not audited: the write that follows is."""
    return access.get_visible(
        user, PersonInCare, PersonInCare.objects.all(), pk=person_id, audit=False
    )


def caring_episode_of(user: Reader, person: PersonInCare) -> Episode | None:
    """The person's open episode with one of the user's teams (as `services.caring_episode`
    finds it), or None: those who may write the person's safety plan."""
    if not user.is_authenticated:
        return None
    return (
        access.scoped(user, Episode)
        .filter(
            person=person,
            closed_at__isnull=True,
            team_id__in=Membership.objects.filter(person=user).values("team_id"),
        )
        .select_related("team", "person", "zone", "key_worker")
        .order_by("referred_at", "pk")
        .first()
    )


def plan_get(user: Reader, person: PersonInCare) -> SafetyPlan | None:
    """The person's plan as stored now, with who last wrote it."""
    return (
        access.scoped(user, SafetyPlan).filter(person=person).select_related("written_by").first()
    )


def formulation_get(user: Reader, person: PersonInCare) -> SafetyFormulation | None:
    return (
        access.scoped(user, SafetyFormulation)
        .filter(person=person)
        .select_related("written_by")
        .first()
    )


def team_forums(team_id: int) -> list[Forum]:
    """The forums whose home is the team (its huddle, its MDT …): where its people's positive
    risk-taking plans are shared."""
    return list(
        Forum.objects.filter(home_team_id=team_id, is_archived=False).order_by("name", "pk")
    )


def meetings_today(forums: list[Forum], *, now: datetime | None = None) -> list[Meeting]:
    """Today's meetings of these forums, not cancelled: where a plan may be shared now."""
    return list(
        forum_selectors.meetings_today(now=now).filter(forum__in=forums).select_related("forum")
    )


def my_team_get(user: Person, team_id: int) -> Team:
    """A team the user is a member of, or 404: a team's reviews are for the team."""
    team = Team.objects.filter(pk=team_id, memberships__person=user).first()
    if team is None:
        raise Http404("No team found.")
    return team


def team_key_workers(user: Reader, team: Team) -> list[Person]:
    """The team's members, by name: whose reviews the list can be narrowed to."""
    return list(
        access.scoped(user, Person)
        .filter(memberships__team=team)
        .order_by("full_name", "pk")
        .distinct()
    )


@dataclass(frozen=True)
class ZoneFrequency:
    zone: Zone
    chosen_days: int | None  # what the team set; None: the default for the colour
    default_days: int | None  # None: no scheduled review (a grey zone, say)

    @property
    def every_days(self) -> int | None:
        return self.chosen_days if self.chosen_days is not None else self.default_days


def review_frequencies(zones: list[Zone]) -> list[ZoneFrequency]:
    """Each zone's review frequency: the team's choice and the default for its colour."""
    chosen = dict(
        ReviewFrequency.objects.filter(zone__in=zones).values_list("zone_id", "every_days")
    )
    return [ZoneFrequency(z, chosen.get(z.pk), DEFAULT_REVIEW_DAYS.get(z.colour)) for z in zones]


# -- For the care pages' extension points ----------------------------------------------------------


def due_on(last_reviewed_on: date | None, every_days: int, zoned_on: date) -> date:
    """When the next review is due: `every_days` after the last one, or, never reviewed, from
    the day the person was zoned (the rule `reviews_due` applies)."""
    return last_reviewed_on + timedelta(days=every_days) if last_reviewed_on else zoned_on


@dataclass(slots=True)
class ReviewState:
    episode_id: int
    every_days: int
    last_reviewed_on: date | None
    due_on: date


def last_reviewed_on() -> Subquery:
    """The day of the latest safety review of the person (`OuterRef("person")`) an episode is
    about."""
    return Subquery(
        SafetyReview.objects.filter(person=OuterRef("person"))
        .order_by()
        .values("person")
        .annotate(latest=Max("reviewed_on"))
        .values("latest")[:1]
    )


def review_state(
    episode_id: int,
    last_reviewed: date | None,
    chosen_days: int | None,
    colour: str,
    zoned_on: date,
) -> ReviewState | None:
    """When the next review is due in an episode zoned on `zoned_on` in a zone of `colour` (and
    the team's chosen frequency, if any); None in a zone with no scheduled review."""
    every = chosen_days if chosen_days is not None else DEFAULT_REVIEW_DAYS.get(colour)
    if every is None:
        return None
    return ReviewState(episode_id, every, last_reviewed, due_on(last_reviewed, every, zoned_on))


def review_states(episodes: QuerySet[Episode]) -> dict[int, ReviewState]:
    """When the next safety review is due for each of these episodes that is open and zoned.
    One query, however many.

    `episodes` must already be narrowed to what the user may see (`care.access`). Episodes in
    a zone with no scheduled review are left out. (The huddle board reads the same with its
    episodes: see `presenters.review_read`.)
    """
    rows = (
        episodes.filter(closed_at__isnull=True, zone__isnull=False)
        .order_by()
        .annotate(
            last_reviewed_on=last_reviewed_on(),
            # The local day, worked out by the database: a date is much quicker to read than a
            # moment in time, for hundreds.
            zoned_on=TruncDate(
                Coalesce("zone_since", "referred_at"), tzinfo=timezone.get_current_timezone()
            ),
        )
        .values_list(
            "pk",
            "last_reviewed_on",
            "zone__review_frequency__every_days",
            "zone__colour",
            "zoned_on",
        )
    )
    states: dict[int, ReviewState] = {}
    for pk, last, chosen, colour, zoned_on in rows:
        state = review_state(pk, last, chosen, colour, zoned_on)
        if state is not None:
            states[pk] = state
    return states


def _as_caseload(user: Reader, episode: Episode) -> QuerySet[Episode]:
    """One episode of the user's team (see `caring_episode_of`), narrowed as a board's are."""
    return team_caseload(user, episode.team_id).filter(pk=episode.pk)


def review_state_of(user: Reader, episode: Episode | None) -> ReviewState | None:
    """When the next review is due in a person's episode with one of the user's teams (see
    `caring_episode_of`), if it is open, zoned and in a zone with reviews."""
    if episode is None:
        return None
    return review_states(_as_caseload(user, episode)).get(episode.pk)


@dataclass(frozen=True)
class PlanStatus:
    """The latest positive risk-taking plan of an episode, its decision and who holds it."""

    episode_id: int
    decision: Decision
    holders: list[str]


def latest_positive_risk(user: Reader, episodes: QuerySet[Episode]) -> dict[int, PlanStatus]:
    """The latest positive risk-taking plan not withdrawn of each of these episodes, with the
    names of the leaders holding it. One query.

    `episodes` must already be narrowed to what the user may see (`care.access`); so are the
    plans' decisions then: a decision about someone is for those who may see them.
    """
    holds = access.scoped(user, Hold).filter(decision=OuterRef("decision")).order_by()
    found: dict[int, PlanStatus] = {}
    plans = (
        PositiveRiskPlan.objects.filter(episode__in=episodes)
        .exclude(decision__status=DecisionStatus.WITHDRAWN)
        .select_related("decision")
        .annotate(
            first_holder=Subquery(
                holds.order_by("created_at", "pk").values("leader__full_name")[:1]
            ),
            hold_count=Coalesce(
                Subquery(holds.values("decision").annotate(n=Count("pk")).values("n")[:1]),
                Value(0),
            ),
        )
        .order_by("decision__created_at", "pk")
    )
    for plan in plans:
        holders: list[str] = []
        first = getattr(plan, "first_holder", None)
        if first:
            holders.append(first)
            others = int(getattr(plan, "hold_count", 0)) - 1
            if others > 0:
                holders.append(f"{others} {'other' if others == 1 else 'others'}")
        found[plan.episode_id] = PlanStatus(plan.episode_id, plan.decision, holders)  # latest wins
    return found


def positive_risk_of(user: Reader, episode: Episode | None) -> PlanStatus | None:
    """The latest positive risk-taking plan in a person's episode with one of the user's teams
    (see `caring_episode_of`)."""
    if episode is None:
        return None
    return latest_positive_risk(user, _as_caseload(user, episode)).get(episode.pk)


@dataclass
class SharedDecision:
    """A decision about someone: who shared it (consented on the current revision) and who
    holds it. Nobody decides alone."""

    decision: Decision
    shared_by: list[Person] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)


def latest_decisions(
    user: Reader, episode_ids: list[int], *, per_episode: int = 3
) -> dict[int, list[SharedDecision]]:
    """The latest decisions about each episode (not withdrawn), newest first, with who shared
    and who holds each. Three queries, however many episodes."""
    rows = list(
        CareDecision.objects.filter(
            episode_id__in=episode_ids,
            episode__in=access.scoped(user, Episode),
            decision__in=access.scoped(user, Decision),
        )
        .exclude(decision__status=DecisionStatus.WITHDRAWN)
        .select_related("decision__forum")
        .order_by("-decision__created_at", "-pk")
    )
    found: dict[int, list[SharedDecision]] = {}
    by_decision: dict[int, SharedDecision] = {}
    for row in rows:
        shown = found.setdefault(row.episode_id, [])
        if len(shown) < per_episode:
            shared = SharedDecision(row.decision)
            shown.append(shared)
            by_decision[row.decision_id] = shared
    if not by_decision:
        return found
    for position in (
        access.scoped(user, Position)
        .filter(
            decision_id__in=list(by_decision),
            revision=F("decision__current_revision"),
            stance__in=[Stance.CONSENT, Stance.CONCERN],
        )
        .select_related("person")
        .order_by("person__full_name", "pk")
    ):
        by_decision[position.decision_id].shared_by.append(position.person)
    for hold in (
        access.scoped(user, Hold)
        .filter(decision_id__in=list(by_decision))
        .select_related("leader", "leadership_team")
        .order_by("created_at", "pk")
    ):
        by_decision[hold.decision_id].holds.append(hold)
    return found


def last_review_on(user: Reader, person: PersonInCare) -> date | None:
    """When the person's safety plan was last reviewed with them, if ever."""
    latest = (
        access.scoped(user, SafetyReview)
        .filter(person=person)
        .order_by("-reviewed_on")
        .values_list("reviewed_on", flat=True)
        .first()
    )
    return latest


def my_reviews_due(user: Person, *, within_days: int = 7) -> list[tuple[Team, list[ReviewDue]]]:
    """For each of the user's teams with any, the safety reviews due (for the home page)."""
    teams = Team.objects.filter(memberships__person=user).order_by("name", "pk").distinct()
    found = []
    for team in teams:
        due = reviews_due(user, team, within_days=within_days, listed=False)
        if due:
            found.append((team, due))
    return found


def positive_risk_plan_exists() -> Exists:
    """Whether an episode (`OuterRef("pk")`) has a positive risk-taking plan not withdrawn."""
    return Exists(
        PositiveRiskPlan.objects.filter(episode=OuterRef("pk")).exclude(
            decision__status=DecisionStatus.WITHDRAWN
        )
    )


def visible_episodes(user: Reader, episode_ids: list[int]) -> QuerySet[Episode]:
    """These episodes, narrowed to those the user may see."""
    return access.scoped(user, Episode).filter(pk__in=episode_ids)


def records_about(person: PersonInCare) -> list[tuple[type[models.Model], list[int]]]:
    """The person's safety plan, formulation and reviews: for the report of who has read about
    them."""
    return [
        (SafetyPlan, list(SafetyPlan.objects.filter(person=person).values_list("pk", flat=True))),
        (
            SafetyFormulation,
            list(SafetyFormulation.objects.filter(person=person).values_list("pk", flat=True)),
        ),
        (
            SafetyReview,
            list(SafetyReview.objects.filter(person=person).values_list("pk", flat=True)),
        ),
    ]
