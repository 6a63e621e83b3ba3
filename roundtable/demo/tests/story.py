"""The story the demo's leadership presence view tells, shared by the demo's tests."""

from __future__ import annotations

LOUGHTON_CMHT = "Loughton Forest Community Mental Health Team"
LOUGHTON_PRIMARY_CARE = "Epping and Loughton Primary Care Mental Health Team"
# What the presence view shows for each team, whatever day the demo is built.
EXPECTED_STATUS = {
    "Harlow Vale Community Mental Health Team": "week",
    "Epping North Community Mental Health Team": "week",
    "Single Point of Access": "week",
    "Harlow Vale Primary Care Mental Health Team": "week",
    "Community Mental Health Partnership Board": "week",
    "Community Front Door Redesign Group": "week",
    "Crisis Resolution and Home Treatment Team": "month",
    "Wellbeing Coaching Service": "month",
    LOUGHTON_CMHT: "not_reached",
    LOUGHTON_PRIMARY_CARE: "not_reached",
}
