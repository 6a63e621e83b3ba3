"""The practice exchange's rules: who shares and changes a note, tags, comments and "we tried this
too" links; nothing identifying a person in care is ever stored, nor carried over from what a
note is drawn from; search and filters. Every refusal stores nothing.

The names are synthetic: Dee Example is in North CMHT's care (the `episode` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.learning import services as learning_services
from roundtable.learning.models import (
    Act,
    ChangeCycle,
    CycleStatus,
    LearningResponse,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    Ramp,
    TriedToo,
)
from roundtable.learning.selectors import exchange as selectors
from roundtable.learning.services import exchange as services
from roundtable.learning.tests.helpers import event, swarm

pytestmark = pytest.mark.django_db

IDENTIFIES = "Take out anything that could identify a person in care"


# -- Builders the exchange's tests share ---------------------------------------------------------


def share(system: Any, actor: Any = None, **changes: Any) -> PracticeNote:
    values = {
        "actor": actor or system.clinician_a,
        "title": "Huddles without a care co-ordinator",
        "what_we_tried": "A daily huddle where the whole team holds the caseload.",
        "what_happened": "Fewer people waited for a named worker.",
        "differently": "Start with two days a week.",
        "contact": system.clinician_a,
        "tags": ["Huddles", "Replacing care co-ordination"],
        **changes,
    }
    return services.note_write(**values)


def stored() -> tuple[int, ...]:
    return (
        PracticeNote.objects.count(),
        PracticeTag.objects.count(),
        PracticeComment.objects.count(),
        TriedToo.objects.count(),
    )


def finished_response(system: Any, episode: Any = None) -> LearningResponse:
    """A SWARM huddle about a missed call (about Dee when `episode` is given), answered, with
    learning and a safety action, finished."""
    about = event(system, episode=episode, title="Missed follow-up call to Dee Example")
    response = swarm(system, about)
    response = learning_services.response_update(
        actor=system.team_leader_a,
        response=response,
        expected_version=response.version,
        held_on=response.held_on,
        what_happened="Dee Example was not called after discharge.",
        what_was_expected="A call within 72 hours.",
        why_different="Friday discharges were not on Monday's list.",
        what_now="Friday discharges go on Monday's huddle.",
    )
    learning_services.statement_add(
        actor=system.team_leader_a,
        response=response,
        text="Calls after discharge need an owner by name; Mrs Example's family noticed first.",
    )
    learning_services.action_add(
        actor=system.team_leader_a,
        response=response,
        description="Put Friday discharges on the huddle board",
        owner=system.clinician_a,
        due_on=response.held_on,
    )
    response.refresh_from_db()
    return learning_services.response_finish(
        actor=system.team_leader_a, response=response, expected_version=response.version
    )


def closed_cycle(system: Any, response: LearningResponse | None = None) -> ChangeCycle:
    """A closed Plan-Do-Study-Act cycle of North CMHT, from `response`'s learning if given."""
    ramp = Ramp.objects.create(
        team=system.team_a,
        aim="Every discharge followed up within 72 hours",
        statement=response.statements.first() if response is not None else None,
        started_by=system.team_leader_a,
    )
    return ChangeCycle.objects.create(
        ramp=ramp,
        number=1,
        change="Friday discharges on the Monday huddle board",
        prediction="All called within 72 hours",
        measure="Calls made",
        plan="The huddle lead checks the board",
        what_happened="Nine of ten called; Dee Example's call was the one missed.",
        study="The board works when the lead is in.",
        act=Act.ADOPT,
        act_note="Keep it, with a second lead.",
        status=CycleStatus.CLOSED,
        started_by=system.team_leader_a,
    )


# -- Writing a note ------------------------------------------------------------------------------


def test_a_note_is_shared_in_the_name_of_the_writers_organisation(system):
    note = share(system, actor=system.vcse, team=system.team_a, contact=system.clinician_a)
    assert note.organisation == system.vcse_org
    assert note.written_by == system.vcse
    assert note.team == system.team_a
    assert sorted(t.name for t in note.tags.all()) == ["Huddles", "Replacing care co-ordination"]
    assert sorted(PracticeTag.objects.values_list("slug", flat=True)) == [
        "huddles",
        "replacing-care-co-ordination",
    ]
    audited = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(note.pk))
    assert audited.filter(summary__contains="Practice note shared").exists()


