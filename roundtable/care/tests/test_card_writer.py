"""The huddle board's cards as `presenters.CardWriter` writes them: what each card says, with
every value from the database escaped, however often a name comes back on the board."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.safestring import SafeString

from roundtable.care import presenters
from roundtable.care.selectors import (
    BoardCard,
    CardAction,
    CardEpisode,
    CardNote,
    PersonRef,
    StaffRef,
)

LEAD = StaffRef(7, "Sam <Lead>")


def writer(badges: dict[int, list[SafeString]] | None = None) -> presenters.CardWriter:
    return presenters.CardWriter(
        paths=presenters.card_paths(3),
        csrf_token="token",
        meeting_id=None,
        badges=badges or {},
        zone_options=SafeString('<option value="">Choose a zone</option>'),
    )


def card(pk: int, *, stage="in_support", since_days=None, worker=LEAD, note=None, actions=()):
    # Noon that many calendar days ago where the service is (today: now), so neither the time of
    # day the test runs at nor summer time changes the count.
    since = None
    if since_days == 0:
        since = timezone.now()
    elif since_days is not None:
        day = timezone.localdate() - timedelta(days=since_days)
        since = timezone.make_aware(datetime.combine(day, time(12)))
    episode = CardEpisode(pk, 1, stage, 1, since, PersonRef(pk, f"L{pk}", f"Person {pk}"), worker)
    return BoardCard(episode, list(actions), note, None)


def test_a_card_says_who_key_works_how_long_in_the_zone_and_the_stage():
    w = writer()
    assert w.body(card(1, since_days=0)) == (
        '<p class="rt-meta">Key worker: <a href="/care/caseload/7/">Sam &lt;Lead&gt;</a>'
        "<br>Moved to this zone today</p>"
    )
    assert "<br>In this zone for 1 day</p>" in w.body(card(2, since_days=1))
    assert "<br>In this zone for 3 days</p>" in w.body(card(3, since_days=3))
    waiting = w.body(card(4, stage="waiting", worker=None))
    assert waiting == '<p class="rt-meta">Key worker: not chosen yet<br>Stage: waiting</p>'


def test_names_are_escaped_on_every_card_they_come_back_on():
    note = CardNote(9, 1, LEAD, None, timezone.now(), "Moved <b>house</b>", "", "", "", "")
    action = CardAction(5, 2, "Call the GP", StaffRef(8, "Jo & Co"), timezone.localdate(), None, 1)
    w = writer(badges={2: [SafeString("<strong>Badge</strong>")]})
    first, second = w.body(card(1, note=note)), w.body(card(2, actions=[action]))
    assert first.count("Sam &lt;Lead&gt;") == 2  # the key worker and the note's author
    assert "Moved &lt;b&gt;house&lt;/b&gt;" in first
    assert "Sam &lt;Lead&gt;" in second
    assert "&ndash; Jo &amp; Co, due" in second
    assert '<p class="rt-card-badge"><strong>Badge</strong></p>' in second
    assert "<b>" not in first + second
    assert "rt-card-badge" not in first


def test_an_open_card_has_its_zone_change_and_closes_back_to_the_compact_card():
    html = writer().item(card(12, since_days=2))
    assert html.startswith('<li class="rt-card rt-card--open" id="card-12" hx-boost="false">')
    assert 'action="/care/episodes/12/zone/"' in html
    assert '<input type="hidden" name="version" value="1">' in html
    assert '<select class="nhsuk-select" id="zone-zone-12" name="zone">' in html
    assert 'hx-get="/care/teams/3/huddle/episodes/12/?view=compact"' in html
    assert "nhsuk-form-group--error" not in html


def test_a_compact_card_is_the_name_the_key_worker_the_days_and_one_line_of_badges():
    today = timezone.localdate()
    due = CardAction(5, 12, "Call", LEAD, today, None, 1)
    late = CardAction(6, 12, "Write", LEAD, today - timedelta(days=2), None, 1)
    later = CardAction(7, 13, "Visit", LEAD, today + timedelta(days=3), None, 1)
    w = writer(badges={12: [SafeString("<strong>Review due</strong>")]})
    html = w.compact(card(12, since_days=3, actions=[due, late]))
    assert html == (
        '<li class="rt-card" id="card-12"><h3 class="rt-card-name" id="card-12-name">'
        '<a href="/care/teams/3/huddle/episodes/12/">Person 12</a></h3>'
        '<p class="rt-meta">Sam &lt;Lead&gt; · 3 days in zone'
        '<span class="rt-needs"><span><strong>Review due</strong></span>'
        '<strong class="nhsuk-tag nhsuk-tag--red">1 overdue</strong>'
        '<strong class="nhsuk-tag nhsuk-tag--orange">1 due today</strong></span></p></li>'
    )
    quiet = w.compact(card(13, stage="waiting", worker=None, actions=[later]))
    assert '<p class="rt-meta">No key worker · Waiting<span class="rt-needs">' in quiet
    assert '<span class="rt-needs"><span>1 open action</span></span></p>' in quiet
    # Small: a board of hundreds stays light.
    assert len(w.compact(card(14, since_days=1)).encode()) < 260


def test_what_needs_discussion_today():
    today = timezone.localdate()
    due = CardAction(5, 1, "Call", LEAD, today, None, 1)
    later = CardAction(6, 1, "Visit", LEAD, today + timedelta(days=1), None, 1)
    assert presenters.card_needs(card(1, actions=[later]), {}, today) == []
    assert presenters.card_needs(card(1, actions=[due, later]), {}, today) == ["1 action due today"]
    review = {1: [SafeString("<b>Safety review due today</b>")]}
    assert presenters.card_needs(card(1), review, today) == ["Safety review due today"]
    unzoned = card(2)
    unzoned.episode.zone_id = None
    assert presenters.card_needs(unzoned, {}, today) == ["No zone yet"]
