"""The rules of each decision method, as pure functions of the positions taken.

Kept apart from the services so that every rule can be tested on its own and explained in the
user guide exactly as it is coded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from roundtable.decisions.models import DecisionMethod, Stance
from roundtable.directory.models import OrganisationKind


@dataclass(frozen=True)
class Tally:
    consent: int = 0
    concern: int = 0
    objection: int = 0
    stand_aside: int = 0
    abstain: int = 0

    @classmethod
    def of(cls, stances: Iterable[str]) -> Tally:
        counts = {stance: 0 for stance in Stance.values}
        for stance in stances:
            counts[stance] += 1
        return cls(**counts)

    @property
    def total(self) -> int:
        return self.consent + self.concern + self.objection + self.stand_aside + self.abstain

    @property
    def in_favour(self) -> int:
        return self.consent + self.concern


@dataclass(frozen=True)
class Verdict:
    """Whether a decision may be recorded as agreed, and if not, why not in plain words."""

    can_agree: bool
    reason: str = ""


def may_agree(
    method: str,
    tally: Tally,
    *,
    advice_given: int = 0,
    vote_threshold_percent: int | None = None,
    vote_quorum: int | None = None,
) -> Verdict:
    """The method's rule for reaching "agreed" on the current revision.

    - Consent: nobody objects, and at least one person consents. Silence is not consent.
    - Consensus: everyone who took a position consents (a concern is still consent); nobody
      objects or stands aside; at least two people consent.
    - Advice process: the proposer decides, after at least one person has given advice.
    - Vote: at least `vote_quorum` positions; more than `vote_threshold_percent` of the yes and
      no votes are yes (consent or concern = yes, objection = no; stand aside and abstain count
      towards the quorum but not the share).
    """
    if method == DecisionMethod.CONSENT:
        if tally.objection:
            return Verdict(False, _objections(tally.objection))
        if not tally.in_favour:
            return Verdict(False, "Nobody has consented yet. Silence is not consent.")
        return Verdict(True)
    if method == DecisionMethod.CONSENSUS:
        if tally.objection:
            return Verdict(False, _objections(tally.objection))
        if tally.stand_aside:
            return Verdict(False, "Someone stands aside, so there is no consensus.")
        if tally.in_favour < 2:
            return Verdict(False, "Consensus needs at least two people to consent.")
        return Verdict(True)
    if method == DecisionMethod.ADVICE:
        if advice_given < 1:
            return Verdict(False, "Seek advice, and record at least one piece, before deciding.")
        return Verdict(True)
    if method == DecisionMethod.VOTE:
        quorum = vote_quorum or 1
        if tally.total < quorum:
            return Verdict(False, f"The quorum is {quorum} positions; {tally.total} taken so far.")
        decisive = tally.in_favour + tally.objection
        threshold = vote_threshold_percent or 50
        if decisive == 0 or tally.in_favour * 100 <= threshold * decisive:
            return Verdict(False, f"More than {threshold}% of the votes must be in favour.")
        return Verdict(True)
    raise ValueError(f"Unknown decision method {method!r}")


def _objections(count: int) -> str:
    noun = "an objection" if count == 1 else f"{count} objections"
    return (
        f"There is {noun} on the current proposal. Work it into a revised proposal: "
        "objections are never overruled."
    )


@dataclass(frozen=True)
class Participant:
    """Someone who took part: a person in Roundtable, or a guest at the meeting known only by
    name. Either counts the same towards the forum's representation rule."""

    discipline_slug: str | None
    discipline_name: str | None
    organisation_kind: str | None
    name: str = ""
    role: str = ""
    is_named_guest: bool = False


@dataclass(frozen=True)
class Representation:
    disciplines: frozenset[str]
    organisation_kinds: frozenset[str]
    lived_experience: bool
    missing: tuple[str, ...] = field(default=())

    @property
    def met(self) -> bool:
        return not self.missing


LIVED_EXPERIENCE_DISCIPLINE = "lived-experience"

# How a missing organisation kind reads in a sentence: "someone from …".
ORGANISATION_PHRASES: dict[str, str] = {
    OrganisationKind.ICB: "the integrated care board",
    OrganisationKind.NHS_TRUST: "an NHS trust",
    OrganisationKind.PCN: "a primary care network",
    OrganisationKind.GP_PRACTICE: "a GP practice",
    OrganisationKind.VCSE: "a VCSE organisation",
    OrganisationKind.LOCAL_AUTHORITY: "the local authority",
    OrganisationKind.LIVED_EXPERIENCE: "a lived-experience network",
}


def representation(
    participants: Iterable[Participant],
    *,
    min_disciplines: int,
    required_organisation_kinds: Iterable[str],
    lived_experience_required: bool,
) -> Representation:
    """Whose voices took part, and which of the forum's required voices are missing."""
    people = list(participants)
    disciplines = frozenset(p.discipline_slug for p in people if p.discipline_slug)
    kinds = frozenset(p.organisation_kind for p in people if p.organisation_kind)
    lived = any(
        p.discipline_slug == LIVED_EXPERIENCE_DISCIPLINE
        or p.organisation_kind == OrganisationKind.LIVED_EXPERIENCE
        for p in people
    )
    missing: list[str] = []
    if len(disciplines) < min_disciplines:
        missing.append(
            f"at least {min_disciplines} disciplines (only {len(disciplines)} took part)"
        )
    for kind in sorted(set(required_organisation_kinds)):
        if kind not in kinds:
            missing.append(f"someone from {ORGANISATION_PHRASES.get(kind, kind)}")
    if lived_experience_required and not lived:
        missing.append("a lived-experience voice")
    return Representation(disciplines, kinds, lived, tuple(missing))


@dataclass(frozen=True)
class Bid:
    """A funding proposal in a participatory allocation round."""

    key: int
    amount_pence: int
    approvals: int
    submitted_order: int


def allocate(bids: Iterable[Bid], budget_pence: int) -> list[int]:
    """The proposals funded within the budget: greedy by approvals, with explicit tie-breaks.

    Proposals are taken in order of most approvals; ties go to the smaller amount, then to the
    one submitted first. Each is funded if it fits in what is left; one that does not fit is
    skipped and the next is considered (as Decidim and Consul do). Proposals with no approvals
    are never funded.
    """
    remaining = budget_pence
    funded = []
    for bid in sorted(bids, key=lambda b: (-b.approvals, b.amount_pence, b.submitted_order)):
        if bid.approvals <= 0:
            continue
        if bid.amount_pence <= remaining:
            funded.append(bid.key)
            remaining -= bid.amount_pence
    return funded
