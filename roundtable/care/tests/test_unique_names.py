"""Offer names, and the names of a team's zones in use, are unique whatever their case: the
services say so, the database holds to it (so that two requests at the same moment cannot both
store one), and the migration that made the rule a constraint told apart the names stored
before it without deleting anything. One open offer decision per referral, one open episode per
person and team, and consent once per organisation, refused in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from roundtable.care import services
from roundtable.care.models import Offer, Zone
from roundtable.testing import System


def offer(system: System, name: str) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a, name=name, kind="peer_support", organisation=system.vcse_org
    )


@pytest.mark.django_db
def test_an_offer_name_is_taken_whatever_its_case(system: System) -> None:
    walking = offer(system, "Walking group")
    for again in ("walking group", " WALKING GROUP "):
        with pytest.raises(ValidationError) as refused:
            offer(system, again)
        assert refused.value.message_dict == {"name": ["There is already an offer with this name"]}
    coaching = offer(system, "Coaching")
    with pytest.raises(ValidationError) as refused:
        services.offer_update(
            actor=system.team_leader_a,
            offer=coaching,
            expected_version=coaching.version,
            name="WALKING group",
            kind="peer_support",
            organisation=system.vcse_org,
            description="",
            is_active=True,
        )
    assert refused.value.message_dict == {"name": ["There is already an offer with this name"]}
    # Its own name in another case is a rename, not a clash.
    renamed = services.offer_update(
        actor=system.team_leader_a,
        offer=walking,
        expected_version=walking.version,
        name="Walking Group",
        kind="peer_support",
        organisation=system.vcse_org,
        description="",
        is_active=True,
    )
    assert renamed.name == "Walking Group"
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(name="COACHING", kind="peer_support", organisation=system.vcse_org)


@pytest.mark.django_db
def test_a_zone_name_is_taken_whatever_its_case_until_the_zone_is_archived(
    system: System,
) -> None:
    services.zones_ensure(team=system.team_a)
    with pytest.raises(ValidationError) as refused:
        services.zone_create(
            actor=system.clinician_a,
            team=system.team_a,
            name="RED",
            colour="grey",
            meaning="We meet every day.",
        )
    assert refused.value.message_dict == {"name": ["The team already has a zone with this name"]}
    red = Zone.objects.get(team=system.team_a, name="Red")
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.create(team=system.team_a, name="red", colour="grey", meaning="Daily.")
    # Another team has its own names; an archived zone's name may be used again.
    Zone.objects.create(team=system.team_b, name="red", colour="grey", meaning="Daily.")
    Zone.objects.filter(pk=red.pk).update(is_archived=True)
    services.zone_create(
        actor=system.clinician_a,
        team=system.team_a,
        name="red",
        colour="red",
        meaning="We are in touch every day.",
    )


@pytest.mark.django_db
def test_second_referrals_consents_and_offer_decisions_are_refused_in_words(
    system: System,
) -> None:
    episode = services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="U-1",
        name="Ann Example",
        referral_source="gp",
    )
    with pytest.raises(ValidationError) as refused:
        services.episode_refer(
            actor=system.clinician_a,
            person=episode.person,
            team=system.team_a,
            referral_source="gp",
        )
    assert refused.value.messages == ["Ann Example already has an open episode with North CMHT."]
    with pytest.raises(ValidationError) as refused:
        services.person_in_care_create(actor=system.clinician_a, local_id=" U-1 ", name="Ann")
    assert refused.value.message_dict == {
        "local_id": ["Someone with this local identifier is already recorded"]
    }
    services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )
    with pytest.raises(ValidationError) as refused:
        services.consent_give(
            actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
        )
    assert refused.value.messages == ["Consent to share with Test Mind is already recorded."]


BEFORE = [("care", "0008_episode_latest_note")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_tells_apart_names_stored_twice(system: System) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: going back unapplies dependents
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps
        OldOffer, OldZone = old.get_model("care", "Offer"), old.get_model("care", "Zone")

        def add_offer(name: str) -> int:
            row = OldOffer.objects.create(
                name=name, kind="peer_support", organisation_id=system.vcse_org.pk
            )
            return int(row.pk)

        def add_zone(name: str, team_id: int, archived: bool = False) -> int:
            row = OldZone.objects.create(
                name=name, team_id=team_id, colour="grey", meaning="Daily.", is_archived=archived
            )
            return int(row.pk)

        offers = [add_offer(n) for n in ("Peer support", "peer support", "PEER SUPPORT")]
        # "peer support (2)" is taken already, so the second copy becomes "… (3)".
        taken = add_offer("Peer Support (2)")
        zones = [add_zone(n, system.team_a.pk) for n in ("Red", "red")]
        archived = add_zone("RED", system.team_a.pk, archived=True)
        elsewhere = add_zone("red", system.team_b.pk)
    finally:
        MigrationExecutor(connection).migrate(latest)
    names = dict(Offer.objects.values_list("pk", "name"))
    assert [names[pk] for pk in offers] == ["Peer support", "peer support (3)", "PEER SUPPORT (4)"]
    assert names[taken] == "Peer Support (2)"
    names = dict(Zone.objects.values_list("pk", "name"))
    assert [names[pk] for pk in zones] == ["Red", "red (2)"]
    assert (names[archived], names[elsewhere]) == ("RED", "red")
