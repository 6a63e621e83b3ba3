"""Need to know, end to end: no demo persona is shown a person in care they may not see.

For every demo login (`roundtable.demo.generator.PERSONAS`) the test crawls every URL pattern of
the project, found by walking `django.urls.get_resolver()`: the pages and their htmx fragments,
the decision log's CSV export, the persona's iCalendar feed, the set-up (admin) pages and every
GET of the JSON API under /api/v1/. Each path parameter is filled, from a small table
(`PARAM_KINDS`, `PAIRS`), with ids of records the persona may see and of records they may not;
lists are widened with searches, further pages and htmx. Every response body, whatever its
status, is searched for each person in care the persona may NOT see: their name, their NHS
number (the ten digits, and written "999 123 4567") and their local identifier. Any mention
fails the test, which lists (persona, URL, person in care, excerpt) and the URL patterns. The
crawl must also have reached enough: every place that lists decisions (whose titles name the
person they are about) answered 200, at least `MINIMUM_PATTERNS_ANSWERED` patterns did, and a
clinician was shown someone they may see.

Ground truth does not come from the code under test (`care.access`, the selectors): it is
computed here with plain queries on the models (`may_see`), from the rule as written in
docs/architecture.md ("Reads of person-identifiable data") and docs/guide/care.md. A persona may
see a person in care if and only if at least one holds:

1. they are a member of a team with which the person has an episode that is open, or closed
   within `settings.REREFERRAL_WINDOW_DAYS` days;
2. the person consented to share with the persona's organisation, and has not withdrawn it;
3. they are a member of a front-door team set up (`Team.serves`) to serve a team with which
   the person has an episode at the "referred" stage.

Nothing else grants sight: not forum membership (of the front-door forum either), not being an
administrator.

The second test ends a persona's access to someone named in their notices (the episode closed
longer ago than the re-referral window; or the persona left the team), and checks that their
notices (the home page, /decisions/notifications/, the API's notifications) and the decision's
pages stop naming that person.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from roundtable.care.models import (
    CareAction,
    ConsentToShare,
    Episode,
    Offer,
    PersonInCare,
    Stage,
    Zone,
)
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Budget,
    Decision,
    DecisionStatus,
    Notification,
)
from roundtable.demo.generator import PERSONAS
from roundtable.demo.tests.conftest import demo_for_a_module
from roundtable.directory.models import (
    ApiToken,
    LeadershipTeam,
    Membership,
    Organisation,
    Person,
    Team,
    TeamKind,
)
from roundtable.directory.services import api_token_create
from roundtable.forums.models import Attendance, Forum, ForumKind, ForumMembership, Meeting
from roundtable.forums.services import calendar_feed_get_or_create
from roundtable.safety.models import SafetyPlanVersion
from roundtable.voice.models import Concern
from roundtable.wellbeing.models import PeerCircle, PulseRound, SupportSession

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, built once for the module inside a transaction rolled back after its last
    test (as `roundtable/demo/tests/conftest.py`'s `built`); each test runs in a savepoint."""
    with demo_for_a_module(django_db_blocker):
        yield


# -- Ground truth: the rule as written, in plain queries -------------------------------------


def front_door_serves(team_ids: Iterable[int]) -> set[int]:
    """The teams whose new referrals the front-door teams among `team_ids` are set up to see."""
    front_doors = Team.objects.filter(pk__in=list(team_ids), kind=TeamKind.FRONT_DOOR)
    return {pk for pk in front_doors.values_list("serves", flat=True) if pk is not None}


def may_see(person: Person) -> set[int]:
    """The ids of the people in care `person` may see."""
    recent = timezone.now() - timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    teams = set(Membership.objects.filter(person=person).values_list("team_id", flat=True))
    caring = Episode.objects.filter(team_id__in=teams).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=recent)
    )
    seen = set(caring.values_list("person_id", flat=True))
    if person.organisation_id is not None:
        consents = ConsentToShare.objects.filter(
            organisation_id=person.organisation_id, withdrawn_at__isnull=True
        )
        seen |= set(consents.values_list("person_id", flat=True))
    referred = Episode.objects.filter(stage=Stage.REFERRED, team_id__in=front_door_serves(teams))
    seen |= set(referred.values_list("person_id", flat=True))
    return seen


# -- What must not appear ----------------------------------------------------------------------


@dataclass(frozen=True)
class Needle:
    text: str
    person_id: int
    what: str  # "name", "NHS number", "NHS number (spaced)", "local id"


@dataclass
class Forbidden:
    needles: list[Needle]
    # People the persona may not see whose name is not searched for, because the same words
    # rightly appear for another reason. Computed, never listed by hand (the demo has none).
    collisions: dict[int, str]


