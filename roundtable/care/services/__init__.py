"""Every write to people in care and their episodes. Validated, transactional, audited.

A module for each feature. Other apps, the API and the pages call `services.<name>`; the
modules here import from each other directly."""

from roundtable.care.services._common import is_team_member
from roundtable.care.services.care_decisions import (
    care_decision_propose,
    front_door_offer_agreed,
    front_door_offer_propose,
    move_on_propose,
)
from roundtable.care.services.consents import caring_episode, consent_give, consent_withdraw
from roundtable.care.services.huddle import (
    SBARD_FIELDS,
    care_action_add,
    care_action_complete,
    episode_zone_set,
    huddle_note_add,
)
from roundtable.care.services.offers import offer_create, offer_update
from roundtable.care.services.pathway import episode_move, episode_refer
from roundtable.care.services.people import (
    EARLIEST_BIRTH,
    NHS_NUMBER_FORMAT,
    normalise_nhs_number,
    person_in_care_create,
    person_refer,
)
from roundtable.care.services.zones import (
    DEFAULT_ZONES,
    NO_RISK_RATINGS,
    RATES_RISK,
    zone_archive,
    zone_create,
    zone_update,
    zones_ensure,
)

__all__ = [
    "DEFAULT_ZONES",
    "EARLIEST_BIRTH",
    "NHS_NUMBER_FORMAT",
    "NO_RISK_RATINGS",
    "RATES_RISK",
    "SBARD_FIELDS",
    "care_action_add",
    "care_action_complete",
    "care_decision_propose",
    "caring_episode",
    "consent_give",
    "consent_withdraw",
    "episode_move",
    "episode_refer",
    "episode_zone_set",
    "front_door_offer_agreed",
    "front_door_offer_propose",
    "huddle_note_add",
    "is_team_member",
    "move_on_propose",
    "normalise_nhs_number",
    "offer_create",
    "offer_update",
    "person_in_care_create",
    "person_refer",
    "zone_archive",
    "zone_create",
    "zone_update",
    "zones_ensure",
]
