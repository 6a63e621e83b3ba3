"""The care API: episodes, coming back within the window, and moving along the path.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import Episode, PathwayEvent, Stage, Zone
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import API, bad_field, conflict, counts, not_found, ready, refer
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


# --- Episodes, referrals and the path --------------------------------------------------------


def test_an_episode_is_for_those_who_may_see_it(
    client: Client, system: System, episode: Episode
) -> None:
    path = f"{API}/episodes/{episode.pk}"
    reads = AuditEvent.objects.filter(action=AuditAction.READ).count()
    body = ok(call(client, system.clinician_a, "get", path))
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == reads + 1
    assert body["id"] == episode.pk
    assert body["person"]["name"] == "Person 001"
    assert (body["stage"], body["version"], body["zone"], body["offer"]) == (
        "in_support",
        episode.version,
        None,
        None,
    )
    not_found(call(client, system.clinician_b, "get", path), "No episode found.")
    not_found(call(client, system.clinician_a, "get", f"{API}/episodes/9999"), "No episode found.")


def test_coming_back_within_the_window_goes_straight_back_into_support(
    client: Client, system: System, episode: Episode, huddle: Forum, zones: dict[str, Zone]
) -> None:
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    episode = ready(system, Episode.objects.get(pk=episode.pk))
    decision = agree_move_on(system, huddle, episode)
    moved = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/episodes/{episode.pk}/stage",
            {
                "to_stage": "moved_on",
                "destination": "gp",
                "decision": decision.pk,
                "reason": "Back to the GP with a plan.",
                "version": episode.version,
            },
        )
    )
    assert (moved["stage"], moved["destination"]) == ("moved_on", "gp")
    assert moved["closed_at"] is not None

    path = f"{API}/people/{episode.person_id}/referrals"
    back = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            path,
            {"team": system.team_a.pk, "referral_source": "gp"},
        ),
        201,
    )
    assert back["stage"] == "in_support"
    assert (back["previous"], back["came_back"]) == (episode.pk, True)
    assert back["referral_source"] == "re_referral"
    assert back["key_worker"]["full_name"] == "Amira Clinician"
    assert back["zone"]["name"] == "Green"
    event = PathwayEvent.objects.filter(episode_id=back["id"]).get()
    assert event.reason.startswith("Came back 0 days after moving on")

    before = counts()
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"team": system.team_a.pk, "referral_source": "gp"},
        ),
        "Person 001 already has an open episode with North CMHT.",
    )
    forbidden(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"team": system.team_b.pk, "referral_source": "gp"},
        ),
        "Only members of South CMHT can refer someone to it.",
    )
    not_found(
        call(
            client,
            system.clinician_b,
            "post",
            path,
            {"team": system.team_b.pk, "referral_source": "gp"},
        ),
        "No person in care found.",
    )
    bad_field(
        call(client, system.clinician_a, "post", path, {"team": system.team_a.pk}),
        "referral_source",
    )
    assert counts() == before


def test_moving_along_the_path_with_versions_and_clear_refusals(
    client: Client, system: System, huddle: Forum
) -> None:
    episode = refer(system, "P1", "A. B.")
    path = f"{API}/episodes/{episode.pk}/stage"
    me = system.clinician_a

    offered = ok(
        call(client, me, "post", path, {"to_stage": "offer_made", "version": episode.version})
    )
    assert (offered["stage"], offered["version"]) == ("offer_made", episode.version + 1)
    assert offered["days_to_offer"] == 0

    before = counts()
    # A second client still holding the first version is refused, and told the version now.
    conflict(
        call(client, me, "post", path, {"to_stage": "in_support", "version": episode.version}),
        offered["version"],
    )
    body = refused(
        call(client, me, "post", path, {"to_stage": "ready", "version": offered["version"]}),
        "Someone who is offer made cannot move to ready to move on.",
    )
    assert list(body["errors"]) == ["__all__"]
    refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "waiting", "destination": "gp", "version": offered["version"]},
        ),
        "A destination is only for moving on",
    )
    bad_field(call(client, me, "post", path, {"to_stage": "lost", "version": 2}), "to_stage")
    bad_field(call(client, me, "post", path, {"to_stage": "waiting"}), "version")
    assert counts() == before
    assert Episode.objects.get(pk=episode.pk).stage == Stage.OFFER_MADE

    version = offered["version"]
    for stage in ("in_support", "ready"):
        version = ok(call(client, me, "post", path, {"to_stage": stage, "version": version}))[
            "version"
        ]
    before = counts()
    body = refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "moved_on", "destination": "gp", "version": version},
        ),
        "Moving on needs an agreed move-on decision about this person",
    )
    assert list(body["errors"]) == ["decision"]
    body = refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "moved_on", "destination": "gp", "decision": 9999, "version": version},
        ),
        "There is no decision with id 9999.",
    )
    assert list(body["errors"]) == ["decision"]
    not_found(
        call(client, system.clinician_b, "post", path, {"to_stage": "in_support", "version": 1}),
        "No episode found.",
    )
    assert counts() == before