def forbidden_for(visible: set[int]) -> Forbidden:
    people = PersonInCare.objects.order_by("pk").values_list("pk", "name", "nhs_number", "local_id")
    # Names that may rightly appear: every colleague's and every visible person's. A hidden
    # person's name equal to one of them, or inside one ("Ann Lee" in "Ann Leeming"), cannot be
    # told apart from it in a page, so only their NHS number and local id are searched for.
    allowed = set(Person.objects.values_list("full_name", flat=True))
    allowed |= {name for pk, name, _, _ in people if pk in visible}
    needles: list[Needle] = []
    collisions: dict[int, str] = {}
    for pk, name, nhs_number, local_id in people:
        if pk in visible:
            continue
        if any(name in other for other in allowed):
            collisions[pk] = name
        else:
            needles.append(Needle(name, pk, "name"))
        if nhs_number:
            needles.append(Needle(nhs_number, pk, "NHS number"))
            spaced = f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
            needles.append(Needle(spaced, pk, "NHS number (spaced)"))
        needles.append(Needle(local_id, pk, "local id"))
    return Forbidden(needles, collisions)


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
        return s

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


# -- Crawling ---------------------------------------------------------------------------------

REDIRECTS = {301, 302, 303, 307, 308}
# URL patterns that answered a GET with 405: they take no GET, whoever asks and whatever the ids,
# so later personas need not ask again.
NO_GET: set[str] = set()


