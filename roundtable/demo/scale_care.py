"""People in care for `roundtable seed`: ten years of episodes with their pathway events.

Part of `roundtable seed` (see `roundtable.demo.scale`). Per member of staff there are 10 open
episodes and 100 past ones, so `--scale 75` (6,000 staff, 400 teams) holds about 60,000 open
episodes and 600,000 closed ones over ten years, with some 3 million pathway events. They belong
to the community, primary care and VCSE teams (community teams take three times the others'
share); one community team, the first, has a caseload of 400 on its huddle board for the
benchmark (a quarter of all open episodes at small scales).

Each past episode follows the pathway: referred, offer made (sometimes waiting), in support,
ready to move on, moved on; or it is declined or not engaged on the way. Some people moved on and
came back within the re-referral window: their next episode links `previous` and starts in
support, as `care.services.episode_refer` does. Each episode's `stage`, `stage_since`,
`closed_at`, `days_to_offer` and `days_ready_to_moved_on` are what the services would have
written for its events. Open episodes in support are placed in the team's five default zones
with a few zone changes over the last months (someone ready to move on is in the ready zone,
moved there when they became ready); some have open actions (a few overdue) and SBARD notes.
Each chain of episodes is one person in care, with an NHS number from the never-issued
999 000 0000 to 999 999 9999 range (valid Modulus 11 check digit) for most of them.

Millions of rows through model instances and `bulk_create` would take minutes, so rows are built
as tuples with primary keys assigned here, and written in batches: `COPY` on PostgreSQL and
`executemany` on SQLite. Constraints stay on. Decisions are not seeded (flow measures do not read
them), so pathway events carry no decision. One audit event records the lot.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import log
from time import perf_counter
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import (
    CareAction,
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
)
from roundtable.care.services import DEFAULT_ZONES
from roundtable.demo.care import KEY_WORKER_DISCIPLINES, NHS_NUMBER_SHARE, REFERRAL_SOURCES
from roundtable.demo.names import FIRST_NAMES, SURNAMES
from roundtable.directory.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Team,
    TeamKind,
)

OPEN_PER_STAFF = 10
PAST_PER_STAFF = 100
YEARS = 10
BENCH_CASELOAD = 400
CARE_TEAM_WEIGHTS: dict[str, float] = {
    TeamKind.CMHT: 3.0,
    TeamKind.PRIMARY_CARE: 1.0,
    TeamKind.VCSE_SERVICE: 1.0,
}
# Share of moved-on episodes followed by a return within the window, and of open episodes in
# support that are such a return.
RETURN_SHARE = 0.08
# Episodes are made and written this many at a time, so memory stays flat at any scale.
CHUNK_EPISODES = 20_000
# SQLite's page cache while seeding care (KiB; its default is 2 MB). Inserting millions of rows
# into tables with several indexes in random order thrashes a small cache: with 256 MB the care
# seed took half the time. Only memory: durability and constraints are untouched.
SQLITE_CACHE_KIB = 256 * 1024
# Stepping through the 10^6 nine-digit prefixes 999xxxxxx by a stride coprime to 10^6 visits each
# once, in an order that looks random.
NHS_STRIDE = 387_403
DAY = 1440  # minutes
# Open episodes by stage (shares add up to 1).
OPEN_STAGES: tuple[tuple[str, float], ...] = (
    (Stage.REFERRED, 0.08),
    (Stage.OFFER_MADE, 0.05),
    (Stage.WAITING, 0.07),
    (Stage.IN_SUPPORT, 0.70),
    (Stage.READY_TO_MOVE_ON, 0.10),
)
BOARD_SHARE = 0.87  # waiting, in support and ready
# Zones of open episodes in support (the last share is "not zoned yet").
ZONE_SHARES: tuple[tuple[int | None, float], ...] = (
    (0, 0.08),
    (1, 0.20),
    (2, 0.40),
    (3, 0.27),
    (None, 0.05),
)
READY_ZONE = 4
DESTINATIONS = (
    Destination.GP,
    Destination.GP,
    Destination.GP,
    Destination.VCSE,
    Destination.SELF_MANAGEMENT,
    Destination.SELF_MANAGEMENT,
    Destination.OTHER_SERVICE,
)
NOTE = (
    "Reviewed at the huddle.",
    "In support with the team; plan agreed with the person.",
    "The plan is working; contact as agreed.",
    "Carry on as planned; review at the next huddle.",
    "No change of zone.",
)
ACTIONS = (
    "Ring to check in after the review",
    "Book a joint visit with the peer support worker",
    "Send the updated plan to the GP, with consent",
    "Link with the community connector about groups nearby",
)


@dataclass
class CareSeedSummary:
    offers: int = 0
    zones: int = 0
    people: int = 0
    open_episodes: int = 0
    past_episodes: int = 0
    came_back: int = 0
    events: int = 0
    zone_changes: int = 0
    notes: int = 0
    actions: int = 0
    bench_team: str = ""
    bench_caseload: int = 0


def check_digit_tables() -> tuple[list[int], list[int]]:
    """Weighted digit sums of the middle and last three of nine digits, for Modulus 11."""
    middle = [(a * 7 + b * 6 + c * 5) for a in range(10) for b in range(10) for c in range(10)]
    last = [(a * 4 + b * 3 + c * 2) for a in range(10) for b in range(10) for c in range(10)]
    return middle, last


class NhsNumbers:
    """Distinct valid NHS numbers from the 999 test range, in a seeded order."""

    FIRST_THREE = 9 * 10 + 9 * 9 + 9 * 8  # weights 10, 9, 8 on the digits 9, 9, 9

    def __init__(self, rng: random.Random) -> None:
        self.middle, self.last = check_digit_tables()
        self.step = rng.randrange(1_000_000)

    def next(self) -> str:
        while True:
            self.step += 1
            tail = (self.step * NHS_STRIDE) % 1_000_000
            total = self.FIRST_THREE + self.middle[tail // 1000] + self.last[tail % 1000]
            check = (11 - total % 11) % 11
            if check != 10:
                return f"999{tail:06d}{check}"


class _Writer:
    """Rows of one model as tuples, written in batches: COPY on PostgreSQL, else executemany."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], batch_size: int) -> None:
        self.model = model
        self.batch_size = batch_size
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(model._meta.get_field(f).column or f) for f in fields)  # type: ignore[union-attr]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def next_id(self) -> int:
        top = self.model._default_manager.aggregate(top=models.Max("pk"))["top"]
        return int(top or 0) + 1

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.rows[0]))
                sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608 - names from the models
                for start in range(0, len(self.rows), self.batch_size * 20):
                    cursor.executemany(sql, self.rows[start : start + self.batch_size * 20])
        self.written += len(self.rows)
        self.rows = []