def test_tags_are_found_by_slug_and_made_once(system):
    share(system, tags=["Front door"])
    note = share(system, tags=["front door", "FRONT DOOR", " ", "Huddles"])
    assert sorted(t.name for t in note.tags.all()) == ["Front door", "Huddles"]
    assert PracticeTag.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "Give the note a title"),
        ({"what_we_tried": ""}, "what_we_tried", "Say what you tried"),
        ({"what_happened": "x" * 20_001}, "what_happened", "20,000 characters"),
        ({"contact": None}, "contact", "Choose who to contact"),
        ({"tags": [f"Tag {n}" for n in range(6)]}, "tags", "Choose 5 tags or fewer"),
        ({"tags": ["x" * 61]}, "tags", "Keep each tag to 60 characters or fewer"),
        ({"tags": ["!!!"]}, "tags", "Use letters or numbers"),
        ({"team": "team_b"}, "team", "Choose one of your teams"),
    ],
)
def test_a_note_is_refused_by_field_and_nothing_stored(system, changes, field, message):
    if changes.get("team") == "team_b":
        changes["team"] = system.team_b
    with pytest.raises(ValidationError) as refused:
        share(system, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert stored() == (0, 0, 0, 0)


def test_the_contact_is_someone_still_in_the_directory(system):
    system.clinician_b.is_active = False
    system.clinician_b.save()
    with pytest.raises(ValidationError) as refused:
        share(system, contact=system.clinician_b)
    assert "Ben Clinician no longer has an account" in refused.value.message_dict["contact"][0]
    assert stored() == (0, 0, 0, 0)


def test_only_staff_of_an_organisation_share_notes(system):
    system.clinician_a.organisation = None
    system.clinician_a.save()
    with pytest.raises(NotAllowed):
        share(system)
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "text",
    ["NHS number 999 123 4578", "ref 9991234578.", "(999-123-4578)"],
)
def test_an_nhs_number_is_refused_in_any_text(system, text):
    for field in ("title", "what_we_tried", "what_happened", "differently"):
        with pytest.raises(ValidationError) as refused:
            share(system, **{field: text})
        assert IDENTIFIES in refused.value.message_dict[field][0]
    assert stored() == (0, 0, 0, 0)


def test_a_longer_number_is_not_an_nhs_number(system):
    note = share(system, what_happened="Call 01234 567890 or 0300 123 4567 8 to book.")
    assert note.pk


# -- Drawing a note from a source ---------------------------------------------------------------


def test_a_note_from_a_response_refuses_the_persons_name(system, episode):
    response = finished_response(system, episode)
    for text in ("We called Dee Example first.", "Mrs EXAMPLE's family", "dee   example"):
        with pytest.raises(ValidationError) as refused:
            share(system, from_response=response, what_happened=text)
        message = refused.value.message_dict["what_happened"][0]
        assert IDENTIFIES in message
        assert "Example" not in message  # the refusal never repeats the name
    # A word that only contains the name is not the name.
    note = share(system, from_response=response, what_happened="Examples of good handovers")
    assert note.from_response == response
    assert stored()[0] == 1


def test_a_note_from_a_cycle_refuses_the_name_of_the_person_its_learning_was_about(system, episode):
    cycle = closed_cycle(system, finished_response(system, episode))
    with pytest.raises(ValidationError) as refused:
        share(system, from_cycle=cycle, title="What Dee Example taught us")
    assert IDENTIFIES in refused.value.message_dict["title"][0]
    assert share(system, from_cycle=cycle).from_cycle == cycle


def test_the_name_is_free_in_a_note_drawn_from_nothing_about_them(system, episode):
    """Names are checked against the source's people: a note from nowhere knows no names."""
    finished_response(system, episode)
    assert share(system, what_happened="Examples from Dee's team").pk


