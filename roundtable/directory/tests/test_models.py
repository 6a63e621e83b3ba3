"""ODS codes, leadership team scope and other invariants of the directory models."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipTeam,
    Organisation,
    OrganisationKind,
    ods_code_error,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (OrganisationKind.ICB, "QH8"),
        (OrganisationKind.NHS_TRUST, "RWR"),
        (OrganisationKind.PCN, "U12345"),
        (OrganisationKind.GP_PRACTICE, "F81001"),
        (OrganisationKind.VCSE, "8JK12"),
        (OrganisationKind.LOCAL_AUTHORITY, "E10"),
    ],
)
def test_valid_ods_codes(kind, code):
    assert ods_code_error(kind, code) is None


@pytest.mark.parametrize(
    ("kind", "code", "hint"),
    [
        (OrganisationKind.GP_PRACTICE, "RWR", "a letter followed by 5 digits"),
        (OrganisationKind.NHS_TRUST, "F81001", "R followed by 2 letters or digits"),
        (OrganisationKind.PCN, "U1234", "U followed by 5 digits"),
        (OrganisationKind.ICB, "RH8", "Q followed by 2"),
        (OrganisationKind.VCSE, "AB", "3 to 6 letters and digits"),
        (OrganisationKind.VCSE, "AB-12", "3 to 6 letters and digits"),
    ],
)
def test_invalid_ods_codes_say_what_the_format_is(kind, code, hint):
    error = ods_code_error(kind, code)
    assert error is not None
    assert hint in error


def test_clean_normalises_ods_code_and_blank_becomes_null():
    org = Organisation(name="X", kind=OrganisationKind.GP_PRACTICE, ods_code=" f81 001 ")
    org.full_clean()
    assert org.ods_code == "F81001"
    blank = Organisation(name="Y", kind=OrganisationKind.VCSE, ods_code="")
    blank.full_clean()
    assert blank.ods_code is None


def test_two_organisations_without_ods_codes_are_allowed():
    Organisation.objects.create(name="A", kind=OrganisationKind.VCSE)
    Organisation.objects.create(name="B", kind=OrganisationKind.VCSE)
    assert Organisation.objects.filter(ods_code__isnull=True).count() == 2


def test_the_database_refuses_an_empty_ods_code():
    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="A", kind=OrganisationKind.VCSE, ods_code="")


def test_leadership_team_scope_must_match_its_level(system):
    with pytest.raises(ValidationError) as error:
        LeadershipTeam(name="Trust leaders", level=LeadershipLevel.ORGANISATION).full_clean()
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        LeadershipTeam(name="Team leaders", level=LeadershipLevel.TEAM).full_clean()
    assert "team" in error.value.message_dict


def test_the_database_enforces_leadership_team_scope(system):
    with pytest.raises(IntegrityError):
        LeadershipTeam.objects.create(
            name="Wrong", level=LeadershipLevel.SYSTEM, team=system.team_a
        )


def test_an_organisation_cannot_be_part_of_itself(system):
    system.icb.parent = system.trust  # the trust is already part of the ICB
    with pytest.raises(ValidationError) as error:
        system.icb.full_clean()
    assert "cannot be part of itself" in error.value.message_dict["parent"][0]
    system.trust.parent = system.trust
    with pytest.raises(ValidationError):
        system.trust.full_clean()