@dataclass
class _CareTeam:
    team_id: int
    kind: str
    locality_id: int | None
    organisation_id: int
    key_workers: list[int]
    zones: list[int] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)
    practices: list[int] = field(default_factory=list)
    open_count: int = 0
    past_count: int = 0
    board: int | None = None  # the bench team's board caseload


class _CareSeeder:
    def __init__(
        self,
        *,
        staff: int,
        seed: int,
        today: date,
        batch_size: int,
        phase: Callable[[str, int], None],
    ) -> None:
        self.rng = random.Random(f"seed-care-{seed}")  # noqa: S311 - synthetic data
        self.staff = staff
        self.batch_size = batch_size
        self.phase = phase
        self.summary = CareSeedSummary()
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        # Times are whole minutes since the Unix epoch; everything happens before today.
        self.end = int(midnight.timestamp()) // 60
        self.start = self.end - YEARS * 365 * DAY
        self.first_day = midnight.date() - timedelta(days=YEARS * 365 + 1)
        self.day_text = [
            (self.first_day + timedelta(days=i)).isoformat() for i in range(YEARS * 365 + 800)
        ]
        self.first_day_minute = self.end - (YEARS * 365 + 1) * DAY
        self.clock_text = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(DAY)]
        self.suffix = "+00" if connection.vendor == "postgresql" else ""
        self.tz = timezone.get_current_timezone()
        self.now_text = self.at(self.end - 1)
        self.names = [f"{first} {surname}" for first in FIRST_NAMES for surname in SURNAMES]
        born = date(1940, 1, 1)
        self.birthdays = [(born + timedelta(days=i)).isoformat() for i in range(66 * 365)]
        self.numbers = NhsNumbers(self.rng)
        self.last_past: tuple[int, int, int] = (0, 0, 0)  # (episode, closed at, key worker)
        self.bench: _CareTeam | None = None
        self.people = _Writer(
            PersonInCare,
            (
                "id",
                "created_at",
                "updated_at",
                "version",
                "local_id",
                "nhs_number",
                "name",
                "date_of_birth",
                "gp_practice",
            ),
            batch_size,
        )
        self.episodes = _Writer(
            Episode,
            (
                "id",
                "created_at",
                "updated_at",
                "version",
                "person",
                "team",
                "key_worker",
                "referral_source",
                "stage",
                "destination",
                "referred_at",
                "closed_at",
                "previous",
                "stage_since",
                "offer",
                "zone",
                "zone_since",
                "days_to_offer",
                "days_ready_to_moved_on",
                "latest_note",
            ),
            batch_size,
        )
        self.events = _Writer(
            PathwayEvent,
            ("id", "episode", "from_stage", "to_stage", "actor", "reason", "decision", "at"),
            batch_size,
        )
        self.zone_changes = _Writer(
            ZoneChange,
            (
                "id",
                "episode",
                "from_zone",
                "to_zone",
                "actor",
                "meeting",
                "guests",
                "reason",
                "at",
                "day",
            ),
            batch_size,
        )
        self.notes = _Writer(
            HuddleNote,
            (
                "id",
                "episode",
                "author",
                "meeting",
                "situation",
                "background",
                "assessment",
                "recommendation",
                "decision",
                "at",
            ),
            batch_size,
        )
        self.actions = _Writer(
            CareAction,
            (
                "id",
                "created_at",
                "updated_at",
                "version",
                "episode",
                "description",
                "owner",
                "due_on",
                "created_by",
                "meeting",
                "done_at",
            ),
            batch_size,
        )
        self.writers = (
            self.people,
            self.episodes,
            self.events,
            self.zone_changes,
            self.notes,
            self.actions,
        )
        self.ids = {writer.model: writer.next_id() for writer in self.writers}

    # --- helpers -------------------------------------------------------------------------------

    def at(self, minute: int) -> str:
        """A stored timestamp for a minute: UTC text as each database reads it."""
        offset = minute - self.first_day_minute
        return f"{self.day_text[offset // DAY]} {self.clock_text[offset % DAY]}{self.suffix}"

    def local_day(self, minute: int) -> str:
        """The day a minute falls on where the service is (the current time zone), as text."""
        return datetime.fromtimestamp(minute * 60, tz=self.tz).date().isoformat()

    def new_id(self, model: type[models.Model]) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def daytime(self, minute: int) -> int:
        """The same day at a random time between 09:00 and 17:00."""
        return minute - minute % DAY + 540 + int(self.rng.random() * 480)

    def days(self, mean: float, cap: int) -> int:
        return min(int(self.rng.expovariate(1 / mean)), cap)

    def person(self, team: _CareTeam) -> int:
        person_id = self.new_id(PersonInCare)
        rng = self.rng
        number = self.numbers.next() if rng.random() < NHS_NUMBER_SHARE else None
        practices = team.practices
        practice = practices[int(rng.random() * len(practices))] if rng.random() < 0.9 else None
        self.people.rows.append(
            (
                person_id,
                self.now_text,
                self.now_text,
                1,
                f"S{person_id:09d}",
                number,
                self.names[int(rng.random() * len(self.names))],
                self.birthdays[int(rng.random() * len(self.birthdays))],
                practice,
            )
        )
        self.summary.people += 1
        return person_id

    # --- set-up: offers, zones, teams ------------------------------------------------------------

    def teams(self) -> list[_CareTeam]:
        teams = [
            _CareTeam(
                team_id=team.pk,
                kind=team.kind,
                locality_id=team.locality_id,
                organisation_id=team.organisation_id,
                key_workers=[],
            )
            for team in Team.objects.filter(kind__in=list(CARE_TEAM_WEIGHTS)).order_by("pk")
        ]
        by_id = {t.team_id: t for t in teams}
        leaders: dict[int, int] = {}
        for team_id, person_id, slug, role in (
            Membership.objects.filter(team_id__in=list(by_id), person__is_active=True)
            .order_by("team_id", "person_id")
            .values_list("team_id", "person_id", "person__discipline__slug", "role")
        ):
            if role == MembershipRole.TEAM_LEADER:
                leaders[team_id] = person_id
            if slug in KEY_WORKER_DISCIPLINES:
                by_id[team_id].key_workers.append(person_id)
        for team in teams:
            if not team.key_workers:
                team.key_workers = [leaders[team.team_id]]
        return teams

    def offers(self, teams: list[_CareTeam]) -> None:
        organisations = list(
            Organisation.objects.filter(
                kind__in=[OrganisationKind.NHS_TRUST, OrganisationKind.VCSE]
            ).order_by("pk")
        )
        made: list[Offer] = []
        for organisation in organisations:
            kinds: tuple[tuple[str, str], ...]
            if organisation.kind == OrganisationKind.NHS_TRUST:
                kinds = (
                    ("Community team care", OfferKind.COMMUNITY_TEAM),
                    ("Psychological therapy", OfferKind.PSYCHOLOGY),
                )
            else:
                kinds = (
                    ("Peer support", OfferKind.PEER_SUPPORT),
                    ("Mental health coaching", OfferKind.MENTAL_HEALTH_COACH),
                    ("Community connector", OfferKind.SIGNPOSTING),
                )
            made += [
                Offer(name=f"{label}: {organisation.name}", kind=kind, organisation=organisation)
                for label, kind in kinds
            ]
        Offer.objects.bulk_create(made, batch_size=self.batch_size)
        trust_offers = [o.pk for o in made if o.organisation.kind == OrganisationKind.NHS_TRUST]
        vcse_offers = [o.pk for o in made if o.organisation.kind == OrganisationKind.VCSE]
        own: dict[int, list[int]] = {}
        for offer in made:
            own.setdefault(offer.organisation_id, []).append(offer.pk)
        for team in teams:
            # A team's own organisation's offers first and most often, then a few from partners.
            mine = own.get(team.organisation_id, [])
            team.offers = mine * 3 + self.rng.sample(trust_offers, min(2, len(trust_offers)))
            team.offers += self.rng.sample(vcse_offers, min(3, len(vcse_offers)))
        self.summary.offers = len(made)

    def zones(self, teams: list[_CareTeam]) -> None:
        rows = [
            Zone(
                team_id=team.team_id,
                name=name,
                colour=colour,
                meaning=meaning,
                position=position,
                marks_ready=ready,
            )
            for team in teams
            for position, (name, colour, meaning, ready) in enumerate(DEFAULT_ZONES)
        ]
        Zone.objects.bulk_create(rows, batch_size=self.batch_size)
        for index, team in enumerate(teams):
            team.zones = [z.pk for z in rows[index * 5 : index * 5 + 5]]
        self.summary.zones = len(rows)

    def practices(self, teams: list[_CareTeam]) -> None:
        by_locality: dict[str, list[int]] = {}
        for pk, parent in Organisation.objects.filter(
            kind=OrganisationKind.GP_PRACTICE, parent__isnull=False
        ).values_list("pk", "parent__name"):
            by_locality.setdefault(parent.removesuffix(" Primary Care Network"), []).append(pk)
        names = dict(
            Team.objects.filter(locality__isnull=False).values_list("pk", "locality__name")
        )
        everyone = sorted(pk for pks in by_locality.values() for pk in pks)
        for team in teams:
            team.practices = by_locality.get(names.get(team.team_id, ""), everyone)

    def allocate(self, teams: list[_CareTeam]) -> None:
        open_total = OPEN_PER_STAFF * self.staff
        past_total = PAST_PER_STAFF * self.staff
        bench = next(t for t in teams if t.kind == TeamKind.CMHT)
        bench.board = min(BENCH_CASELOAD, open_total // 4)
        bench_open = round(bench.board / BOARD_SHARE)
        weights = [CARE_TEAM_WEIGHTS[t.kind] for t in teams]
        others = [w if t is not bench else 0.0 for t, w in zip(teams, weights, strict=True)]
        for team, share in zip(teams, _split(open_total - bench_open, others), strict=True):
            team.open_count = share
        bench.open_count = bench_open
        for team, share in zip(teams, _split(past_total, weights), strict=True):
            team.past_count = share
        self.bench = bench
        self.summary.bench_team = Team.objects.get(pk=bench.team_id).name
        self.summary.bench_caseload = bench.board

    # --- episodes --------------------------------------------------------------------------------

    def episode_row(
        self,
        *,
        episode_id: int,
        person: int,
        team: _CareTeam,
        key_worker: int | None,
        source: str,
        stage: str,
        destination: str,
        referred: int,
        closed: int | None,
        previous: int | None,
        since: int,
        offer: int | None,
        zone: int | None,
        zone_since: int | None,
        days_to_offer: int | None,
        days_ready: int | None,
        latest_note: int | None = None,
    ) -> None:
        self.episodes.rows.append(
            (
                episode_id,
                self.now_text,
                self.now_text,
                1,
                person,
                team.team_id,
                key_worker,
                source,
                stage,
                destination,
                self.at(referred),
                None if closed is None else self.at(closed),
                previous,
                self.at(since),
                offer,
                zone,
                None if zone_since is None else self.at(zone_since),
                days_to_offer,
                days_ready,
                latest_note,
            )
        )

    def emit(self, episode_id: int, worker: int, steps: Sequence[tuple[str, int]]) -> None:
        """The pathway events of one episode, each from the stage before it."""
        append = self.events.rows.append
        at = self.at
        event_id = self.ids[PathwayEvent]
        from_stage = ""
        for to_stage, minute in steps:
            append((event_id, episode_id, from_stage, to_stage, worker, "", None, at(minute)))
            event_id += 1
            from_stage = to_stage
        self.ids[PathwayEvent] = event_id
        self.summary.events += len(steps)

    def past(self, team: _CareTeam, person: int | None = None, *, ends_by: int = 0) -> int:
        """One closed episode (and perhaps a return after it): how many episodes it made.

        With `person` and `ends_by`, the episode is a moved-on one that closes shortly before
        `ends_by` for that person: the one an open return links to. Written for speed: there are
        600,000 of these at `--scale 75`.
        """
        rand = self.rng.random
        episode_id = self.new_id(Episode)
        workers = team.key_workers
        worker = workers[int(rand() * len(workers))]
        to_offer = min(int(-log(1.0 - rand()) * 10), 90) * DAY + int(rand() * DAY)
        waiting = (min(int(-log(1.0 - rand()) * 20), 90) + 1) * DAY if rand() < 0.3 else 0
        support = (30 + min(int(-log(1.0 - rand()) * 180), 900)) * DAY
        ready_for = (min(int(-log(1.0 - rand()) * 20), 150) + 1) * DAY
        draw = 0.0 if person is not None else rand()
        length = to_offer + waiting + support + ready_for + 2 * DAY
        if person is None:
            latest = self.end - length - 2 * DAY
            referred = self.start + int(rand() * (latest - self.start))
            person = self.person(team)
        else:
            referred = ends_by - length - int(rand() * 150 * DAY)
        referred = referred - referred % DAY + 540 + int(rand() * 480)  # 09:00 to 17:00
        steps = [(Stage.REFERRED, referred)]
        at = referred + to_offer
        days_to_offer: int | None = None
        days_ready: int | None = None
        destination = ""
        offer: int | None = None
        if draw >= 0.75 and draw < 0.81:  # declined at the front door
            steps.append((Stage.DECLINED, at))
        else:
            steps.append((Stage.OFFER_MADE, at))
            offer = team.offers[int(rand() * len(team.offers))]
            days_to_offer = to_offer // DAY
            if draw >= 0.81 and draw < 0.87:  # declined the offer
                at += DAY + int(rand() * 14 * DAY)
                steps.append((Stage.DECLINED, at))
            else:
                if waiting:
                    at += DAY
                    steps.append((Stage.WAITING, at))
                    at += waiting
                if draw >= 0.935:  # never started
                    steps.append((Stage.NOT_ENGAGED, at))
                else:
                    at += DAY
                    steps.append((Stage.IN_SUPPORT, at))
                    at += support
                    if draw >= 0.87:  # stopped coming
                        steps.append((Stage.NOT_ENGAGED, at))
                    else:
                        steps.append((Stage.READY_TO_MOVE_ON, at))
                        ready_at = at
                        at += ready_for
                        steps.append((Stage.MOVED_ON, at))
                        destination = DESTINATIONS[int(rand() * len(DESTINATIONS))]
                        days_ready = (at - ready_at) // DAY
        self.emit(episode_id, worker, steps)
        self.episode_row(
            episode_id=episode_id,
            person=person,
            team=team,
            key_worker=worker,
            source=REFERRAL_SOURCES[int(rand() * len(REFERRAL_SOURCES))],
            stage=steps[-1][0],
            destination=destination,
            referred=referred,
            closed=at,
            previous=None,
            since=at,
            offer=offer,
            zone=None,
            zone_since=None,
            days_to_offer=days_to_offer,
            days_ready=days_ready,
        )
        self.last_past = (episode_id, at, worker)
        if destination and ends_by == 0 and rand() < RETURN_SHARE:
            return 1 + self.closed_return(team, person, episode_id, at, worker)
        return 1

    def closed_return(
        self, team: _CareTeam, person: int, previous: int, closed: int, worker: int
    ) -> int:
        """Came back within the window, was supported again and moved on: 1 episode, or 0 if
        that would run into the present."""
        rng = self.rng
        referred = self.daytime(closed + (7 + int(rng.random() * 170)) * DAY)
        support = (30 + self.days(120, 600)) * DAY
        ready_for = (self.days(20, 150) + 1) * DAY
        if referred + support + ready_for >= self.end - DAY:
            return 0
        episode_id = self.new_id(Episode)
        ready_at = referred + support
        moved = ready_at + ready_for
        self.emit(
            episode_id,
            worker,
            [
                (Stage.IN_SUPPORT, referred),
                (Stage.READY_TO_MOVE_ON, ready_at),
                (Stage.MOVED_ON, moved),
            ],
        )
        self.episode_row(
            episode_id=episode_id,
            person=person,
            team=team,
            key_worker=worker,
            source=ReferralSource.RE_REFERRAL,
            stage=Stage.MOVED_ON,
            destination=rng.choice(DESTINATIONS),
            referred=referred,
            closed=moved,
            previous=previous,
            since=moved,
            offer=None,
            zone=None,
            zone_since=None,
            days_to_offer=None,
            days_ready=(moved - ready_at) // DAY,
        )
        self.summary.came_back += 1
        return 1

    def open_episode(self, team: _CareTeam, stage: str) -> int:
        """One open episode at `stage`, with zones, notes and actions; past episodes made."""
        rng = self.rng
        episode_id = self.new_id(Episode)
        worker = rng.choice(team.key_workers)
        made_past = 0
        previous: int | None = None
        events: list[tuple[str, int]] = []
        offer: int | None = None
        days_to_offer: int | None = None
        if stage in (Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON) and rng.random() < RETURN_SHARE:
            # Came back within the window: straight back into support, linked to the last time.
            person = self.person(team)
            support = (1 + self.days(60, 170)) * DAY
            ready_for = (self.days(14, 90) + 1) * DAY if stage == Stage.READY_TO_MOVE_ON else 0
            referred = self.daytime(self.end - support - ready_for - DAY)
            made_past = self.past(team, person, ends_by=referred - 7 * DAY)
            previous, _, worker = self.last_past
            events.append((Stage.IN_SUPPORT, referred))
            source: str = ReferralSource.RE_REFERRAL
            if ready_for:
                events.append((Stage.READY_TO_MOVE_ON, referred + support))
            self.summary.came_back += 1
        else:
            person = self.person(team)
            source = rng.choice(REFERRAL_SOURCES)
            since: int = {
                Stage.REFERRED: self.days(7, 30),
                Stage.OFFER_MADE: self.days(7, 40),
                Stage.WAITING: self.days(30, 120),
                Stage.IN_SUPPORT: 1 + self.days(240, 1500),
                Stage.READY_TO_MOVE_ON: self.days(21, 120),
            }[Stage(stage)] * DAY + int(rng.random() * DAY)
            to_offer = self.days(10, 90) * DAY + int(rng.random() * DAY)
            support = (30 + self.days(240, 1000)) * DAY if stage == Stage.READY_TO_MOVE_ON else 0
            waited = (self.days(20, 60) + 1) * DAY if stage == Stage.IN_SUPPORT else 0
            steps = {
                Stage.REFERRED: [Stage.REFERRED],
                Stage.OFFER_MADE: [Stage.REFERRED, Stage.OFFER_MADE],
                Stage.WAITING: [Stage.REFERRED, Stage.OFFER_MADE, Stage.WAITING],
                Stage.IN_SUPPORT: [Stage.REFERRED, Stage.OFFER_MADE, Stage.IN_SUPPORT],
                Stage.READY_TO_MOVE_ON: [
                    Stage.REFERRED,
                    Stage.OFFER_MADE,
                    Stage.IN_SUPPORT,
                    Stage.READY_TO_MOVE_ON,
                ],
            }[Stage(stage)]
            gaps = {
                Stage.OFFER_MADE: to_offer,
                Stage.WAITING: DAY,
                Stage.IN_SUPPORT: waited + DAY,
                Stage.READY_TO_MOVE_ON: support,
            }
            referred = self.end - DAY - since - sum(gaps[s] for s in steps[1:])
            at = referred
            for step in steps:
                at += gaps.get(step, 0)
                events.append((step, at))
            if stage != Stage.REFERRED:
                offer = rng.choice(team.offers)
                days_to_offer = to_offer // DAY
        self.emit(episode_id, worker, events)
        since_at = events[-1][1]
        zone, zone_since = self.zone_history(team, episode_id, stage, events, worker)
        latest_note = None
        if zone is not None or stage == Stage.WAITING:
            latest_note = self.huddle_extras(
                team, episode_id, worker, max(since_at, self.end - 90 * DAY)
            )
        self.episode_row(
            episode_id=episode_id,
            person=person,
            team=team,
            key_worker=None if stage == Stage.REFERRED else worker,
            source=source,
            stage=stage,
            destination="",
            referred=events[0][1],
            closed=None,
            previous=previous,
            since=since_at,
            offer=offer,
            zone=zone,
            zone_since=zone_since,
            days_to_offer=days_to_offer,
            days_ready=None,
            latest_note=latest_note,
        )
        return made_past

    def zone_history(
        self,
        team: _CareTeam,
        episode_id: int,
        stage: str,
        events: list[tuple[str, int]],
        worker: int,
    ) -> tuple[int | None, int | None]:
        """A few zone changes over the last months; returns the zone and since when."""
        rng = self.rng
        if stage == Stage.READY_TO_MOVE_ON:
            final: int | None = READY_ZONE
        elif stage == Stage.IN_SUPPORT:
            final = _pick(ZONE_SHARES, rng.random())
        elif stage == Stage.WAITING and rng.random() < 0.5:
            final = 1 + int(rng.random() * 2)
        else:
            final = None
        if final is None:
            return None, None
        supported = next(at for step, at in events if step in (Stage.IN_SUPPORT, Stage.WAITING))
        # The move into the ready zone is the move to "ready to move on" (the same moment).
        last = events[-1][1] if final == READY_ZONE else None
        first = max(supported, self.end - 150 * DAY)
        until = last if last is not None else self.end - DAY
        count = 1 + int(rng.random() * 3)
        moments = sorted(first + int(rng.random() * max(until - first, 1)) for _ in range(count))
        if last is not None:
            moments[-1] = last
        route = [int(rng.random() * 4) for _ in range(count - 1)] + [final]
        previous_zone: int | None = None
        zone_since: int | None = None
        for zone_index, minute in zip(route, moments, strict=True):
            zone_id = team.zones[zone_index]
            if zone_id == previous_zone:
                continue
            self.zone_changes.rows.append(
                (
                    self.new_id(ZoneChange),
                    episode_id,
                    previous_zone,
                    zone_id,
                    worker,
                    None,
                    "[]",
                    "",
                    self.at(minute),
                    self.local_day(minute),
                )
            )
            self.summary.zone_changes += 1
            previous_zone = zone_id
            zone_since = minute
        return team.zones[final], zone_since

    def huddle_extras(
        self, team: _CareTeam, episode_id: int, worker: int, since: int
    ) -> int | None:
        """SBARD notes for some, open actions (a few overdue) for others; returns the id of the
        latest note, if any."""
        rng = self.rng
        latest: tuple[int, int] | None = None  # (minute, id)
        if rng.random() < 0.4:
            for _ in range(1 + int(rng.random() * 2)):
                minute = since + int(rng.random() * max(self.end - DAY - since, 1))
                text = NOTE[int(rng.random() * len(NOTE))]
                note_id = self.new_id(HuddleNote)
                latest = max(latest or (minute, note_id), (minute, note_id))
                self.notes.rows.append(
                    (
                        note_id,
                        episode_id,
                        worker,
                        None,
                        text,
                        "",
                        "",
                        "",
                        "",
                        self.at(minute),
                    )
                )
                self.summary.notes += 1
        if rng.random() < 0.3:
            for _ in range(1 + int(rng.random() * 2)):
                created = self.end - (1 + int(rng.random() * 28)) * DAY
                due = created + (2 + int(rng.random() * 26)) * DAY
                self.actions.rows.append(
                    (
                        self.new_id(CareAction),
                        self.at(created),
                        self.at(created),
                        1,
                        episode_id,
                        ACTIONS[int(rng.random() * len(ACTIONS))],
                        worker,
                        self.day_text[(due - self.first_day_minute) // DAY],
                        worker,
                        None,
                        None,
                    )
                )
                self.summary.actions += 1
        return latest[1] if latest is not None else None

    # --- the run ---------------------------------------------------------------------------------

    def flush(self) -> None:
        for writer in self.writers:
            writer.flush()

    def run(self) -> CareSeedSummary:
        """Everything, with a bigger SQLite page cache meanwhile (see `SQLITE_CACHE_KIB`)."""
        if connection.vendor != "sqlite":
            return self.seed()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            row = cursor.fetchone()
            before = int(row[0]) if row else -2000
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            return self.seed()
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {before}")

    def seed(self) -> CareSeedSummary:
        started = perf_counter()
        teams = self.teams()
        self.offers(teams)
        self.zones(teams)
        self.practices(teams)
        self.allocate(teams)
        self.phase("offers of support", self.summary.offers)
        self.phase("zones", self.summary.zones)
        stages: list[str] = [stage for stage, _ in OPEN_STAGES]
        for team in teams:
            plan: dict[str, int]
            if team.board is not None:
                board_stages: list[str] = [Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON]
                board_shares = [s for stage, s in OPEN_STAGES if stage in board_stages]
                counts = _split(team.board, board_shares)
                rest = _split(
                    team.open_count - team.board,
                    [s for stage, s in OPEN_STAGES if stage not in board_stages],
                )
                plan = dict(zip(board_stages, counts, strict=True))
                plan |= dict(zip([s for s in stages if s not in board_stages], rest, strict=True))
            else:
                plan = dict(
                    zip(stages, _split(team.open_count, [s for _, s in OPEN_STAGES]), strict=True)
                )
            past_made = 0
            for stage in stages:
                for _ in range(plan[stage]):
                    past_made += self.open_episode(team, stage)
                    self.summary.open_episodes += 1
            while past_made < team.past_count:
                past_made += self.past(team)
            self.summary.past_episodes += past_made
            if len(self.episodes.rows) >= CHUNK_EPISODES:
                self.flush()
        self.flush()
        self.phase("people in care", self.summary.people)
        self.phase("open episodes", self.summary.open_episodes)
        self.phase("past episodes", self.summary.past_episodes)
        self.phase("  came back", self.summary.came_back)
        self.phase("pathway events", self.summary.events)
        self.phase("zone changes", self.summary.zone_changes)
        self.phase("SBARD notes", self.summary.notes)
        self.phase("care actions", self.summary.actions)
        if connection.vendor == "postgresql":
            models_with_ids = [writer.model for writer in self.writers]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                    cursor.execute(statement)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=(
                f"Seeded care: {self.summary.people} people in care, "
                f"{self.summary.open_episodes} open and {self.summary.past_episodes} past "
                f"episodes, {self.summary.events} pathway events, bulk-loaded in "
                f"{perf_counter() - started:.0f} s"
            ),
        )
        return self.summary


def allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split `total` into parts proportional to `weights`, each at least `minimum`.

    Largest remainder method, so the parts add up to exactly `total`.
    """
    spare = total - minimum * len(weights)
    weight_sum = sum(weights)
    shares = [spare * weight / weight_sum for weight in weights]
    parts = [minimum + int(share) for share in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] % 1), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` in whole parts proportional to `weights`; nothing when there is nothing to share."""
    if total <= 0 or sum(weights) <= 0:
        return [0] * len(weights)
    return allocate(total, weights, 0)


def _pick(shares: Sequence[tuple[int | None, float]], draw: float) -> int | None:
    for value, share in shares:
        if draw < share:
            return value
        draw -= share
    return shares[-1][0]


def seed_care(
    *,
    staff: int,
    seed: int,
    today: date,
    batch_size: int,
    phase: Callable[[str, int], None],
) -> CareSeedSummary:
    """People in care, ten years of episodes and their events, zones, notes and actions."""
    return _CareSeeder(
        staff=staff, seed=seed, today=today, batch_size=batch_size, phase=phase
    ).run()