def test_an_unfinished_or_unseen_source_is_refused(system, episode, trust_leader):
    about = event(system, title="Phones down")
    open_response = swarm(system, about)
    with pytest.raises(ValidationError) as refused:
        share(system, from_response=open_response)
    assert refused.value.message_dict["from_response"] == [
        f"There is no finished learning response you can see with id {open_response.pk}"
    ]
    # Jo leads North CMHT but may not see Dee: the response about Dee is not hers to draw from.
    about_dee = finished_response(system, episode)
    with pytest.raises(ValidationError) as refused:
        share(system, actor=trust_leader, contact=trust_leader, from_response=about_dee)
    assert "There is no finished learning response you can see" in str(refused.value)
    # A cycle not yet closed, and one of a team Ben is not in.
    cycle = closed_cycle(system)
    ChangeCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.DOING)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        share(system, from_cycle=cycle)
    assert refused.value.message_dict["from_cycle"] == [
        f"There is no finished test of change you can see with id {cycle.pk}"
    ]
    closed = closed_cycle(system)
    with pytest.raises(ValidationError):
        share(system, actor=system.clinician_b, contact=system.clinician_b, from_cycle=closed)
    assert stored() == (0, 0, 0, 0)


def test_the_draft_from_a_response_carries_its_learning_and_nothing_of_the_event(system, episode):
    response = finished_response(system, episode)
    draft = selectors.note_draft_from_response(system.team_leader_a, response)
    everything = " ".join(
        [draft.title, draft.what_we_tried, draft.what_happened, draft.differently]
    )
    assert "Friday discharges go on Monday's huddle." in draft.what_we_tried
    assert "Put Friday discharges on the huddle board" in draft.what_we_tried
    assert "Calls after discharge need an owner by name" in draft.what_happened
    assert "the person's family noticed first" in draft.what_happened
    assert "Example" not in everything
    assert "Dee" not in everything
    assert "Missed follow-up call" not in everything  # the event's title
    assert "was not called after discharge" not in everything  # what happened
    assert draft.from_response == response
    # Shared as drafted, it is accepted.
    note = share(
        system,
        actor=system.team_leader_a,
        from_response=response,
        **{k: getattr(draft, k) for k in ("title", "what_we_tried", "what_happened")},
    )
    assert note.from_response == response


def test_the_draft_from_a_cycle_carries_the_change_and_its_study(system, episode):
    cycle = closed_cycle(system, finished_response(system, episode))
    draft = selectors.note_draft_from_cycle(system.team_leader_a, cycle)
    assert draft.title == "Every discharge followed up within 72 hours"
    assert draft.what_we_tried == "Friday discharges on the Monday huddle board"
    assert draft.what_happened == (
        "Nine of ten called; the person's call was the one missed.\n\n"
        "The board works when the lead is in."
    )
    assert draft.differently == "Keep it, with a second lead."
    assert draft.from_cycle == cycle


# -- Changing a note -----------------------------------------------------------------------------


def edit(note: PracticeNote, actor: Any, **changes: Any) -> PracticeNote:
    values = {
        "actor": actor,
        "note": note,
        "expected_version": note.version,
        "title": note.title,
        "what_we_tried": note.what_we_tried,
        "what_happened": note.what_happened,
        "differently": note.differently,
        "contact": note.contact,
        "tags": [t.name for t in note.tags.all()],
        "team": note.team,
        **changes,
    }
    return services.note_edit(**values)


def test_the_writer_and_the_contact_change_a_note(system):
    note = share(system, actor=system.vcse, contact=system.clinician_a)
    note = edit(note, system.vcse, title="Huddles, two days a week", tags=["Front door"])
    assert note.version == 2
    assert [t.name for t in note.tags.all()] == ["Front door"]
    note = edit(note, system.clinician_a, differently="Start with one day.")
    assert PracticeNote.objects.get().differently == "Start with one day."
    with pytest.raises(NotAllowed):
        edit(note, system.clinician_b, title="Not mine")
    assert PracticeNote.objects.get().title == "Huddles, two days a week"


def test_a_stale_change_is_refused_and_the_saved_one_kept(system):
    note = share(system)
    stale = PracticeNote.objects.get()
    edit(note, system.clinician_a, title="Saved first")
    with pytest.raises(ConcurrentEditError):
        edit(stale, system.clinician_a, title="Saved second")
    assert PracticeNote.objects.get().title == "Saved first"


