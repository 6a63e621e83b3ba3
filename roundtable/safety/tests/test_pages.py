"""Safety pages: the person's safety page, writing the plan (and the conflict page), the print
view, versions, the formulation, reviews, positive risk-taking, and a team's reviews due."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.decisions.models import Decision, DecisionKind
from roundtable.safety import services
from roundtable.safety.models import (
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.tests.helpers import PLAN, in_support, north_mdt, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(system):
    return in_support(system, name="Dee Example")


@pytest.fixture
def person(episode):
    return episode.person


@pytest.fixture
def plan(system, person):
    return services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee and her key worker"
    )


@pytest.fixture
def shared_with_partner(system, person):
    """Dee consented to share with Test Mind: Ivo Coach (South CMHT, Test Mind) may read her
    safety plan, but does not care for her, so may not write it."""
    care_services.consent_give(
        actor=system.clinician_a, person=person, organisation=system.vcse_org
    )
    return system.south_coach


def stored() -> tuple[int, ...]:
    return (
        SafetyPlan.objects.count(),
        SafetyPlanVersion.objects.count(),
        SafetyFormulationVersion.objects.count(),
        SafetyReview.objects.count(),
        PositiveRiskPlan.objects.count(),
        Decision.objects.count(),
        ReviewFrequency.objects.count(),
    )


def plan_form(**changes: str) -> dict[str, str]:
    data = {
        "warning_signs": "",
        "things_i_can_do": "",
        "people_and_places": "",
        "people_to_ask": "",
        "professionals": "",
        "safer_surroundings": "",
        "what_matters": "",
        "written_with": "Dee and her key worker",
        "review_on": "",
        "version": "",
        **PLAN,
    }
    data.update(changes)
    return data


# -- The person's safety page --------------------------------------------------------------------


def test_the_safety_page_shows_the_plan_in_the_persons_words(system, client_for, person, plan):
    services.safety_formulation_save(
        actor=system.clinician_a, person=person, values={"protective": "Her dog; her sister."}
    )
    response = client_for(system.clinician_a).get(f"/safety/people/{person.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Warning signs Not sleeping; stopping seeing friends." in page
    assert "Written with Dee and her key worker" in page
    assert f"Last reviewed {timezone.localdate().day}" in page
    assert "Version 1 (current) Amira Clinician Dee and her key worker" in page
    assert "Protective Her dog; her sister." in page
    assert "Edit the plan" in page
    assert "Propose a positive risk-taking plan" in page


def test_nobody_outside_the_caring_teams_finds_the_safety_page(system, client, client_for, person):
    assert client_for(system.clinician_b).get(f"/safety/people/{person.pk}/").status_code == 404
    assert (
        client_for(system.clinician_b).get(f"/safety/people/{person.pk}/plan/").status_code == 404
    )
    assert client_for(system.administrator).get(f"/safety/people/{person.pk}/").status_code == 404
    client.logout()
    response = client.get(f"/safety/people/{person.pk}/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_a_partner_with_consent_reads_but_does_not_write(
    system, client_for, person, plan, shared_with_partner
):
    client = client_for(shared_with_partner)
    page = client.get(f"/safety/people/{person.pk}/")
    assert page.status_code == 200
    assert "Only the team caring for Dee Example writes their safety plan" in text(page)
    assert "Edit the plan" not in text(page)
    for path in ("plan/", "formulation/", "reviews/new/", "positive-risk/new/"):
        response = client.get(f"/safety/people/{person.pk}/{path}")
        assert response.status_code == 403, path
        assert "Dee Example is not on the caseload of any of your teams" in text(response)
    before = stored()
    response = client.post(f"/safety/people/{person.pk}/plan/", plan_form(version="1"))
    assert response.status_code == 400
    assert "not on the caseload of any of your teams" in text(response)
    assert stored() == before


# -- Writing the plan ----------------------------------------------------------------------------


def test_the_key_worker_writes_the_plan_and_every_version_is_kept(system, client_for, person):
    client = client_for(system.clinician_a)
    form = client.get(f"/safety/people/{person.pk}/plan/")
    assert form.status_code == 200
    assert 'type="date"' in form.content.decode()
    review_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        f"/safety/people/{person.pk}/plan/", plan_form(review_on=review_on), follow=True
    )
    assert "Version 1 of Dee Example's safety plan is saved" in text(response)
    plan = SafetyPlan.objects.get(person=person)
    assert (plan.version, plan.written_with, str(plan.review_on)) == (
        1,
        "Dee and her key worker",
        review_on,
    )
    # The form opens on the stored plan, with its version.
    edit = client.get(f"/safety/people/{person.pk}/plan/").content.decode()
    assert 'name="version" value="1"' in edit
    assert "My sister Jo." in edit
    client.post(
        f"/safety/people/{person.pk}/plan/",
        plan_form(version="1", what_matters="My dog, and getting back to work."),
    )
    assert [
        (v.number, v.what_matters)
        for v in SafetyPlanVersion.objects.filter(plan=plan).order_by("number")
    ] == [(1, ""), (2, "My dog, and getting back to work.")]


def test_bad_plans_are_refused_with_clear_errors_and_nothing_is_stored(system, client_for, person):
    client = client_for(system.clinician_a)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/safety/people/{person.pk}/plan/",
        plan_form(
            warning_signs="",
            things_i_can_do="",
            people_to_ask="",
            professionals="  ",
            written_with="",
            review_on=yesterday,
        ),
    )
    assert response.status_code == 400
    page = text(response)
    assert page.startswith("Error:") or "<title>Error:" in response.content.decode()
    assert "There is a problem" in page
    assert "Write at least one step of the plan, in the person's words" in page
    assert "Say who wrote the plan together" in page
    assert "The review date must be today or in the future" in page
    assert stored() == (0, 0, 0, 0, 0, 0, 0)
    response = client.post(f"/safety/people/{person.pk}/plan/", plan_form(review_on="31/02/2026"))
    assert response.status_code == 400
    assert "Enter a real date" in text(response)
    assert stored() == (0, 0, 0, 0, 0, 0, 0)


def test_two_people_saving_the_plan_at_once_see_both_versions(system, client_for, person, plan):
    """Chloe opened version 1; Amira saved version 2 meanwhile. Chloe's save is refused with both
    texts side by side and hers still in the form; saving again keeps both versions."""
    services.safety_plan_save(
        actor=system.clinician_a,
        person=person,
        values={**PLAN, "warning_signs": "Amira's words: stops answering the phone."},
        written_with="Dee and Amira",
        expected_version=1,
    )
    client = client_for(system.vcse)
    mine = plan_form(version="1", warning_signs="Chloe's words: cancels the walking group.")
    response = client.post(f"/safety/people/{person.pk}/plan/", mine)
    assert response.status_code == 409
    page = text(response)
    assert (
        "Someone else saved this plan while you were writing. Nothing has been lost: compare, "
        "then save again." in page
    )
    assert "Saved by Amira Clinician at" in page
    assert "Your version" in page
    assert "Amira's words: stops answering the phone." in page
    html = response.content.decode()
    # The writer's text is still in the form, and the next save is against the stored version.
    assert re.search(r"<textarea[^>]*>\s*Chloe&#39;s words: cancels the walking group.", html)
    assert 'name="version" value="2"' in html
    assert SafetyPlanVersion.objects.filter(plan=plan).count() == 2
    again = client.post(f"/safety/people/{person.pk}/plan/", {**mine, "version": "2"})
    assert again.status_code == 302
    assert [
        v.warning_signs for v in SafetyPlanVersion.objects.filter(plan=plan).order_by("number")
    ] == [
        PLAN["warning_signs"],
        "Amira's words: stops answering the phone.",
        "Chloe's words: cancels the walking group.",
    ]


def test_a_plan_written_by_someone_else_first_is_a_conflict_too(system, client_for, person):
    """Both opened the empty form; the first to save wrote version 1."""
    services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee"
    )
    response = client_for(system.vcse).post(
        f"/safety/people/{person.pk}/plan/", plan_form(warning_signs="Chloe's first words")
    )
    assert response.status_code == 409
    assert 'name="version" value="1"' in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 1


# -- Print view and versions ---------------------------------------------------------------------


def test_the_print_view_is_the_plan_alone(system, client_for, person, plan):
    response = client_for(system.clinician_a).get(f"/safety/people/{person.pk}/plan/print/")
    assert response.status_code == 200
    html = response.content.decode()
    page = text(response)
    assert "My safety plan: Dee Example" in page
    assert "Written with Dee and her key worker." in page
    assert "Walk the dog; music." in page
    assert "nhsuk-header" not in html
    assert "nhsuk-footer" not in html
    assert 'class="rt-print-page"' in html
    assert "safety/print.js" in html
    assert (
        client_for(system.clinician_b).get(f"/safety/people/{person.pk}/plan/print/").status_code
        == 404
    )


def test_an_earlier_version_can_be_read(system, client_for, person, plan):
    services.safety_plan_save(
        actor=system.vcse,
        person=person,
        values={**PLAN, "warning_signs": "Later words"},
        written_with="Dee",
        expected_version=1,
    )
    client = client_for(system.clinician_a)
    response = client.get(f"/safety/people/{person.pk}/plan/versions/1/")
    assert response.status_code == 200
    page = text(response)
    assert "Safety plan, version 1" in page
    assert "This is an earlier version. The plan now is version 2" in page
    assert PLAN["warning_signs"] in page
    assert "Later words" not in page
    assert client.get(f"/safety/people/{person.pk}/plan/versions/3/").status_code == 404
    assert (
        client_for(system.clinician_b)
        .get(f"/safety/people/{person.pk}/plan/versions/1/")
        .status_code
        == 404
    )


# -- The formulation -----------------------------------------------------------------------------


def test_the_formulation_is_written_and_a_stale_save_is_compared(system, client_for, person):
    client = client_for(system.clinician_a)
    empty = client.post(f"/safety/people/{person.pk}/formulation/", {"version": ""})
    assert empty.status_code == 400
    assert "Write at least one part of the formulation" in text(empty)
    assert SafetyFormulation.objects.count() == 0
    saved = client.post(
        f"/safety/people/{person.pk}/formulation/",
        {"presenting": "Low mood since losing work.", "version": ""},
    )
    assert saved.status_code == 302
    services.safety_formulation_save(
        actor=system.vcse,
        person=person,
        values={"presenting": "Mood lifting."},
        expected_version=1,
    )
    stale = client.post(
        f"/safety/people/{person.pk}/formulation/",
        {"presenting": "Worse this week.", "version": "1"},
    )
    assert stale.status_code == 409
    page = text(stale)
    assert "Someone else saved this formulation while you were writing." in page
    assert "Saved by Chloe Practitioner at" in page
    assert "Mood lifting." in page
    assert "Worse this week." in page
    assert 'name="version" value="2"' in stale.content.decode()
    assert SafetyFormulationVersion.objects.count() == 2


# -- Reviews -------------------------------------------------------------------------------------


def test_recording_a_review(system, client_for, person):
    client = client_for(system.clinician_a)
    today = timezone.localdate()
    no_plan = client.post(
        f"/safety/people/{person.pk}/reviews/new/", {"reviewed_on": today.isoformat()}
    )
    assert no_plan.status_code == 400
    assert "Dee Example has no safety plan yet: write it with them first." in text(no_plan)
    assert SafetyReview.objects.count() == 0
    services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee"
    )
    future = client.post(
        f"/safety/people/{person.pk}/reviews/new/",
        {"reviewed_on": (today + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 400
    assert "The review date cannot be in the future" in text(future)
    assert SafetyReview.objects.count() == 1  # the one saving the plan made
    done = client.post(
        f"/safety/people/{person.pk}/reviews/new/",
        {"reviewed_on": today.isoformat(), "note": "Still fits."},
        follow=True,
    )
    assert "The review of Dee Example's safety plan is recorded." in text(done)
    assert "Still fits." in text(done)
    assert SafetyReview.objects.count() == 2


# -- Positive risk-taking ------------------------------------------------------------------------


def test_proposing_a_positive_risk_taking_plan(system, client_for, person):
    mdt = north_mdt(system)
    client = client_for(system.clinician_a)
    form = client.get(f"/safety/people/{person.pk}/positive-risk/new/")
    assert form.status_code == 200
    assert "North MDT" in text(form)
    before = stored()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = client.post(
        f"/safety/people/{person.pk}/positive-risk/new/",
        {"forum": str(mdt.pk), "review_on": yesterday},
    )
    assert refused.status_code == 400
    page = text(refused)
    for message in (
        "Say what the person wants to do",
        "Say what the benefits are",
        "Say what could go wrong",
        "Say what safeguards are agreed",
        "Say who does what",
        "The review date must be today or in the future",
    ):
        assert message in page
    assert stored() == before
    review_on = (timezone.localdate() + timedelta(days=28)).isoformat()
    response = client.post(
        f"/safety/people/{person.pk}/positive-risk/new/",
        {
            "forum": str(mdt.pk),
            "wants_to": "Go walking alone on the moors",
            "benefits": "Confidence, fitness, her own time",
            "possible_harms": "Getting lost; a bad day far from help",
            "safeguards": "Phone charged; tells her sister the route",
            "who_does_what": "Key worker plans routes with her",
            "review_on": review_on,
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/decisions/{decision.pk}/"
    assert decision.kind == DecisionKind.POSITIVE_RISK
    assert decision.forum == mdt
    page = text(client_for(system.clinician_a).get(f"/safety/people/{person.pk}/"))
    assert "Positive risk-taking: Dee Example — Go walking alone on the moors" in page
    assert "Shared in North MDT." in page


def test_a_forum_of_another_team_cannot_be_chosen(system, client_for, person):
    north_mdt(system)
    from roundtable.forums import services as forum_services

    south = forum_services.forum_create(
        actor=system.clinician_b, name="South MDT", kind="mdt", home_team=system.team_b
    )
    response = client_for(system.clinician_a).post(
        f"/safety/people/{person.pk}/positive-risk/new/", {"forum": str(south.pk)}
    )
    assert response.status_code == 400
    assert "Choose one of the team's forums" in text(response)
    assert Decision.objects.count() == 0


# -- A team's reviews due and review frequency ---------------------------------------------------


def test_the_teams_reviews_due_follow_the_zone(system, client_for, episode, plan):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    client = client_for(system.team_leader_a)
    path = f"/safety/teams/{system.team_a.pk}/reviews/"
    response = client.get(path)
    assert response.status_code == 200
    assert "No reviews are due in the next 7 days, and none are overdue." in text(response)
    episode.refresh_from_db()
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Red"])
    # Eight days since the last review, and red is weekly.
    SafetyReview.objects.update(reviewed_on=timezone.localdate() - timedelta(days=8))
    page = text(client.get(path))
    assert "1 review is due in the next 7 days, 1 overdue." in page
    assert "Dee Example Overdue by 1 day" in page
    mine = text(client.get(path, {"key_worker": system.clinician_a.pk}))
    assert "for Amira Clinician's caseload" in mine
    assert "Dee Example" in mine
    others = text(client.get(path, {"key_worker": system.vcse.pk}))
    assert "Dee Example" not in others
    assert client_for(system.clinician_b).get(path).status_code == 404


def test_setting_the_review_frequency_per_zone(system, client_for):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    client = client_for(system.clinician_a)
    path = f"/safety/teams/{system.team_a.pk}/review-frequency/"
    page = text(client.get(path))
    assert "Red: review every (days) Leave blank for the default: every 7 days." in page
    bad = client.post(path, {f"zone_{zones['Red'].pk}": "3", f"zone_{zones['Amber'].pk}": "0"})
    assert bad.status_code == 400
    assert "Enter a number of days from 1 to 366 for Amber" in text(bad)
    assert ReviewFrequency.objects.count() == 0
    ok = client.post(path, {f"zone_{zones['Red'].pk}": "3"}, follow=True)
    assert "North CMHT's review frequencies are saved." in text(ok)
    assert "red every 3 days" in text(ok)
    assert dict(ReviewFrequency.objects.values_list("zone__name", "every_days")) == {"Red": 3}
    client.post(path, {f"zone_{zones['Red'].pk}": ""})
    assert ReviewFrequency.objects.count() == 0
    assert client_for(system.clinician_b).get(path).status_code == 404


def test_the_home_page_counts_the_reviews_due_in_my_teams(system, client_for, episode, plan):
    client = client_for(system.team_leader_a)
    assert "Safety reviews due" not in text(client.get("/"))  # nobody zoned yet
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Red"])
    SafetyReview.objects.update(reviewed_on=timezone.localdate() - timedelta(days=9))
    response = client.get("/")
    assert "Safety reviews due North CMHT: 1 due in the next 7 days, 1 overdue" in text(response)
    assert f'href="/safety/teams/{system.team_a.pk}/reviews/"' in response.content.decode()
    assert "Safety reviews due" not in text(client_for(system.clinician_b).get("/"))


def test_the_care_pages_show_safety(system, client_for, episode):
    """The person's care page has the safety panel, the huddle board says a review is due, and
    the key worker's caseload shows the latest decisions (through care's extension points)."""
    zones = care_services.zones_ensure(team=system.team_a)
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones[0])
    client = client_for(system.clinician_a)
    board = text(client.get(f"/care/teams/{system.team_a.pk}/huddle/"))
    assert "Safety review due today" in board
    person_page = client.get(f"/care/people/{episode.person_id}/")
    assert f"/safety/people/{episode.person_id}/" in person_page.content.decode()
    caseload = text(client.get("/care/caseload/"))
    assert "Latest decisions" in caseload
