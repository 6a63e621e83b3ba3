"""NHS numbers: the Modulus 11 check, and only numbers that can have been issued.

Modulus 11 alone lets through numbers nobody has: `0000000000` passes it, and so does every
number of one repeated digit (the check digit of ddddddddd is d). The `nhs-number` package knows
the ranges numbers are issued from (its `constants.py`, from NHS England's published ranges):

- 400 000 0000 to 499 999 9999 and 600 000 0000 to 799 999 9999: England, Wales and the Isle of
  Man;
- 010 000 0000 to 311 299 9999: Scotland's CHI numbers (the package also checks that their
  first six digits are a date);
- 320 000 0000 to 399 999 9999: Northern Ireland's Health and Care numbers;
- 900 000 0000 to 999 999 9999: never issued, kept for test patients. Roundtable holds
  synthetic data only, from the 999 range, so these stay valid.

Everything else is refused: the unallocated ranges (below 010 000 0000, 311 300 0000 to 319 999
9999, 860 000 0000 to 899 999 9999), the range reserved and not to be issued (5…), and the
Republic of Ireland's Individual Health Identifiers (800 000 0000 to 859 999 9999), which are
not NHS numbers.
"""

from __future__ import annotations

from nhs_number.constants import (
    REGION_ENGLAND_WALES_IOM,
    REGION_NORTHERN_IRELAND,
    REGION_SCOTLAND,
    REGION_SYNTHETIC,
    Region,
)
from nhs_number.validate import is_valid

ISSUED_REGIONS = (REGION_ENGLAND_WALES_IOM, REGION_SCOTLAND, REGION_NORTHERN_IRELAND)
TEST_REGION = REGION_SYNTHETIC

NOT_VALID = "This NHS number is not valid: check the digits and try again"


def spaced(digits: str) -> str:
    """ "9991234578" → "999 123 4578", as NHS numbers are written for people to read."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _in(region: Region, digits: str) -> bool:
    number = int(digits)
    return any(part.start <= number <= part.end for part in region.ranges)


def can_be_issued(digits: str) -> bool:
    """Whether 10 digits are a number the NHS issues (or its test range): not one digit
    repeated, and inside a range that numbers are issued from."""
    if len(set(digits)) == 1:
        return False
    return any(_in(region, digits) for region in (*ISSUED_REGIONS, TEST_REGION))


def problem(digits: str) -> str | None:
    """What is wrong with an NHS number given as exactly 10 digits, or None if nothing is.

    One digit repeated is refused as never issued before the check digit is looked at (every
    such number passes Modulus 11; a few, like 222 222 2222, fail the CHI date rule instead, and
    "cannot be issued" says more about them than "check the digits")."""
    cannot = (
        f"Enter a real NHS number: {spaced(digits)} cannot be issued to anyone. "
        "Check the digits and try again"
    )
    if len(set(digits)) == 1:
        return cannot
    if not is_valid(digits):
        return NOT_VALID
    if not can_be_issued(digits):
        return cannot
    return None
