"""Who may read attendance and presence records.

Attendance and presence are about staff at work, shared across the system so that leaders'
presence is visible; they are read through the access chokepoint like all personal data, so a
narrower policy can be applied in one place.
"""

from __future__ import annotations

from roundtable.core import access
from roundtable.forums.models import Attendance, PresenceVisit

access.register(Attendance, access.everyone_signed_in)
access.register(PresenceVisit, access.everyone_signed_in)
