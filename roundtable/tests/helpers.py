"""Helpers for the need-to-know crawl (`test_need_to_know.py`): every URL pattern of the
project as a `Route`, what each path parameter names, and the ids tried for each persona
(`Samples`), those nearest the edge of what they may see first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import F, Model, Q, QuerySet
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from roundtable.care.models import CareAction, ConsentToShare, Episode, Offer, Stage, Zone
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Budget,
    Decision,
    DecisionStatus,
    Notification,
)
from roundtable.directory.models import (
    ApiToken,
    LeadershipTeam,
    Membership,
    Organisation,
    Person,
    Team,
    TeamKind,
)
from roundtable.forums.models import Attendance, Forum, ForumKind, ForumMembership, Meeting
from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.learning.models import (
    ChangeCycle,
    ContributoryFactor,
    LearningEvent,
    LearningResponse,
    Participant,
    PracticeNote,
    Ramp,
    SafetyAction,
    SupportAfterEvent,
)
from roundtable.safety.models import SafetyPlanVersion
from roundtable.voice.models import Concern
from roundtable.wellbeing.models import PeerCircle, PulseRound, SupportSession

# -- The URL patterns -------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # as written, with converters: "care/people/<int:person_id>/"
    namespace: str
    params: tuple[str, ...]
    model: type[Model] | None = None  # for a set-up (admin) page: the model it sets up

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/v1/")

    @property
    def tries(self) -> int:
        """How many of the ids sampled for the route's last parameter are tried (see TRIES)."""
        if not self.params:
            return 1
        own_page = self.path.rstrip("/").endswith(">")
        own, under = TRIES.get(kind_of(self, self.params[-1]), (1, 1))
        return own if own_page else under

    def url(self, values: dict[str, Any]) -> str:
        return "/" + PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)


def _admin_model(path: str) -> type[Model] | None:
    """The model of a set-up page: admin/<app label>/<model name>/…"""
    match = re.match(r"admin/(\w+)/(\w+)/", path)
    if match is None:
        return None
    try:
        return apps.get_model(match.group(1), match.group(2))
    except LookupError:
        return None


