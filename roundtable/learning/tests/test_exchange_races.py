"""The practice exchange under simultaneous identical requests, on PostgreSQL (SQLite serialises
writers, so these races exist only there): a new tag is made once however many notes name it at
the same moment, and a "we tried this too" link once however many times it is sent."""

from __future__ import annotations

from roundtable.learning.models import PracticeNote, PracticeTag, TriedToo
from roundtable.learning.tests.test_exchange import share
from roundtable.testing import build_system
from roundtable.tests.test_simultaneous_writes import (
    AT_ONCE,
    RACES,
    Request,
    at_once,
    described,
    identical,
    one_wins,
)

pytestmark = RACES

API = "/api/v1/learning"


def test_a_new_tag_named_by_notes_at_the_same_moment_is_made_once() -> None:
    system = build_system()
    bodies = [
        {
            "title": f"Huddles, site {n}",
            "what_we_tried": "A daily huddle.",
            "what_happened": "Fewer people waited.",
            "contact": system.clinician_a.pk,
            "tags": ["Zoning huddles", f"Site {n}"],
        }
        for n in range(AT_ONCE)
    ]
    replies = at_once(
        [Request(system.clinician_a, "post", f"{API}/practice-notes", body) for body in bodies]
    )
    assert all(reply.status == 201 for reply in replies), described(replies)
    assert PracticeNote.objects.count() == AT_ONCE
    tag = PracticeTag.objects.get(slug="zoning-huddles")
    assert tag.notes.count() == AT_ONCE


def test_we_tried_this_too_sent_at_the_same_moment_is_linked_once() -> None:
    system = build_system()
    earlier = share(system, title="Huddles", tags=[])
    note = share(system, actor=system.clinician_b, contact=system.clinician_b, title="Ours too")
    path = f"{API}/practice-notes/{note.pk}/tried-too"
    replies = identical(Request(system.clinician_b, "post", path, {"earlier": earlier.pk}))
    one_wins(replies, won=201, says="This note is already linked to “Huddles”")
    assert TriedToo.objects.filter(note=note, earlier=earlier).count() == 1
