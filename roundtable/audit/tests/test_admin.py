"""The audit trail in the admin names no person in care to an administrator who may not see them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.care import services as care_services
from roundtable.care.models import Stage
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import System

pytestmark = pytest.mark.django_db

NAME = "Amani Ahmed"
LIST = "/admin/audit/auditevent/"


@pytest.fixture
def decided(system: System) -> AuditEvent:
    """A person in care, an action about them and a move-on decision titled with their name."""
    episode = care_services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="A-1",
        name=NAME,
        referral_source="gp",
    )
    care_services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description=f"Call {NAME} on Monday",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    episode.stage = Stage.READY_TO_MOVE_ON
    episode.save(update_fields=["stage"])
    huddle = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a],
    )
    decision = care_services.move_on_propose(
        actor=system.clinician_a,
        episode=episode,
        destination="gp",
        forum=huddle,
        proposal="Back to the GP.",
    )
    return AuditEvent.objects.get(
        object_type="decisions.decision", object_id=str(decision.pk), action="create"
    )


def test_the_admin_lists_references_not_names_to_an_administrator_without_access(
    client: Client, system: System, decided: AuditEvent
) -> None:
    # The trail itself keeps everything: it is the admin's view of it that is narrowed.
    assert NAME in decided.summary
    client.force_login(system.administrator)
    page = client.get(LIST, {"all": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert NAME not in text
    assert "Not shown: you may not see this record" in text
    assert str(decided.object_id) in text
    # What names no person in care is shown as it was written.
    assert "Forum North huddle" in text
    # Searching for the name finds nothing, and nothing that names them.
    found = client.get(LIST, {"q": "Amani"})
    assert NAME not in found.content.decode()
    assert "0 audit events" in found.content.decode()
    detail = client.get(f"{LIST}{decided.pk}/change/")
    assert detail.status_code == 200
    assert NAME not in detail.content.decode()


def test_an_administrator_who_may_see_the_person_reads_the_summary(
    client: Client, system: System, decided: AuditEvent
) -> None:
    system.clinician_a.is_staff = system.clinician_a.is_superuser = True
    system.clinician_a.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(system.clinician_a)
    assert NAME in client.get(LIST).content.decode()
    assert NAME in client.get(f"{LIST}{decided.pk}/change/").content.decode()
