"""`create_or_refuse`: the loser of a race gets the refusal the check gives, and nothing else
is hidden. The race itself is played out for real on PostgreSQL in
`roundtable/tests/test_simultaneous_writes.py`; here a check that passes once and then sees the
row stands in for the other request committing in between, on either database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roundtable.core.integrity import create_or_refuse, same_ignoring_case
from roundtable.directory.models import Locality

pytestmark = pytest.mark.django_db

TAKEN = "There is already a locality called North"


def check_after(passes: int) -> tuple[list[str], Callable[[], None]]:
    """A check that lets the first `passes` calls through, as if the other request's row were
    not committed yet, and then refuses if the locality exists; and the list of its answers."""
    answers: list[str] = []

    def check() -> None:
        if len(answers) >= passes and Locality.objects.filter(name="North").exists():
            answers.append("refused")
            raise ValidationError({"name": TAKEN})
        answers.append("passed")

    return answers, check


def test_the_write_runs_after_the_check_and_its_result_is_returned() -> None:
    answers, check = check_after(passes=0)
    made = create_or_refuse(check, lambda: Locality.objects.create(name="North"))
    assert isinstance(made, Locality)
    assert made.pk is not None
    assert answers == ["passed"]


def test_a_refusal_of_the_check_means_no_write() -> None:
    Locality.objects.create(name="North")
    answers, check = check_after(passes=0)
    written: list[Locality] = []
    with pytest.raises(ValidationError) as refused:
        create_or_refuse(check, lambda: written.append(Locality(name="North")))
    assert refused.value.message_dict == {"name": [TAKEN]}
    assert written == []
    assert answers == ["refused"]


def test_the_loser_of_a_race_gets_the_same_refusal_and_the_transaction_goes_on() -> None:
    with transaction.atomic():
        Locality.objects.create(name="North")  # the winner, committed while the loser checked
        answers, check = check_after(passes=1)
        with pytest.raises(ValidationError) as refused:
            create_or_refuse(check, lambda: Locality.objects.create(name="North"))
        assert refused.value.message_dict == {"name": [TAKEN]}
        assert answers == ["passed", "refused"]
        # Only the write's savepoint was undone: the caller's transaction can still be used.
        Locality.objects.create(name="South")
    assert sorted(Locality.objects.values_list("name", flat=True)) == ["North", "South"]


def test_a_violation_the_check_does_not_explain_is_raised() -> None:
    Locality.objects.create(name="North")

    def check() -> None:
        """Knows nothing of this rule."""

    with pytest.raises(IntegrityError):
        create_or_refuse(check, lambda: Locality.objects.create(name="North"))
    assert Locality.objects.count() == 1


@pytest.mark.parametrize(
    ("stored", "asked", "same"),
    [
        ("North", "north", True),
        ("North", "NORTH", True),
        ("North", "North", True),
        ("North", "North East", False),
        ("North", "Nort", False),
        # LIKE's wildcards are not wildcards here: the comparison is one of whole strings.
        ("North", "N%", False),
        ("North", "Nort_", False),
    ],
)
def test_same_ignoring_case_compares_whole_names_whatever_the_case(
    stored: str, asked: str, same: bool
) -> None:
    Locality.objects.create(name=stored)
    assert Locality.objects.filter(same_ignoring_case("name", asked)).exists() is same