def all_routes() -> list[Route]:
    """Every URL pattern, once per path (the API names a path once for each method)."""
    routes: dict[str, Route] = {}

    def walk(patterns: Iterable[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            pattern = entry.pattern
            text = str(pattern)
            if isinstance(pattern, RegexPattern):
                if pattern.regex.groups:
                    # Only the admin's per-app index: a list of set-up pages, naming no one.
                    assert namespace == "admin" or entry.namespace == "admin", text
                    continue
                text = text.lstrip("^").rstrip("$").replace("\\", "")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                path = prefix + text
                routes.setdefault(
                    path,
                    Route(path, namespace, tuple(PARAMETER.findall(path)), _admin_model(path)),
                )

    walk(get_resolver().url_patterns, "", "")
    return list(routes.values())


# Not reads, or not about anyone: never crawled.
NOT_READS = {
    "sign-in/",
    "sign-out/",
    "admin/logout/",
    "api/v1/openapi.json",  # the API described, not its data
    "api/v1/docs",
    "api/v1/<path:unknown>",  # the API's catch-all 404
    # An anonymous raiser's receipt: its token is a secret only the raiser holds, and opening
    # it names nobody (ADR 0012).
    "voice/receipt/<str:token>/",
    "api/v1/voice/receipts/<token>",
    "api/v1/voice/receipts/<token>/replies",
    "admin/r/<path:content_type_id>/<path:object_id>/",  # the admin's "view on site" redirect
}


# What each path parameter names, read from the views and API routes. Two names mean different
# things in different places: see `kind_of`.
PARAM_KINDS: dict[str, str] = {
    "team_id": "team",
    "organisation_id": "organisation",
    "forum_id": "forum",
    "meeting_id": "meeting",
    "decision_id": "decision",
    "episode_id": "episode",
    "consent_id": "consent",
    "action_id": "action",
    "offer_id": "offer",
    "zone_id": "zone",
    "advice_id": "advice",
    "number": "plan_version",  # a safety plan's version, under its person: see PAIRS
    "attendance_id": "attendance",
    "membership_id": "forum_membership",
    "budget_id": "budget",
    "concern_id": "concern",
    "session_id": "support_session",
    "circle_id": "peer_circle",
    "leadership_team_id": "leadership_team",
    "token_id": "api_token",
    "token": "calendar_feed",  # calendar/<str:token>.ics; the receipts' tokens are not crawled
    "event_id": "learning_event",
    "response_id": "learning_response",
    "factor_id": "learning_factor",
    "participant_id": "learning_participant",
    "support_id": "learning_support",
    "ramp_id": "learning_ramp",
    "cycle_id": "learning_cycle",
    "note_id": "practice_note",
    "slug": "insights_measure",  # a measure's name in insights' paths
}


def kind_of(route: Route, param: str) -> str:
    if param == "person_id":
        # A person in care on the care and safety pages and their API; a member of staff in the
        # directory and in a key worker's caseload (care/caseload/<person_id>/).
        in_care = re.match(r"(api/v1/)?(care|safety)/people/", route.path)
        return "care_person" if in_care else "staff"
    if route.namespace == "admin" and param in ("object_id", "id"):
        return "admin_object"  # a record of the ModelAdmin's model (a person's password: "id")
    if param == "round_id":
        return "pulse_round" if route.path.startswith("api/v1/wellbeing/") else "allocation_round"
    if param == "action_id" and re.match(r"(api/v1/)?learning/", route.path):
        return "learning_action"  # a safety action; elsewhere a care action
    if param not in PARAM_KINDS:
        raise AssertionError(
            f"The URL pattern {route.path!r} has a parameter {param!r} that this test cannot "
            "fill: add it to PARAM_KINDS, so that its answers are checked too."
        )
    return PARAM_KINDS[param]


# The set-up pages' models that are also path parameters elsewhere.
ADMIN_KINDS = {
    "directory.team": "team",
    "directory.person": "staff",
    "directory.organisation": "organisation",
    "directory.leadershipteam": "leadership_team",
    "directory.apitoken": "api_token",
    "forums.forum": "forum",
    "forums.meeting": "meeting",
}


# Parameters in pairs name a record and its parent, and are filled from one record.
PAIRS: dict[frozenset[str], str] = {
    frozenset({"team_id", "episode_id"}): "card",
    frozenset({"forum_id", "episode_id"}): "front_door_referral",
    frozenset({"team_id", "zone_id"}): "team_zone",
    frozenset({"person_id", "consent_id"}): "person_consent",
    frozenset({"person_id", "number"}): "person_plan_version",
    frozenset({"decision_id", "advice_id"}): "decision_advice",
    frozenset({"meeting_id", "attendance_id"}): "meeting_attendance",
    frozenset({"forum_id", "membership_id"}): "forum_membership",
    frozenset({"response_id", "factor_id"}): "response_factor",
    frozenset({"response_id", "participant_id"}): "response_participant",
    frozenset({"team_id", "slug"}): "team_measure",
    frozenset({"organisation_id", "slug"}): "organisation_measure",
}


# Lists with a search (`?q=`), searched with words that find people the persona may not see.
SEARCHABLE = {
    "admin/audit/auditevent/",  # the audit trail's summaries (the other set-up lists hold none)
    "directory/people/",
    "decisions/",
    "decisions/export.csv",
    "api/v1/decisions/decisions",
    "api/v1/care/people",
    "api/v1/directory/people",
}


# Other query strings that widen what a list answers.
WIDER: dict[str, list[dict[str, str]]] = {
    "api/v1/decisions/notifications": [{"unread_only": "false"}],
}


# -- The ids to try, per persona --------------------------------------------------------------

# How many ids are tried, by the kind of the path's last parameter: on the record's own page
# (its path ends with the id), and on the pages under it (its forms: edit, revise, cancel …).
# The samples put those the persona may not see first, with one they may see second: so a
# person in care's page is tried with three people they may not see and one they may. Kinds that
# are not about people in care (a concern, a pulse round, an organisation …) are tried once.
# Enough to catch a view that forgets to check, with the whole module well under two minutes.
TRIES: dict[str, tuple[int, int]] = {
    "care_person": (4, 2),
    "episode": (4, 2),
    "decision": (4, 2),
    "meeting": (4, 2),
    "forum": (4, 2),
    "team": (2, 2),
    "staff": (2, 1),  # a key worker of someone hidden, then the persona
    "consent": (2, 2),
    "plan_version": (2, 2),
    # One record for each set-up page; for the audit trail, events about hidden people too.
    "admin_object": (4, 4),
}


def _distinct(ids: Iterable[Any]) -> list[Any]:
    return [pk for pk in dict.fromkeys(ids) if pk is not None]


def _spread(ids: Iterable[Any], limit: int) -> list[Any]:
    """Up to `limit` of `ids`, spread across them: the first, the last and between."""
    ids = _distinct(ids)
    if len(ids) <= limit:
        return ids
    step = (len(ids) - 1) / max(limit - 1, 1)
    return _distinct(ids[round(i * step)] for i in range(limit))


def _round_robin(*groups: Iterable[Any], limit: int = 8) -> list[Any]:
    """One from each group in turn (each in its order of preference), up to `limit`."""
    queues = [_distinct(group) for group in groups]
    chosen: list[Any] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            while queue:
                item = queue.pop(0)
                if item not in chosen:
                    chosen.append(item)
                    break
            if len(chosen) == limit:
                break
    return chosen


def _alternate(outside: Iterable[Any], inside: Iterable[Any], limit: int = 8) -> list[Any]:
    """Records the persona may not see (outside) and may see (inside): the first two tried are
    one of each (where there is one they may see), then the rest, outside first."""
    outside, inside = _distinct(outside), _distinct(inside)
    return _distinct([*outside[:1], *inside[:1], *outside[1:], *inside[1:]])[:limit]


def _ids(queryset: QuerySet[Any], field_name: str = "pk") -> list[Any]:
    return list(queryset.values_list(field_name, flat=True))


@dataclass
class Samples:
    """The ids tried for each kind of parameter, for one persona, those nearest the edge of
    what they may see first: people once cared for by their team, waiting at the front door,
    sharing with a partner organisation, named in their notices; and the records about them."""

    visible: set[int]
    single: dict[str, list[Any]] = field(default_factory=dict)
    pairs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hidden_people: list[int] = field(default_factory=list)
    hidden_decisions: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, persona: Person, visible: set[int], feed_token: str) -> Samples:
        s = cls(visible)
        single = s.single
        my_teams = _ids(Membership.objects.filter(person=persona).order_by("team_id"), "team_id")
        my_forums = _ids(
            ForumMembership.objects.filter(person=persona).order_by("forum_id"), "forum_id"
        )
        episodes = Episode.objects.order_by("pk")
        # Each episode's team and key worker, and each decision's meeting, by id.
        teams_of = dict(episodes.values_list("pk", "team_id"))
        key_workers_of = dict(episodes.values_list("pk", "key_worker_id"))
        meetings_of = dict(Decision.objects.values_list("pk", "meeting_id"))
        hidden_episodes = episodes.exclude(person_id__in=visible)
        notices = Notification.objects.filter(person=persona).order_by("-created_at", "-pk")
        consenting = _ids(ConsentToShare.objects.order_by("pk"), "person_id")

        # People in care.
        s.hidden_people = _round_robin(
            _ids(hidden_episodes.filter(team_id__in=my_teams), "person_id"),  # cared for once
            _ids(hidden_episodes.filter(stage=Stage.REFERRED), "person_id"),  # at the front door
            [pk for pk in consenting if pk not in visible],  # sharing with a partner
            [
                pk
                for pk in _ids(notices, "decision__care__episode__person_id")
                if pk is not None and pk not in visible
            ],
            _spread(_ids(hidden_episodes, "person_id"), 6),
            limit=6,
        )
        shown_people = _round_robin(
            _ids(episodes.filter(person_id__in=visible, closed_at__isnull=True), "person_id"),
            [pk for pk in consenting if pk in visible],
            limit=2,
        )
        single["care_person"] = _alternate(s.hidden_people, shown_people)

        # Their episodes (the open one, or the latest), and the old ones of the persona's teams.
        def episode_of(person_id: int) -> int | None:
            episode = episodes.filter(person_id=person_id).order_by(
                F("closed_at").desc(nulls_first=True), "-referred_at"
            )
            return episode.values_list("pk", flat=True).first()

        single["episode"] = _alternate(
            [episode_of(pk) for pk in s.hidden_people]
            + _ids(hidden_episodes.filter(team_id__in=my_teams))[:2],
            [episode_of(pk) for pk in shown_people],
        )

        # Decisions about people in care (all the demo's decisions are): about the people
        # above, in the persona's notices, open for positions, in their forums; one about
        # someone they may see; and one about no one, if any.
        about_someone = Decision.objects.filter(care__isnull=False).order_by("pk")
        hidden_decisions = about_someone.exclude(care__episode__person_id__in=visible)
        s.hidden_decisions = _round_robin(
            *(
                _ids(hidden_decisions.filter(care__episode__person_id=pk).order_by("-pk"))
                for pk in s.hidden_people
            ),
            _ids(hidden_decisions.filter(pk__in=notices.values("decision_id")).order_by("-pk")),
            _ids(hidden_decisions.filter(status=DecisionStatus.OPEN)),
            _ids(hidden_decisions.filter(forum_id__in=my_forums).order_by("-pk")),
            limit=6,
        )
        single["decision"] = _alternate(
            s.hidden_decisions,
            _ids(about_someone.filter(care__episode__person_id__in=visible))[:3],
        ) + _spread(_ids(Decision.objects.filter(care__isnull=True).order_by("pk")), 1)

        # Meetings where those decisions were taken, the next front-door meeting, and the
        # persona's next meeting.
        upcoming = Meeting.objects.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        single["meeting"] = _alternate(
            [meetings_of[pk] for pk in s.hidden_decisions]
            + _ids(upcoming.filter(forum__kind=ForumKind.FRONT_DOOR))[:1],
            _ids(upcoming.filter(forum_id__in=my_forums))[:1],
            limit=5,
        )

        # Forums where decisions about people in care are made, the front door's first; then the
        # persona's other forums.
        front_doors = set(_ids(Forum.objects.filter(kind=ForumKind.FRONT_DOOR)))
        decision_forums = sorted(
            set(_ids(about_someone, "forum_id")), key=lambda pk: (pk not in front_doors, pk)
        )
        single["forum"] = _alternate(
            [pk for pk in decision_forums if pk not in my_forums],
            [pk for pk in decision_forums if pk in my_forums] + my_forums,
        )

        # Teams: those of the episodes above and the front door; and the persona's own.
        outside_teams = [teams_of[pk] for pk in single["episode"]]
        outside_teams += _ids(Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("pk"))
        single["team"] = _alternate([pk for pk in outside_teams if pk not in my_teams], my_teams)

        # Staff: the key workers of the episodes above (their caseloads), and the persona.
        key_workers = [key_workers_of[pk] for pk in single["episode"]]
        single["staff"] = _alternate(
            [pk for pk in key_workers if pk != persona.pk], [persona.pk], limit=3
        )

        def spread(model: type[Model], limit: int = 2, **lookups: Any) -> list[Any]:
            return _spread(_ids(model._default_manager.filter(**lookups).order_by("pk")), limit)

        single["organisation"] = _alternate(spread(Organisation), [persona.organisation_id])
        single["consent"] = spread(ConsentToShare)
        single["action"] = spread(CareAction, episode_id__in=single["episode"])
        single["offer"] = spread(Offer)
        single["zone"] = spread(Zone, team_id__in=single["team"])
        single["advice"] = spread(AdviceRequest)
        single["attendance"] = spread(Attendance, meeting_id__in=single["meeting"])
        single["forum_membership"] = spread(ForumMembership, forum_id__in=single["forum"])
        single["budget"] = spread(Budget)
        single["allocation_round"] = spread(AllocationRound)
        single["pulse_round"] = spread(PulseRound)
        single["concern"] = spread(Concern, 3)
        single["support_session"] = spread(SupportSession)
        single["peer_circle"] = spread(PeerCircle)
        single["leadership_team"] = spread(LeadershipTeam, 3)
        single["api_token"] = spread(ApiToken, person=persona)
        single["calendar_feed"] = [feed_token]  # the persona's own feed
        # Learning: events about someone in care first (hidden from most personas), then the
        # responses covering them and their actions.
        events = LearningEvent.objects.order_by("person_id", "pk")
        single["learning_event"] = s.about_rows(events.values_list("person_id", "pk"), 3)
        responses = LearningResponse.objects.order_by("pk")
        single["learning_response"] = _spread(_ids(responses), 3)
        single["learning_action"] = spread(SafetyAction, 3)
        single["learning_factor"] = spread(ContributoryFactor)
        single["learning_participant"] = spread(Participant)
        single["learning_support"] = spread(SupportAfterEvent, 3)
        single["learning_ramp"] = spread(Ramp)
        single["learning_cycle"] = spread(ChangeCycle)
        single["practice_note"] = spread(PracticeNote)
        single["insights_measure"] = [READY_TO_MOVED_ON.slug]

        # Pairs, each from one record. The huddle card is also tried under the persona's own
        # team, so that a view checking only the team would show an episode of another.
        own = my_teams[0] if my_teams else None
        card_pairs = [(teams_of[e], e) for e in single["episode"]]
        swapped = [(own, e) for t, e in card_pairs if own is not None and t != own]
        s.pairs["card"] = [
            {"team_id": t, "episode_id": e} for t, e in _alternate(swapped, card_pairs, 6)
        ]
        front_door = _ids(Forum.objects.filter(kind=ForumKind.FRONT_DOOR).order_by("pk"))[:1]
        referred = _ids(episodes.filter(stage=Stage.REFERRED))
        s.pairs["front_door_referral"] = [
            {"forum_id": f, "episode_id": e} for f in front_door for e in _spread(referred, 2)
        ]
        zones = Zone.objects.filter(team_id__in=single["team"]).order_by("pk")
        s.pairs["team_zone"] = [
            {"team_id": t, "zone_id": z} for t, z in zones.values_list("team_id", "pk")[:2]
        ]
        consents = ConsentToShare.objects.order_by("pk").values_list("person_id", "pk")
        s.pairs["person_consent"] = [
            {"person_id": p, "consent_id": c} for p, c in s.about_people(consents)
        ]
        versions = SafetyPlanVersion.objects.order_by("pk").values_list("plan__person_id", "number")
        s.pairs["person_plan_version"] = [
            {"person_id": p, "number": n} for p, n in s.about_people(versions)
        ]
        advice = AdviceRequest.objects.order_by("pk").values_list("decision_id", "pk")
        s.pairs["decision_advice"] = [{"decision_id": d, "advice_id": a} for d, a in advice[:2]]
        attendance = Attendance.objects.filter(meeting_id__in=single["meeting"]).order_by("pk")
        s.pairs["meeting_attendance"] = [
            {"meeting_id": m, "attendance_id": a}
            for m, a in attendance.values_list("meeting_id", "pk")[:2]
        ]
        memberships = ForumMembership.objects.filter(forum_id__in=single["forum"]).order_by("pk")
        s.pairs["forum_membership"] = [
            {"forum_id": f, "membership_id": m}
            for f, m in memberships.values_list("forum_id", "pk")[:2]
        ]
        factors = ContributoryFactor.objects.order_by("pk").values_list("response_id", "pk")
        s.pairs["response_factor"] = [{"response_id": r, "factor_id": f} for r, f in factors[:2]]
        participants = Participant.objects.order_by("pk").values_list("response_id", "pk")
        s.pairs["response_participant"] = [
            {"response_id": r, "participant_id": p} for r, p in participants[:2]
        ]
        # A measure of each team and organisation tried above (its figures name no one).
        slug = READY_TO_MOVED_ON.slug
        s.pairs["team_measure"] = [{"team_id": t, "slug": slug} for t in single["team"]]
        s.pairs["organisation_measure"] = [
            {"organisation_id": o, "slug": slug} for o in single["organisation"]
        ]
        return s

    def about_rows(self, rows: Iterable[tuple[int | None, Any]], limit: int) -> list[Any]:
        """The ids of rows that may name a person in care: about someone hidden, about someone
        visible, about no one, in turn."""
        rows = list(rows)
        return _round_robin(
            [pk for person, pk in rows if person is not None and person not in self.visible],
            [pk for person, pk in rows if person is not None and person in self.visible],
            [pk for person, pk in rows if person is None],
            limit=limit,
        )

    def about_people(self, rows: Iterable[tuple[int, Any]]) -> list[tuple[int, Any]]:
        """Of rows keyed by a person in care: one about someone hidden, one about someone
        visible."""
        rows = list(rows)
        return _alternate(
            [row for row in rows if row[0] not in self.visible],
            [row for row in rows if row[0] in self.visible],
            limit=2,
        )

    def admin_objects(self, model: type[Model]) -> list[Any]:
        """For a set-up page of `model`: one of its records (of those tried elsewhere, when
        there are: a team that cares for people, a forum that decides about them); for the
        audit trail, first the events about the hidden people and decisions above."""
        kind = ADMIN_KINDS.get(model._meta.label_lower)
        chosen = self.single[kind][:1] if kind else []
        chosen = chosen or _ids(model._default_manager.order_by("pk"))[:1]
        if model._meta.label_lower == "audit.auditevent":
            about = model._default_manager.filter(
                Q(
                    object_type="care.personincare",
                    object_id__in=[str(pk) for pk in self.hidden_people],
                )
                | Q(
                    object_type="decisions.decision",
                    object_id__in=[str(pk) for pk in self.hidden_decisions],
                )
            )
            chosen = _distinct([*_ids(about.order_by("pk"))[:3], *chosen])
        return chosen

    def values_for(self, route: Route) -> list[dict[str, Any]]:
        """The parameter values to try for `route`, in order: [{}] when it has none."""
        if not route.params:
            return [{}]
        if len(route.params) == 1:
            (param,) = route.params
            kind = kind_of(route, param)
            if kind == "admin_object":
                assert route.model is not None, route.path
                return [{param: pk} for pk in self.admin_objects(route.model)]
            return [{param: value} for value in self.single[kind]]
        pair = PAIRS.get(frozenset(route.params))
        if pair is None:
            for param in route.params:
                kind_of(route, param)  # names the parameter to add, if it is unknown
            raise AssertionError(f"Add the parameters of {route.path!r} to PAIRS.")
        return self.pairs[pair]
