"""Text that is "present" has something a reader can see (`core.text.visible`), in services and
in every form: a title of zero-width spaces is no title."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from roundtable.core.text import is_blank, visible
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision, DecisionKind
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"  # spaces, joiners, word joiner, byte order mark


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "\u200b\ufeff",
        ZERO_WIDTH,
        "\u00a0",  # a no-break space alone
        "\u3000\u2028\u2029",  # ideographic space, line and paragraph separators
        "\u00ad",  # a soft hyphen
        "\u200e\u200f",  # direction marks
        "\u3164\u2800",  # the Hangul filler, the blank Braille pattern
        "\ufe0f",  # a variation selector with nothing to vary
        " \t\r\n\u200b\n ",
    ],
)
def test_nothing_visible_is_empty(text):
    assert visible(text) == ""
    assert is_blank(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Fund a peer-support service", "Fund a peer-support service"),
        ("\ufeffSituation: moved house.\u200b ", "Situation: moved house."),
        ("\u00a0 Line one\n\nLine two \u2060", "Line one\n\nLine two"),
        # Inside the text nothing changes: a joiner inside an emoji sequence, a no-break space.
        ("👩\u200d⚕️ nurse\u00a0led", "👩\u200d⚕️ nurse\u00a0led"),
        (".", "."),
        ("0", "0"),
    ],
)
def test_visible_text_is_kept_and_only_its_ends_are_trimmed(text, kept):
    assert visible(text) == kept
    assert not is_blank(text)


def test_none_is_empty():
    assert visible(None) == ""


class TitleForm(forms.Form):
    title = forms.CharField(error_messages={"required": "Enter a title for the decision"})
    note = forms.CharField(required=False, widget=forms.Textarea)
    email = forms.EmailField(required=False)
    password = forms.CharField(required=False, strip=False)


@pytest.mark.parametrize("title", ["\u200b\u200b\u200b", "\u200b\ufeff", "\u00a0", ZERO_WIDTH])
def test_a_required_form_field_refuses_invisible_text_with_its_own_message(title):
    form = TitleForm(data={"title": title})
    assert not form.is_valid()
    assert form.errors["title"] == ["Enter a title for the decision"]


def test_form_fields_trim_invisible_characters_at_the_ends_and_keep_the_rest():
    form = TitleForm(
        data={
            "title": "\ufeffFund peer support\u200b",
            "note": "\u200b\ufeff",
            "email": "\u200bann@example.nhs.uk\ufeff",
            "password": " \u200bsecret\u200b ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "title": "Fund peer support",
        "note": "",  # optional and invisible: nothing was written
        "email": "ann@example.nhs.uk",
        "password": " \u200bsecret\u200b ",  # a field that keeps its spaces keeps these too
    }


@pytest.mark.django_db
def test_a_decision_titled_with_zero_width_spaces_is_refused(system):
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North MDT",
        kind=ForumKind.MDT,
        members=[system.clinician_a],
    )
    with pytest.raises(ValidationError) as refused:
        decision_services.decision_propose(
            actor=system.clinician_a,
            forum=forum,
            kind=DecisionKind.SERVICE_CHANGE,
            title="\u200b\u200b\u200b",
            proposal="\ufeff\u2060",
        )
    assert refused.value.message_dict == {
        "title": ["Enter a title for the decision"],
        "proposal": ["Enter the proposal"],
    }
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_forum_named_with_zero_width_spaces_is_refused(system):
    with pytest.raises(ValidationError) as refused:
        forum_services.forum_create(
            actor=system.team_leader_a, name="\u200b\ufeff", kind=ForumKind.MDT
        )
    assert list(refused.value.message_dict) == ["name"]
    assert not Forum.objects.filter(kind=ForumKind.MDT).exists()


@pytest.mark.django_db
def test_visible_text_is_stored_without_invisible_ends(system):
    forum = forum_services.forum_create(
        actor=system.team_leader_a, name="\ufeffNorth MDT\u200b", kind=ForumKind.MDT
    )
    forum.refresh_from_db()
    assert forum.name == "North MDT"
