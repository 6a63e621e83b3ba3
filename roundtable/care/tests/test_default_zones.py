"""A team's default zones are set up the first time a page of the team needs them: once, and
written to the audit trail with no actor (the system did it, whoever opened the page)."""

import pytest

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import Zone

pytestmark = pytest.mark.django_db


def test_the_first_use_sets_up_five_zones_and_audits_it_once(system):
    team = system.team_a
    names = [zone.name for zone in services.zones_ensure(team=team)]
    assert names == ["Red", "Amber", "Green", "Blue", "Ready to move on"]
    services.zones_ensure(team=team)  # already set up: nothing more written
    assert Zone.objects.filter(team=team).count() == 5
    events = AuditEvent.objects.filter(summary=f"Default zones set up for {team.name}")
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        (AuditAction.CREATE, None, str(team.pk))
    ]