def body_text(response: HttpResponseBase) -> str:
    """The body as a person, or a program, reads it: HTML entities, JSON's \\u escapes and
    iCalendar's folded lines and escapes undone, so that a name is found however written."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        raw = response.content  # type: ignore[attr-defined]
    text = raw.decode("utf-8", errors="replace")
    kind = response.get("Content-Type", "")
    if "json" in kind:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    if "calendar" in kind:
        text = re.sub(r"\r?\n[ \t]", "", text)
        for escaped, plain in (("\\,", ","), ("\\;", ";"), ("\\n", "\n"), ("\\N", "\n")):
            text = text.replace(escaped, plain)
        return text.replace("\\\\", "\\")
    return html.unescape(text)


@dataclass(frozen=True)
class Hit:
    persona: str
    route: str
    url: str
    person_id: int
    what: str
    excerpt: str


@dataclass
class Crawler:
    key: str
    client: Client
    forbidden: Forbidden
    allowed_names: dict[str, int]  # the names of people the persona may see → their ids
    samples: Samples
    search: list[str]  # words to search lists with
    hits: list[Hit] = field(default_factory=list)
    answered: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    allowed_seen: set[int] = field(default_factory=set)
    widened: set[str] = field(default_factory=set)
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)

    def get(
        self, route: Route, url: str, query: dict[str, str] | None = None, *, htmx: bool = False
    ) -> tuple[HttpResponseBase, str]:
        if query:
            url = f"{url}?{urlencode(query)}"
        response = self.client.get(url, headers={"HX-Request": "true"} if htmx else {})
        text = self.check(route, url, response)
        if response.status_code in REDIRECTS and route.namespace != "admin":
            # Within the site (the set-up pages' redirects lead to set-up pages crawled anyway).
            location = response["Location"]
            if location.startswith("/") and not location.startswith("//"):
                self.check(route, f"{url} → {location}", self.client.get(location), counted=False)
        return response, text

    def check(
        self, route: Route, url: str, response: HttpResponseBase, *, counted: bool = True
    ) -> str:
        """Search the body for the people the persona may not see. `counted`: the answer is
        the route's own (not a page it redirected to), for the crawl's coverage."""
        self.requests += 1
        if counted:
            self.answered[route.path][response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.status_code} {url}")
        text = body_text(response)
        for needle in self.forbidden.needles:
            at = text.find(needle.text)
            if at >= 0:
                excerpt = " ".join(text[max(at - 60, 0) : at + len(needle.text) + 60].split())
                self.hits.append(
                    Hit(self.key, route.path, url, needle.person_id, needle.what, excerpt[:120])
                )
        if response.status_code == 200:
            self.allowed_seen |= {pk for name, pk in self.allowed_names.items() if name in text}
        return text

    def crawl(self, route: Route) -> None:
        values = self.samples.values_for(route)
        for item in values[: route.tries]:
            if route.path in NO_GET:
                return
            url = route.url(item)
            response, text = self.get(route, url)
            if response.status_code == 405:
                NO_GET.add(route.path)
                return
            if response.status_code == 200 and route.path not in self.widened:
                self.widened.add(route.path)
                self.widen(route, url, response, text)

    def widen(self, route: Route, url: str, response: HttpResponseBase, text: str) -> None:
        """The same list, as htmx asks for it, searched, filtered and paged."""
        if "HX-Request" in response.get("Vary", ""):
            self.get(route, url, htmx=True)
        if route.path in SEARCHABLE:
            for words in self.search:
                self.get(route, url, {"q": words})
        for query in WIDER.get(route.path, []):
            self.get(route, url, query)
        if route.is_api:
            self.api_pages(route, url, text)
        elif "page=2" in text:
            _, second = self.get(route, url, {"page": "2"})
            if "page=3" in second:
                self.get(route, url, {"page": "9999"})  # past the end answers the last page

    def api_pages(self, route: Route, url: str, text: str) -> None:
        """Every page of an API list (`{"items": [...], "count": n}`), 100 at a time."""
        try:
            body = json.loads(text)
        except ValueError:
            return
        if not isinstance(body, dict) or not {"items", "count"} <= body.keys():
            return
        if body["count"] > len(body["items"]):
            for page in range(1, min(-(-body["count"] // 100), 5) + 1):
                self.get(route, url, {"page_size": "100", "page": str(page)})


def persona_person(key: str) -> Person:
    return Person.objects.get(email=next(p.email for p in PERSONAS if p.key == key))


def search_words(samples: Samples) -> list[str]:
    """Words that find people the persona may not see, none of them whole, because a search
    box shows what was searched for: the surname of the first person tried whom they may not
    see, the start of the local ids, and one letter (which finds nearly everyone)."""
    words = []
    if samples.hidden_people:
        name = PersonInCare.objects.get(pk=samples.hidden_people[0]).name
        parts = name.split()
        words.append(parts[-1] if len(parts) > 1 else name[:-1])
    local_id = PersonInCare.objects.order_by("local_id").values_list("local_id", flat=True)[0]
    words.append(local_id[: max(len(local_id) - 2, 1)])
    return [*words, "a"]


def crawl_as(key: str) -> Crawler:
    persona = persona_person(key)
    visible = may_see(persona)
    forbidden = forbidden_for(visible)
    feed = calendar_feed_get_or_create(actor=persona)
    api_token_create(actor=persona, name="Need-to-know crawl")  # for its revoke page
    samples = Samples.build(persona, visible, feed.token)
    allowed = dict(PersonInCare.objects.filter(pk__in=visible).values_list("name", "pk"))
    client = Client(raise_request_exception=False)
    client.force_login(persona)
    crawler = Crawler(key, client, forbidden, allowed, samples, search_words(samples))
    admin_open = client.get("/admin/").status_code == 200
    for route in all_routes():
        if route.path in NOT_READS or (route.namespace == "admin" and not admin_open):
            continue
        crawler.crawl(route)
    return crawler


def failure_report(crawler: Crawler) -> str:
    hits = crawler.hits
    # The first mention at each URL pattern, then the rest, so that the first 20 show the most.
    firsts: dict[str, Hit] = {}
    for hit in hits:
        firsts.setdefault(hit.route, hit)
    shown = _distinct([*firsts.values(), *hits])[:20]
    lines = [
        f"{crawler.key} was shown {len(hits)} mentions of people in care they may not see, in "
        f"{len({h.url for h in hits})} of {crawler.requests} responses. The first 20 "
        "(one for each URL pattern first):"
    ]
    lines += [
        f"  GET {h.url}: person in care {h.person_id} ({h.what}): …{h.excerpt}…" for h in shown
    ]
    lines.append("By URL pattern (mentions, people):")
    for path in sorted({h.route for h in hits}):
        found = [h for h in hits if h.route == path]
        people = sorted({h.person_id for h in found})
        lines.append(f"  {path or '(home)'}: {len(found)}, {people}")
    if crawler.server_errors:
        lines.append(f"Also {len(crawler.server_errors)} server errors: {crawler.server_errors}")
    return "\n".join(lines)


# At least this many URL patterns answer 200 to every persona (about 100 to 130 do): a crawl that
# silently reaches nothing fails here rather than passing.
MINIMUM_PATTERNS_ANSWERED = 80

# The places that list decisions, whose titles name the people they are about: each must have
# answered 200 to every persona. (A decision's own pages are tried with decisions about people the
# persona may not see, and those about people they may see; some personas see no one.)
DECISION_PLACES = {
    "",  # the home page: decisions awaiting a position, and notices
    "decisions/",
    "decisions/export.csv",
    "decisions/notifications/",
    "forums/<int:forum_id>/",
    "meetings/<int:meeting_id>/",
    "calendar/<str:token>.ics",
    "api/v1/decisions/decisions",
    "api/v1/decisions/awaiting",
    "api/v1/decisions/notifications",
    "api/v1/forums/forums/<forum_id>",
    "api/v1/forums/forums/<forum_id>/meetings",
    "api/v1/forums/meetings/<meeting_id>",
}


@pytest.mark.parametrize("key", [persona.key for persona in PERSONAS])
def test_no_persona_is_shown_anyone_in_care_they_may_not_see(demo: None, key: str) -> None:
    crawler = crawl_as(key)

    # Names not searched for because they are also a colleague's, or a visible person's: none in
    # the demo. More than a couple would hollow the test out.
    assert len(crawler.forbidden.collisions) <= 2, crawler.forbidden.collisions
    answered = {path for path, statuses in crawler.answered.items() if statuses[200]}
    assert len(answered) >= MINIMUM_PATTERNS_ANSWERED, (
        f"{key}: only {len(answered)} URL patterns answered 200, of {len(crawler.answered)}"
    )
    assert crawler.samples.hidden_people, f"{key}: no one in care was tried that {key} may not see"
    assert crawler.samples.hidden_decisions, f"{key}: no decision about someone hidden was tried"
    assert not DECISION_PLACES - answered, f"{key}: not crawled: {DECISION_PLACES - answered}"
    if key.startswith("clinician"):
        assert crawler.allowed_seen, f"{key} was never shown anyone they may see"
    if crawler.hits:
        pytest.fail(failure_report(crawler), pytrace=False)


# -- Notices of people whose access has ENDED -----------------------------------------------

NOTICES = ("/", "/decisions/notifications/", "/api/v1/decisions/notifications")


def _closed_long_ago(persona: Person, person_id: int) -> None:
    """The person moved on from the persona's team longer ago than the re-referral window."""
    long_ago = timezone.now() - timedelta(days=settings.REREFERRAL_WINDOW_DAYS + 1)
    teams = Membership.objects.filter(person=persona).values("team_id")
    Episode.objects.filter(person_id=person_id, team_id__in=teams).update(closed_at=long_ago)


