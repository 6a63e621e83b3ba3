"""NHS numbers are checked as numbers that can have been issued, not only with Modulus 11
(issue 17: `0000000000` passes Modulus 11 and was accepted).

Every number below was worked out by hand with the Modulus 11 rule (weights 10 to 2 on the
first nine digits, 11 minus the remainder; `passes_modulus_11` repeats it here so that each
refused number is shown to be refused for its range, not for its check digit)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from roundtable.care import services
from roundtable.care.models import PersonInCare
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db

CANNOT_BE_ISSUED = "Enter a real NHS number"

REFUSED = {
    "0000000000": "one digit repeated, and below every issued range",
    **{str(digit) * 10: "one digit repeated" for digit in range(1, 10)},
    "0012345679": "unallocated, below Scotland's CHI numbers",
    "3113000009": "unallocated, between Scotland and Northern Ireland",
    "5000000005": "reserved, never to be issued",
    "8000000008": "the Republic of Ireland's health identifiers, not NHS numbers",
    "8600000009": "unallocated, below the test range",
}
ACCEPTED = {
    "4000000004": "England, Wales and the Isle of Man (first range)",
    "6123456784": "England, Wales and the Isle of Man (second range)",
    "7123456785": "England, Wales and the Isle of Man (second range)",
    "0101901232": "Scotland's CHI: born 1 January 1990",
    "3200000007": "Northern Ireland's Health and Care numbers",
    "9991234578": "the 999 test range, used by all synthetic data",
    "9990000018": "the 999 test range",
    "9000000009": "the range kept for test patients",
}


def passes_modulus_11(number: str) -> bool:
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    return {11: 0}.get(check, check) == int(number[9])


def test_the_numbers_here_all_pass_modulus_11():
    assert all(passes_modulus_11(number) for number in [*REFUSED, *ACCEPTED])
    assert not passes_modulus_11("9991234579")


@pytest.mark.parametrize("number", list(REFUSED), ids=list(REFUSED.values()))
def test_a_number_that_cannot_be_issued_is_refused(system, number):
    with pytest.raises(ValidationError) as refusal:
        services.person_in_care_create(
            actor=system.clinician_a, local_id="L-1", name="X", nhs_number=number
        )
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert refusal.value.message_dict == {
        "nhs_number": [
            f"Enter a real NHS number: {spaced} cannot be issued to anyone. "
            "Check the digits and try again"
        ]
    }
    assert not PersonInCare.objects.exists()


@pytest.mark.parametrize("number", list(ACCEPTED), ids=list(ACCEPTED.values()))
def test_a_number_from_an_issued_range_or_the_test_range_is_taken(system, number):
    person = services.person_in_care_create(
        actor=system.clinician_a, local_id="L-1", name="X", nhs_number=number
    )
    person.refresh_from_db()
    assert person.nhs_number == number


def test_a_wrong_check_digit_still_says_so(system):
    with pytest.raises(ValidationError, match="This NHS number is not valid: check the digits"):
        services.person_in_care_create(
            actor=system.clinician_a, local_id="L-1", name="X", nhs_number="999 123 4579"
        )


def test_the_refer_page_refuses_000_000_0000(client_for, system):
    client = client_for(system.clinician_a)
    response = client.post(
        reverse("care:refer"),
        {
            "local_id": "RX1",
            "nhs_number": "000 000 0000",
            "name": "Ann Example",
            "team": str(system.team_a.pk),
            "referral_source": "gp",
        },
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert 'href="#id_nhs_number"' in page
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Enter a real NHS number: 000 000 0000 cannot be issued to anyone" in words
    assert not PersonInCare.objects.exists()


def test_the_api_refuses_0000000000(client, system):
    body = {
        "local_id": "RIO-0002",
        "name": "C. D.",
        "nhs_number": "0000000000",
        "referral": {"team": system.team_a.pk, "referral_source": "self"},
    }
    answer = refused(
        call(client, system.clinician_a, "post", "/api/v1/care/people", body), CANNOT_BE_ISSUED
    )
    assert list(answer["errors"]) == ["nhs_number"]
    assert not PersonInCare.objects.exists()
    body["nhs_number"] = "999 000 0018"
    assert ok(call(client, system.clinician_a, "post", "/api/v1/care/people", body), 201)
