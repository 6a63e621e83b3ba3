"""Several teams refer the same new person at the same moment: the person is recorded once, and
each team gets its referral — none refused, none doubled."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from roundtable.care import services
from roundtable.care.models import Episode, PersonInCare
from roundtable.directory.models import Team

NHS_NUMBER = "9991234578"
AT_ONCE = 8


@pytest.mark.django_db(transaction=True)
def test_the_same_new_person_referred_at_once_is_recorded_once(system) -> None:
    teams = [
        Team.objects.create(
            name=f"Team {i}", organisation=system.trust, locality=system.north, kind="cmht"
        )
        for i in range(AT_ONCE)
    ]
    for team in teams:
        team.memberships.create(person=system.clinician_a)
    start = threading.Barrier(AT_ONCE)
    errors: list[BaseException] = []

    def refer(team: Team, index: int) -> None:
        try:
            start.wait(timeout=30)
            services.person_refer(
                actor=system.clinician_a,
                team=team,
                local_id=f"L-{index}",
                name="Same Person",
                nhs_number=NHS_NUMBER,
                referral_source="gp",
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refer, args=(t, i)) for i, t in enumerate(teams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    person = PersonInCare.objects.get()
    assert person.nhs_number == NHS_NUMBER
    assert Episode.objects.filter(person=person).count() == AT_ONCE
    assert set(Episode.objects.values_list("team_id", flat=True)) == {t.pk for t in teams}