def _left_the_team(persona: Person, person_id: int) -> None:
    """The persona left the team that cares for the person."""
    teams = Episode.objects.filter(person_id=person_id).values("team_id")
    Membership.objects.filter(person=persona, team_id__in=teams).delete()


@pytest.mark.parametrize(
    ("key", "end_access", "moved_on"),
    [
        # Priya Shah has unread notices of Harlow Vale people who moved on within the window.
        ("clinician_a", _closed_long_ago, True),
        # Tom Hughes has unread notices of Epping North people; he leaves the team.
        ("clinician_b", _left_the_team, False),
    ],
    ids=["episode-closed-long-ago", "left-the-team"],
)
def test_notices_stop_naming_someone_once_access_has_ended(
    demo: None, key: str, end_access: Callable[[Person, int], None], moved_on: bool
) -> None:
    persona = persona_person(key)
    before = may_see(persona)
    unread = Notification.objects.filter(
        person=persona, read_at__isnull=True, decision__care__isnull=False
    )
    if moved_on:
        unread = unread.filter(decision__care__episode__stage=Stage.MOVED_ON)
    # Someone they may see now, only through their team (not by consent to share).
    consented = ConsentToShare.objects.filter(
        organisation=persona.organisation, withdrawn_at__isnull=True
    ).values("person_id")
    subject = (
        PersonInCare.objects.filter(
            pk__in=[pk for pk in _ids(unread, "decision__care__episode__person_id") if pk in before]
        )
        .exclude(pk__in=consented)
        .order_by("pk")[0]
    )
    client = Client(raise_request_exception=False)
    client.force_login(persona)

    def naming(urls: Iterable[str]) -> Iterator[str]:
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            if subject.name in body_text(response):
                yield url

    notice_urls = [*NOTICES, NOTICES[-1] + "?unread_only=false"]
    assert list(naming(notice_urls)), f"{key}'s notices should name {subject.name} at first"

    end_access(persona, subject.pk)
    assert subject.pk not in may_see(persona), "their access should have ended"

    decisions = _ids(Decision.objects.filter(care__episode__person_id=subject.pk))
    decision_urls = [f"/decisions/{pk}/" for pk in decisions]
    decision_urls += [f"/api/v1/decisions/decisions/{pk}" for pk in decisions]
    still = list(
        naming([*notice_urls, *decision_urls, "/decisions/", "/api/v1/decisions/awaiting"])
    )
    assert not still, f"{key} may no longer see {subject.name}, who is still named at {still}"