def test_a_change_is_checked_like_a_new_note(system, episode):
    note = share(system, from_response=finished_response(system, episode))
    with pytest.raises(ValidationError) as refused:
        edit(note, system.clinician_a, what_we_tried="Dee Example, 999 123 4578")
    assert IDENTIFIES in refused.value.message_dict["what_we_tried"][0]
    assert PracticeNote.objects.get().version == 1


# -- Comments and "we tried this too" -----------------------------------------------------------


def test_comments_are_added_and_refused_when_they_could_identify_someone(system, episode):
    note = share(system, from_response=finished_response(system, episode))
    comment = services.comment_add(actor=system.clinician_b, note=note, text="We do this too.")
    assert comment.author == system.clinician_b
    for text in ("Is this about Dee Example?", "NHS number 999 123 4578", " ", "x" * 2_001):
        with pytest.raises(ValidationError) as refused:
            services.comment_add(actor=system.clinician_b, note=note, text=text)
        assert "text" in refused.value.message_dict
    assert PracticeComment.objects.count() == 1


def test_we_tried_this_too_links_two_notes_once(system):
    earlier = share(system, title="Huddles")
    later = share(system, actor=system.clinician_b, contact=system.clinician_b, title="Ours too")
    link = services.tried_too_link(actor=system.clinician_b, note=later, earlier=earlier)
    assert (link.note, link.earlier, link.linked_by) == (later, earlier, system.clinician_b)
    with pytest.raises(ValidationError) as refused:
        services.tried_too_link(actor=system.clinician_b, note=later, earlier=earlier)
    assert refused.value.message_dict["earlier"] == ["This note is already linked to “Huddles”"]
    with pytest.raises(ValidationError) as refused:
        services.tried_too_link(actor=system.clinician_b, note=later, earlier=later)
    assert "a note cannot echo itself" in refused.value.message_dict["earlier"][0]
    assert TriedToo.objects.count() == 1
    page = selectors.note_page(system.vcse, earlier.pk)
    assert [n.pk for n in page.echoed_by] == [later.pk]
    assert [n.pk for n in selectors.note_page(system.vcse, later.pk).tried_too] == [earlier.pk]


# -- Reading: search, filters, the source ---------------------------------------------------------


def test_notes_are_searched_and_filtered_newest_first(system):
    huddles = share(system, title="Huddles")
    door = share(
        system,
        actor=system.vcse,
        title="A shared front door",
        what_we_tried="One phone number for every partner",
        tags=["Front door"],
    )
    other = share(system, title="Peer support on the ward", what_happened="Met weekly", tags=[])
    ids = lambda **kw: [n.pk for n in selectors.note_list(system.board_member, **kw)]  # noqa: E731
    assert ids() == [other.pk, door.pk, huddles.pk]
    assert ids(q="PHONE number") == [door.pk]
    assert ids(q="weekly") == [other.pk]
    assert ids(q="nothing like it") == []
    assert ids(tag="front-door") == [door.pk]
    assert ids(tag="huddles") == [huddles.pk]
    assert ids(organisation=system.vcse_org) == [door.pk]
    assert ids(organisation=system.trust, tag="front-door") == []
    listed = selectors.note_list(system.board_member)[0]
    assert listed.comment_count == 0  # type: ignore[attr-defined]
    tags = selectors.tag_list(system.board_member)
    counts = {t.slug: t.note_count for t in tags}  # type: ignore[attr-defined]
    assert counts == {"front-door": 1, "huddles": 1, "replacing-care-co-ordination": 1}


def test_the_source_is_a_link_only_for_who_may_see_it(system, episode, trust_leader):
    response = finished_response(system, episode)
    note = share(system, from_response=response)
    assert selectors.note_page(system.team_leader_a, note.pk).source == selectors.Source(
        "response", response.pk
    )
    # Jo may not see Dee, Ben is in another team: the note, but no link to its source.
    assert selectors.note_page(trust_leader, note.pk).source is None
    assert selectors.note_page(system.clinician_b, note.pk).source is None
    cycle = closed_cycle(system)
    from_cycle = share(system, from_cycle=cycle)
    assert selectors.note_page(system.clinician_a, from_cycle.pk).source == selectors.Source(
        "cycle", cycle.pk, cycle.ramp_id
    )
    assert selectors.note_page(system.clinician_b, from_cycle.pk).source is None
