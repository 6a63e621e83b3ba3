"""The decision page: the proposal, positions, who took part, holds, discussion and advice,
with the actions the person may take; and adding a comment to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from roundtable.core.pages import allowed, breadcrumbs, form_status, me, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import (
    STANCE_HINTS,
    AdviceRequestForm,
    CommentForm,
    PositionForm,
)
from roundtable.decisions.models import Decision, DecisionMethod, Position, Stance
from roundtable.decisions.rules_engine import Participant
from roundtable.decisions.views.common import back, log_crumb, render
from roundtable.directory.models import OrganisationKind

# The order positions are listed in: what blocks first, then what needs working on.
STANCE_ORDER = [
    Stance.OBJECTION,
    Stance.CONCERN,
    Stance.CONSENT,
    Stance.STAND_ASIDE,
    Stance.ABSTAIN,
]

# What "can be agreed" means for each method, completing "Can be agreed: …".
RULE_MET = {
    DecisionMethod.CONSENT: "nobody objects, and at least one person consents.",
    DecisionMethod.CONSENSUS: "everyone who took a position consents.",
    DecisionMethod.ADVICE: "advice has been given, and the proposer decides.",
    DecisionMethod.VOTE: "the quorum is met and enough of the votes are in favour.",
}


@dataclass
class TookPart:
    """Who took part in a decision, for the representation panel."""

    people: list[Participant]
    by_discipline: list[tuple[str, list[str]]]
    by_organisation_kind: list[tuple[str, list[str]]]
    by_role: list[tuple[str, list[str]]]


def _grouped(people: Iterable[Participant], key: Any) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for person in people:
        # A guest known only by name is marked, so nobody looks for them in the directory.
        name = f"{person.name} (guest)" if person.is_named_guest else person.name
        groups.setdefault(key(person), []).append(name)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def _took_part(page: selectors.DecisionPage) -> TookPart:
    people = page.participants
    kinds = dict(OrganisationKind.choices)
    return TookPart(
        people,
        _grouped(people, lambda p: p.discipline_name or "Not recorded"),
        _grouped(
            people,
            lambda p: (
                kinds.get(p.organisation_kind, p.organisation_kind)
                if p.organisation_kind
                else "Not recorded"
            ),
        ),
        # Job titles and guests' roles, when anyone has one recorded (role, not grade: anyone
        # may propose).
        _grouped(people, lambda p: p.role or "Not recorded") if any(p.role for p in people) else [],
    )


def verdict_text(page: selectors.DecisionPage) -> str:
    if page.verdict.can_agree:
        return "Can be agreed: " + RULE_MET[DecisionMethod(page.decision.method)]
    reason = page.verdict.reason
    return "Cannot be agreed yet: " + reason[:1].lower() + reason[1:]


def by_stance(positions: list[Position]) -> list[tuple[str, str, list[Position]]]:
    return [
        (stance.value, stance.label, [p for p in positions if p.stance == stance])
        for stance in STANCE_ORDER
    ]


def _offers(request: HttpRequest, decision: Decision) -> dict[str, bool]:
    names = ["position", "revise", "withdraw", "outcome", "review", "hold", "round", "advice"]
    offers = {name: allowed(request, f"decisions.offer_{name}", decision) for name in names}
    offers["comment"] = allowed(request, "decisions.comment", decision)
    return offers


def _decision_context(request: HttpRequest, page: selectors.DecisionPage) -> dict[str, Any]:
    decision = page.decision
    user = me(request)
    offers = _offers(request, decision)
    if offers["hold"] and any(h.leader_id == user.pk for h in page.holds):
        offers["hold"] = False
    mine = page.position_of(user.pk)
    my_earlier = next((p for p in page.earlier_positions if p.person_id == user.pk), None)
    representation = page.representation
    return {
        "page_title": decision.title,
        "page": page,
        "decision": decision,
        "revision": page.current_revision,
        "earlier_revisions": list(reversed(page.revisions[:-1])),
        "offers": offers,
        "mine": mine,
        "my_earlier": my_earlier if mine is None else None,
        "by_stance": by_stance(page.current_positions),
        "verdict_text": verdict_text(page),
        "took_part": _took_part(page),
        "missing": list(representation.missing) if representation else [],
        "stance_hints": {str(k): v for k, v in STANCE_HINTS.items()},
        "my_advice_requests": [
            a for a in page.advice if a.adviser_id == user.pk and a.given_at is None
        ],
        "breadcrumbs": breadcrumbs(log_crumb(), (decision.title, "")),
    }


def decision_page(
    request: HttpRequest,
    decision_id: int,
    *,
    position_form: PositionForm | None = None,
    comment_form: CommentForm | None = None,
    advice_form: AdviceRequestForm | None = None,
) -> HttpResponse:
    """The decision page, with a form sent from it shown again with its errors."""
    page = selectors.decision_detail(request.user, decision_id)
    context = _decision_context(request, page)
    mine = context["mine"]
    if position_form is None:
        initial = {"stance": mine.stance, "reason": mine.reason} if mine else None
        position_form = PositionForm(initial=initial)
    context.update(
        {
            "position_form": position_form,
            "comment_form": comment_form or CommentForm(),
            "advice_form": advice_form or AdviceRequestForm(people=None),
            "page_has_errors": any(
                f is not None and f.is_bound and f.errors
                for f in (position_form, comment_form, advice_form)
            ),
        }
    )
    status = form_status(position_form, comment_form, advice_form)
    return render(request, "decisions/decision.jinja", context, status=status)


@require_GET
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    return decision_page(request, decision_id)


@require_POST
def comment_add(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    form = CommentForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.comment_add(actor=me(request), decision=decision, body=data["body"]),
    )
    if outcome.saved:
        messages.success(request, "Your comment is added.")
        return back(decision, "#discussion")
    return decision_page(request, decision_id, comment_form=form)
