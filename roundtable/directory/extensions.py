"""What apps built on the directory add to its pages, without the directory importing them.

Dependencies point one way (directory ← learning): an app registers, in its AppConfig.ready(), a
panel for a team's page or a leadership team's page — learning shows the safety actions that are
overdue — and the page shows whatever comes back, in order (`core.registry.Panels`).
"""

from __future__ import annotations

from roundtable.core.registry import Panels
from roundtable.directory.models import LeadershipTeam, Team

team_panels: Panels[Team] = Panels("team page panel")
leadership_panels: Panels[LeadershipTeam] = Panels("leadership team page panel")
