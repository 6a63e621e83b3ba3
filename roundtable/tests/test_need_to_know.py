"""Need to know, end to end: no demo persona is shown a person in care they may not see.

For every demo login (`roundtable.demo.generator.PERSONAS`) the test crawls every URL pattern of
the project, found by walking `django.urls.get_resolver()`: the pages and their htmx fragments,
the decision log's CSV export, the persona's iCalendar feed, the set-up (admin) pages and every
GET of the JSON API under /api/v1/. Each path parameter is filled, from a small table
(`PARAM_KINDS`, `PAIRS`), with ids of records the persona may see and of records they may not;
lists are widened with searches, further pages and htmx. (The walk over the URL patterns, that
table and the ids sampled for each persona are in `roundtable/tests/helpers.py`.) Every
response body, whatever its status, is searched for each person in care the persona may NOT
see: their name, their NHS number (the ten digits, and written "999 123 4567") and their local
identifier. Any mention fails the test, which lists (persona, URL, person in care, excerpt) and
the URL patterns. The crawl must also have reached enough: every place that lists decisions
(whose titles name the person they are about) answered 200, at least `MINIMUM_PATTERNS_ANSWERED`
patterns did, and a clinician was shown someone they may see.

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
from django.conf import settings
from django.db.models import Q
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone

from roundtable.care.models import ConsentToShare, Episode, PersonInCare, Stage
from roundtable.decisions.models import Decision, Notification
from roundtable.demo.generator import PERSONAS
from roundtable.demo.tests.conftest import demo_for_a_module
from roundtable.directory.models import Membership, Person, Team, TeamKind
from roundtable.directory.services import api_token_create
from roundtable.forums.services import calendar_feed_get_or_create
from roundtable.tests.helpers import (
    NOT_READS,
    SEARCHABLE,
    WIDER,
    Route,
    Samples,
    _distinct,
    _ids,
    all_routes,
)

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
