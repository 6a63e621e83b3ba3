"""The leadership cycle: how collaborative leadership sustains and motivates the workforce, as a
ring of stages, each read from one measure — leaders present, staff feeling held, decisions
shared, risks taken positively, people flowing through care, the team learning, and people
motivated to stay, which brings leaders back to being present."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    question: str
    measure: str  # a measure's slug (`insights.measures`)


STAGES: tuple[Stage, ...] = (
    Stage("Presence", "Are leaders present where the work is done?", "leadership-presence"),
    Stage("Feeling held", "Do staff feel held by their leaders?", "pulse-held"),
    Stage(
        "Shared decisions",
        "Are decisions made with every voice they need?",
        "decisions-full-representation",
    ),
    Stage(
        "Positive risk",
        "Do leaders stand behind the risks people choose to take?",
        "positive-risk-held",
    ),
    Stage("Flow", "Do people move on when they are ready?", "ready-to-moved-on"),
    Stage("Learning", "Does the team see through what it learns?", "learning-actions-on-time"),
    Stage("Motivation", "Do staff feel less alone in their work?", "pulse-isolated"),
)
