"""People in care: NHS numbers, the pathway state machine, coming back, and who may see whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from roundtable.care import selectors, services
from roundtable.care.models import Episode, PathwayEvent, PersonInCare, Stage
from roundtable.care.tests.conftest import agree_move_on

pytestmark = pytest.mark.django_db

# A valid synthetic NHS number (the 999 test range; Modulus 11 check digit 8).
VALID = "999 123 4578"


@pytest.fixture
def person(system):
    return services.person_in_care_create(
        actor=system.clinician_a,
        local_id="RIO-0001",
        name="A. B.",
        nhs_number=VALID,
        gp_practice=system.gp_practice,
    )


@pytest.mark.parametrize(
    ("value", "stored"),
    [("9991234578", "9991234578"), ("999 123 4578", "9991234578"), ("999-123-4578", "9991234578")],
)
def test_valid_nhs_numbers_are_stored_as_ten_digits(system, value, stored):
    made = services.person_in_care_create(
        actor=system.clinician_a, local_id=f"L-{value}", name="X", nhs_number=value
    )
    assert made.nhs_number == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9991234579", "not valid: check the digits"),
        ("9991234560", "not valid: check the digits"),  # check digit would be 10
        ("999123456", "10 digits"),
        ("99912345600", "10 digits"),
        ("999 123 456a", "10 digits"),
    ],
)
def test_invalid_nhs_numbers_are_refused_and_nothing_is_stored(system, value, message):
    with pytest.raises(ValidationError, match=message):
        services.person_in_care_create(
            actor=system.clinician_a, local_id="L-1", name="X", nhs_number=value
        )
    assert not PersonInCare.objects.exists()


def test_other_bad_input(system, person):
    with pytest.raises(ValidationError, match="already recorded"):
        services.person_in_care_create(
            actor=system.clinician_a, local_id="RIO-0002", name="Y", nhs_number=VALID
        )
    with pytest.raises(ValidationError, match="GP practice"):
        services.person_in_care_create(
            actor=system.clinician_a, local_id="RIO-0003", name="Y", gp_practice=system.trust
        )
    with pytest.raises(ValidationError, match="in the past"):
        services.person_in_care_create(
            actor=system.clinician_a,
            local_id="RIO-0004",
            name="Y",
            date_of_birth=date.today() + timedelta(days=1),
        )
    assert PersonInCare.objects.count() == 1


# The path through a team as the care guide writes it, pinned here rather than read from the
# model's table, so that a wrong move added to (or dropped from) that table fails a test.
STAGES = [
    "referred",
    "offer_made",
    "waiting",
    "in_support",
    "ready",
    "moved_on",
    "declined",
    "not_engaged",
]
LEGAL = [
    ("referred", "offer_made"),
    ("referred", "declined"),
    ("referred", "not_engaged"),
    ("offer_made", "waiting"),
    ("offer_made", "in_support"),
    ("offer_made", "declined"),
    ("offer_made", "not_engaged"),
    ("waiting", "in_support"),
    ("waiting", "declined"),
    ("waiting", "not_engaged"),
    ("in_support", "ready"),
    ("in_support", "not_engaged"),
    ("ready", "moved_on"),
    ("ready", "in_support"),
]
ILLEGAL = [(a, b) for a in STAGES for b in STAGES if (a, b) not in LEGAL]


def test_the_stages_are_the_ones_the_guide_names() -> None:
    assert sorted(Stage.values) == sorted(STAGES)


PATH_TO = {
    Stage.REFERRED: [],
    Stage.OFFER_MADE: [Stage.OFFER_MADE],
    Stage.WAITING: [Stage.OFFER_MADE, Stage.WAITING],
    Stage.IN_SUPPORT: [Stage.OFFER_MADE, Stage.IN_SUPPORT],
    Stage.READY_TO_MOVE_ON: [Stage.OFFER_MADE, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON],
    Stage.MOVED_ON: [Stage.OFFER_MADE, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON, Stage.MOVED_ON],
    Stage.DECLINED: [Stage.DECLINED],
    Stage.NOT_ENGAGED: [Stage.NOT_ENGAGED],
}


def walk(system, episode, stages, forum):
    """Move the episode through `stages`; moving on comes with an agreed move-on decision."""
    for stage in stages:
        decision = agree_move_on(system, forum, episode) if stage == Stage.MOVED_ON else None
        episode = services.episode_move(
            actor=system.clinician_a,
            episode=episode,
            to_stage=stage,
            destination="gp" if stage == Stage.MOVED_ON else "",
            decision=decision,
        )
    return episode


@pytest.mark.parametrize(("start", "end"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_every_legal_move(system, person, huddle, start, end):
    episode = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    episode = walk(system, episode, PATH_TO[start], huddle)
    moved = walk(system, episode, [end], huddle)
    assert moved.stage == end
    last = PathwayEvent.objects.filter(episode=moved).last()
    assert last is not None
    assert last.to_stage == end
    assert moved.is_open == (end not in {"moved_on", "declined", "not_engaged"})


@pytest.mark.parametrize(("start", "end"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_illegal_move_is_refused_with_a_message(system, person, huddle, start, end):
    episode = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    episode = walk(system, episode, PATH_TO[start], huddle)
    events = PathwayEvent.objects.count()
    with pytest.raises(ValidationError, match="cannot move to"):
        services.episode_move(
            actor=system.clinician_a,
            episode=episode,
            to_stage=end,
            destination="gp" if end == Stage.MOVED_ON else "",
            decision=None,
        )
    assert Episode.objects.get(pk=episode.pk).stage == start
    assert PathwayEvent.objects.count() == events


def test_moving_on_needs_a_destination_and_an_agreed_move_on_decision(system, person, huddle):
    episode = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    episode = walk(system, episode, PATH_TO[Stage.READY_TO_MOVE_ON], None)
    with pytest.raises(ValidationError, match="where the person is moving on"):
        services.episode_move(actor=system.clinician_a, episode=episode, to_stage="moved_on")
    with pytest.raises(ValidationError, match="agreed move-on decision"):
        services.episode_move(
            actor=system.clinician_a, episode=episode, to_stage="moved_on", destination="gp"
        )
    # A move-on decision about someone else does not move this person on.
    other = services.person_in_care_create(actor=system.clinician_a, local_id="RIO-9", name="C")
    other_episode = services.episode_refer(
        actor=system.clinician_a, person=other, team=system.team_a, referral_source="gp"
    )
    other_episode = walk(system, other_episode, PATH_TO[Stage.READY_TO_MOVE_ON], None)
    someone_elses = agree_move_on(system, huddle, other_episode)
    with pytest.raises(ValidationError, match="decision about this person"):
        services.episode_move(
            actor=system.clinician_a,
            episode=episode,
            to_stage="moved_on",
            destination="gp",
            decision=someone_elses,
        )
    assert Episode.objects.get(pk=episode.pk).stage == Stage.READY_TO_MOVE_ON


def test_coming_back_within_the_window_goes_straight_back_to_the_team(system, person, huddle):
    first = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    first = walk(system, first, PATH_TO[Stage.MOVED_ON], huddle)
    later = timezone.now() + timedelta(days=60)
    back = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp", at=later
    )
    assert back.stage == Stage.IN_SUPPORT
    assert back.previous == first
    assert back.referral_source == "re_referral"
    assert back.key_worker == system.clinician_a
    assert (
        "Came back 60 days after moving on"
        in PathwayEvent.objects.filter(episode=back).get().reason
    )
    with pytest.raises(ValidationError, match="already has an open episode"):
        services.episode_refer(
            actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
        )


def test_coming_back_after_the_window_starts_at_the_front(system, person, huddle):
    first = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    walk(system, first, PATH_TO[Stage.MOVED_ON], huddle)
    much_later = timezone.now() + timedelta(days=400)
    back = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="self",
        at=much_later,
    )
    assert back.stage == Stage.REFERRED
    assert back.previous is None


def test_a_clinician_in_another_team_gets_404(system, person):
    services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    record = selectors.person_record(system.clinician_a, person.pk)
    assert len(record.episodes) == 1
    with pytest.raises(Http404):
        selectors.person_record(system.clinician_b, person.pk)
    with pytest.raises(Http404):
        selectors.person_record(system.administrator, person.pk)


def test_a_vcse_partner_sees_the_person_only_after_consent(system, person):
    services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_b, referral_source="gp"
    )
    with pytest.raises(Http404):
        selectors.person_record(system.lone_coach, person.pk)  # VCSE organisation, not team B
    consent = services.consent_give(
        actor=system.clinician_b, person=person, organisation=system.vcse_org
    )
    assert selectors.person_record(system.lone_coach, person.pk).person == person
    services.consent_withdraw(actor=system.clinician_b, consent=consent)
    with pytest.raises(Http404):
        selectors.person_record(system.lone_coach, person.pk)
