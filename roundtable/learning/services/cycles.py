"""Every write to tests of change: a ramp of Plan-Do-Study-Act cycles towards one aim.

A ramp starts with its first cycle planned; a cycle is tried (planned → being tried), then closed
with what the team found when it compared what happened with its prediction (study) and what it
does next (act: adopt, adapt or abandon); only then is the next cycle planned. Who may act is the
ramp's team: its members and those who lead it. Record rules are the models'
(`core.records.validate`); the database backs the rest: one open cycle a ramp, numbers unique in
a ramp, and a closed cycle always has its study and act (`models.ChangeCycle`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import access, records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned, update_versioned
from roundtable.core.text import visible
from roundtable.directory.models import Person, Team
from roundtable.learning.models import (
    CYCLE_STATES,
    ChangeCycle,
    CycleStatus,
    LearningStatement,
    Ramp,
)
from roundtable.learning.services.responses import _require_team

# What a cycle's page and the API may write while the cycle is not closed: its plan, and what
# happened as it was tried. What was studied and what the team does next are written as it closes.
TEXTS = ("change", "prediction", "measure", "plan", "what_happened")

NO_STUDY = "Say what you found when you compared what happened with your prediction"
NO_ACT = "Choose whether to adopt, adapt or abandon the change"


def _plan(
    ramp: Ramp, number: int, actor: Person, change: str, prediction: str, measure: str, plan: str
) -> ChangeCycle:
    return ChangeCycle(
        ramp=ramp,
        number=number,
        change=visible(change),
        prediction=visible(prediction),
        measure=visible(measure),
        plan=visible(plan),
        started_by=actor,
        status=CycleStatus.PLANNED,
    )


@transaction.atomic
def ramp_start(
    *,
    actor: Person,
    team: Team,
    aim: str,
    change: str,
    prediction: str,
    measure: str,
    plan: str,
    statement: LearningStatement | None = None,
) -> Ramp:
    """Start a test of change in the team: its aim and the plan of its first cycle. It may start
    from a learning statement the actor can see, which it then points back to."""
    _require_team(actor, team, "start its tests of change")
    errors: dict[str, str] = {}
    seen = access.scoped(actor, LearningStatement)
    if statement is not None and not seen.filter(pk=statement.pk).exists():
        errors["statement"] = f"There is no learning statement you can see with id {statement.pk}"
    ramp = Ramp(team=team, aim=visible(aim), statement=statement, started_by=actor)
    first = _plan(ramp, 1, actor, change, prediction, measure, plan)
    records.validate(ramp, first, also=errors)
    records.create(ramp, actor=actor, summary=f"Test of change started in {team.name}")
    first.ramp = ramp
    records.create(first, actor=actor, summary=f"Cycle 1 planned in test of change {ramp.pk}")
    return ramp


def _locked(cycle: ChangeCycle, actor: Person, expected_version: int, doing: str) -> ChangeCycle:
    """The cycle as stored now, locked until the transaction ends: refused outside the team, or
    when it was changed since `expected_version` was read."""
    locked = (
        ChangeCycle.objects.select_for_update(of=("self",))
        .select_related("ramp__team")
        .get(pk=cycle.pk)
    )
    _require_team(actor, locked.ramp.team, doing)
    if locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def _require_open(cycle: ChangeCycle) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError("This cycle is closed: its record no longer changes.")


@transaction.atomic
def cycle_update(
    *, actor: Person, cycle: ChangeCycle, expected_version: int, **answers: str
) -> ChangeCycle:
    """Write a cycle's plan (and, once it is being tried, what happened) while it is not closed."""
    _require_team(actor, cycle.ramp.team, "write its tests of change")
    unknown = sorted(set(answers) - set(TEXTS))
    if unknown:
        raise TypeError(f"Unexpected answer(s): {', '.join(unknown)}")
    if cycle.version != expected_version:  # closed, or written, since it was read
        raise ConcurrentEditError(cycle)
    _require_open(cycle)
    return update_versioned(
        cycle,
        actor=actor,
        expected_version=expected_version,
        fields=sorted(answers),
        values={name: visible(text) for name, text in answers.items()},
        summary=lambda changed: (
            f"Cycle {changed.number} of test of change {changed.ramp_id} written"
        ),
    )


@transaction.atomic
def cycle_start(*, actor: Person, cycle: ChangeCycle, expected_version: int) -> ChangeCycle:
    """Begin trying the change: planned → being tried."""
    cycle = _locked(cycle, actor, expected_version, "try its changes")
    CYCLE_STATES.move(cycle, CycleStatus.DOING, cycle=cycle, actor=actor)
    save_versioned(cycle, expected_version=expected_version, fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=cycle,
        summary=f"Cycle {cycle.number} of test of change {cycle.ramp_id} is being tried",
    )
    return cycle


@transaction.atomic
def cycle_close(
    *,
    actor: Person,
    cycle: ChangeCycle,
    expected_version: int,
    what_happened: str,
    study: str,
    act: str,
    act_note: str = "",
) -> ChangeCycle:
    """Close a cycle being tried: what happened, what the team found when it compared that with
    its prediction (study), and what it does next (act: adopt, adapt or abandon). Both study and
    act are needed: a cycle is never closed without them."""
    cycle = _locked(cycle, actor, expected_version, "close its cycles")
    CYCLE_STATES.check(cycle, CycleStatus.CLOSED)
    cycle.what_happened = visible(what_happened)
    cycle.study = visible(study)
    cycle.act = act or ""
    cycle.act_note = visible(act_note)
    errors: dict[str, str] = {}
    if not cycle.study:
        errors["study"] = NO_STUDY
    if not cycle.act:
        errors["act"] = NO_ACT
    records.validate(cycle, also=errors)
    CYCLE_STATES.move(cycle, CycleStatus.CLOSED, cycle=cycle, actor=actor)
    cycle.closed_at = timezone.now()
    save_versioned(
        cycle,
        expected_version=expected_version,
        fields=["what_happened", "study", "act", "act_note", "status", "closed_at"],
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=cycle,
        summary=f"Cycle {cycle.number} of test of change {cycle.ramp_id} closed: {cycle.act}",
    )
    return cycle


@transaction.atomic
def cycle_next(
    *, actor: Person, ramp: Ramp, change: str, prediction: str, measure: str, plan: str
) -> ChangeCycle:
    """Plan the ramp's next cycle, once the one before is closed: adapted from it, growing what
    was adopted, or — after one was abandoned — a new idea towards the same aim.

    The ramp is locked while its cycles are read, so two people planning the next cycle at the
    same moment make one: the second waits, then finds the first one's cycle open (and the
    database holds one open cycle a ramp whatever happens)."""
    ramp = Ramp.objects.select_for_update(of=("self",)).select_related("team").get(pk=ramp.pk)
    _require_team(actor, ramp.team, "plan its tests of change")
    last = ChangeCycle.objects.filter(ramp=ramp).order_by("-number").first()
    number = last.number + 1 if last is not None else 1

    def check() -> None:
        still_open = ChangeCycle.objects.filter(ramp=ramp).exclude(status=CycleStatus.CLOSED)
        found = still_open.order_by("number").first()
        if found is not None:
            raise ValidationError(
                f"Close cycle {found.number}, with what you found and what you do next, "
                "before planning the next one."
            )

    cycle = _plan(ramp, number, actor, change, prediction, measure, plan)
    return records.create(
        cycle,
        actor=actor,
        summary=f"Cycle {number} planned in test of change {ramp.pk}",
        check=check,
    )
