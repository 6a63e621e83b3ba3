"""SBARD handover notes for the demo's huddles: varied, fitting the zone, never repeated.

Each note is written from a theme that fits where the person is (a zone, just started, back
after moving on), with details drawn from short lists: who in the family, which day, which
group, which partner. `SbardWriter` remembers every note it has written and never writes the
same one twice, so no two people on a huddle board share a note word for word.

Everything here is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from roundtable.demo.names import CLOSE_TO_THEM

Note = tuple[str, str, str, str, str]  # situation, background, assessment, recommendation, decision

RELATIVES: tuple[str, ...] = (*CLOSE_TO_THEM, "neighbour")
DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ACTIVITIES: tuple[str, ...] = (
    "allotment group",
    "community choir",
    "walking group",
    "art group at the Hub",
    "college course",
    "Saturday football",
    "food bank volunteering",
    "swimming sessions",
    "men's shed",
    "gardening project",
)
# Who might visit with the key worker, or go along with the person.
PARTNERS: tuple[str, ...] = (
    "peer support worker",
    "community connector",
    "occupational therapist",
    "social worker",
    "mental health coach",
    "support, time and recovery worker",
)

# Themes by context: a zone's name, "new" (just started, not zoned yet), "waiting" (for the
# offer to start) or "came_back" (after moving on). Each part may use
# {rel}, {day}, {act}, {partner}, {months} and {weeks}.
THEMES: dict[str, tuple[Note, ...]] = {
    "Red": (
        (
            "Not answering calls since {day}; their {rel} rang the team, worried.",
            "Known to the team for {months} months; two hospital stays in the past.",
            "Warning signs from their safety plan are showing: not sleeping, not eating.",
            "Daily contact until things settle; go through the safety plan with them and their "
            "{rel}.",
            "Key worker visits today with the {partner}; back to the huddle tomorrow.",
        ),
        (
            "Told the duty worker on {day} evening that they cannot see a way through.",
            "Lost their job {weeks} weeks ago; money is very tight.",
            "Struggling more than at any time since they came to us, and talking to us about it.",
            "Go through the safety plan together today; the crisis team rings in the evenings.",
            "Red for now; key worker and {partner} share the visits until {day}.",
        ),
        (
            "Voices louder since they stopped their medication {weeks} weeks ago.",
            "Long history of psychosis; well for {months} months on their last plan.",
            "Frightened and not leaving the flat; wants the voices to quieten.",
            "Psychiatrist to see them this week; the {partner} visits with the key worker.",
            "Joint visit on {day}; daily phone contact until then.",
        ),
        (
            "Eviction notice arrived; staying at their {rel}'s for now.",
            "In support for {months} months after a referral from the GP.",
            "Unsettled and low, but keeping to the safety plan and staying with family.",
            "Housing options urgently; the {partner} joins the next visit.",
            "Key worker rings housing today; visit on {day} with their {rel} there.",
        ),
        (
            "Drinking heavily again since the anniversary of their {rel}'s death.",
            "Bereaved two years ago; had been sober for {months} months before this.",
            "Low and ashamed; open about it and asking for more support.",
            "Offer the alcohol service and more contact this week; keep the plan simple.",
            "Daily calls until {day}; the {partner} links them with the recovery group.",
        ),
        (
            "Self-harmed at the weekend and went to A&E; home now with their {rel}.",
            "Self-harm in the past when overwhelmed; none for {months} months before this.",
            "Calmer; knows what led to it and wants the plan to say so.",
            "Update the safety plan with them; daily contact for the rest of the week.",
            "Key worker rewrites the plan with them on {day}; their {rel} is invited.",
        ),
    ),
    "Amber": (
        (
            "The GP rang on {day} about a change of medication.",
            "On a new antidepressant for {weeks} weeks.",
            "Side effects are settling and sleep is better.",
            "Keep weekly contact until the medication review.",
            "Stay in Amber; review at {day}'s huddle.",
        ),
        (
            "Missed two appointments since {day}.",
            "Known to the team for {months} months; lives alone since the spring.",
            "Low mood with an anniversary coming; engaging by phone.",
            "Joint visit with the {partner}.",
            "Visit on {day}; key worker rings their {rel}, with consent.",
        ),
        (
            "Asked on {day} for help with a benefits letter.",
            "Working with the community connector on money worries for {weeks} weeks.",
            "Worry about money is the main stress just now.",
            "Book a session with the welfare rights adviser.",
            "The connector books it by {day}.",
        ),
        (
            "Their {rel} is in hospital and they are the main carer at home.",
            "A carer for {months} months, alongside their own recovery.",
            "Tired and worried, but coping with more help.",
            "Carer's assessment with adult social care; weekly contact meanwhile.",
            "Social worker asks for the carer's assessment by {day}.",
        ),
        (
            "Stopped going to the {act} {weeks} weeks ago.",
            "The {act} was the best part of their week.",
            "Withdrawing again; says it is the dark evenings.",
            "Ask the {partner} to go with them to the next session.",
            "Arranged for {day}; key worker checks in the day after.",
        ),
        (
            "Says their safety plan helped on a bad night last {day}.",
            "Wrote the plan with the key worker {weeks} weeks ago.",
            "Used two steps of the plan and rang their {rel}; proud of it.",
            "Add what worked to the plan; keep weekly contact.",
            "Key worker updates the plan with them on {day}.",
        ),
        (
            "Arguments at home; their {rel} asked the team for advice.",
            "Lives with their {rel}, who has been a good support.",
            "Tension is high at home; everyone wants it to calm down.",
            "Offer a family meeting with the {partner}.",
            "Family meeting booked for {day}.",
        ),
        (
            "Home on {day} after a week in hospital with a physical health scare.",
            "Diabetes and depression; in support for {months} months.",
            "Shaken and tired, keen to get back to their routine.",
            "Weekly contact; the practice nurse and the key worker keep in touch.",
            "Key worker rings the practice nurse by {day}.",
        ),
    ),
    "Green": (
        (
            "Says things are going well at the {act}.",
            "In support for {months} months after a hospital stay.",
            "The plan is working; they want to talk about what comes next.",
            "Talk about moving on at the next review.",
            "Key worker raises it at the review on {day}.",
        ),
        (
            "Started a part-time job {weeks} weeks ago.",
            "Worked with the employment adviser for {months} months to get there.",
            "Tired but proud; sleep is holding up.",
            "Fortnightly contact; check in after the first month at work.",
            "Stay in Green; key worker visits on {day}.",
        ),
        (
            "Started reducing their medication {weeks} weeks ago, as they wanted.",
            "Steady for {months} months on the current dose.",
            "None of the old warning signs so far.",
            "Fortnightly contact while the dose comes down.",
            "No change today; psychiatrist reviews it in {weeks} weeks.",
        ),
        (
            "Moved into their new flat last {day}.",
            "Housing was the main worry for {months} months.",
            "Settling in; pleased to have a place of their own.",
            "The community connector helps with furniture and bills.",
            "Green; the connector visits on {day}.",
        ),
        (
            "Their {rel} says they seem more like themselves.",
            "Low through the winter; started psychological therapy {weeks} weeks ago.",
            "Therapy is helping; they use what they learn between sessions.",
            "Carry on as agreed; check in when the therapy ends.",
            "No change; key worker sees them on {day}.",
        ),
        (
            "Went to the {act} on their own for the first time.",
            "Anxiety kept them at home for most of the last {months} months.",
            "A real step forward; they want to keep going.",
            "The {partner} steps back gradually.",
            "The {partner} goes once more, then meets them afterwards on {day}.",
        ),
    ),
    "Blue": (
        (
            "Brought their own agenda to {day}'s review.",
            "In support for {months} months; in Blue since the summer.",
            "Uses the first steps of their safety plan on their own.",
            "Monthly check-in by phone.",
            "Key worker rings on {day}; next visit in a month.",
        ),
        (
            "Now at the {act} two days a week.",
            "Set it up with the {partner} {weeks} weeks ago.",
            "Enjoying it; routine is helping their mood.",
            "Light touch from the team; ask how it is going at the next check-in.",
            "Key worker checks in on {day}.",
        ),
        (
            "Goes to the peer group every {day}; little contact with the team.",
            "With peer support since the GP referred them {months} months ago.",
            "Doing well; wants to keep going to the group after support ends.",
            "Start talking about moving on to the group alone.",
            "Key worker raises moving on at the review on {day}.",
        ),
        (
            "Asked on {day} to reduce contact to monthly.",
            "Steady for {months} months.",
            "They know their warning signs and act on them early.",
            "Agree monthly contact; the plan says how to come back sooner.",
            "Monthly from now; their {rel} has a copy of the plan.",
        ),
        (
            "A week away with their {rel} went well.",
            "Their first holiday in years, planned with the key worker.",
            "Confident, and came back with ideas for what is next.",
            "Light touch; talk about moving on at the next review.",
            "Key worker sees them on {day}.",
        ),
    ),
    "Ready to move on": (
        (
            "Said on {day} that the work agreed is done and they want to move back to the GP.",
            "In support for {months} months; Green for most of it.",
            "Ready: knows their plan and who to ring if need be.",
            "Write to the GP with the shared plan; plan the last visit together.",
            "Move-on discussion at the MDT on {day}.",
        ),
        (
            "Wants to carry on with the {act} and nothing else.",
            "The {partner} helped them into the {act} {months} months ago.",
            "Ready to move on to the VCSE partner.",
            "Handover meeting with the VCSE worker.",
            "Key worker books the handover for {day}.",
        ),
        (
            "Asked to end support, {weeks} weeks after their therapy finished.",
            "Psychological therapy for {months} months; their goals are met.",
            "Keen to manage on their own, with their {rel}'s support.",
            "Self-management, with a plan to come back within six months if need be.",
            "Key worker writes the move-on plan with them on {day}.",
        ),
        (
            "Said at {day}'s review that they feel ready to stop.",
            "With the team for {months} months; no crisis since the spring.",
            "Their own plan and their {rel} are enough for now.",
            "Move on to the GP, with the practice's mental health practitioner at six weeks.",
            "To the MDT on {day} for the move-on decision.",
        ),
        (
            "Back at work full time for {weeks} weeks.",
            "Came to us off work with depression {months} months ago.",
            "Well and busy; the team's visits are hard to fit in now.",
            "Plan the move on; the {partner} stays in touch for a month.",
            "Key worker drafts the move-on plan with them by {day}.",
        ),
    ),
    "new": (
        (
            "First appointment on {day}; they told their story in their own words.",
            "Referred by the GP after {weeks} weeks of low mood.",
            "Wants help with sleep and getting back out.",
            "Write the safety plan together at the next visit; zone at the next huddle.",
            "Key worker visits on {day}.",
        ),
        (
            "First visit at home with the {partner}.",
            "Known to their GP for years; new to the team.",
            "Keen to start; worried about their {rel}'s health.",
            "Agree goals and write the safety plan together at the second visit.",
            "Second visit booked for {day}.",
        ),
    ),
    "waiting": (
        (
            "{weeks} weeks on the waiting list for psychological therapy.",
            "Referred by the GP; the front door offered therapy.",
            "Coping while they wait, with their {rel}'s help.",
            "Fortnightly phone calls while they wait.",
            "Key worker rings on {day} and says how long the wait is.",
        ),
        (
            "Rang on {day} to ask how long the wait will be.",
            "Waiting for therapy for {weeks} weeks since the front door's offer.",
            "Frustrated by the wait, but managing.",
            "Offer the {act} in the meantime.",
            "Key worker sends the details by {day}.",
        ),
        (
            "Their {rel} rang: the wait is hard for the whole family.",
            "On the waiting list after a referral from the GP.",
            "Low but safe; the safety steps they know are helping.",
            "Check in weekly by phone until therapy starts.",
            "The {partner} rings on {day}.",
        ),
    ),
    "came_back": (
        (
            "Came back to the team after a difficult month.",
            "Moved on to the GP with a plan to come back if need be.",
            "The warning signs in their plan showed early, as they hoped they would.",
            "Pick the plan up where it was left; same key worker.",
            "Back in support; the key worker sees them on {day}.",
        ),
        (
            "The GP asked us to see them again when the warning signs came back.",
            "Moved on {months} months ago, knowing how to come back.",
            "Came back early, before things got worse: the plan worked.",
            "Amber while they settle; go over the safety plan together.",
            "Key worker visits on {day}.",
        ),
        (
            "Rang the team themselves, as their plan says.",
            "With us for {months} months before they moved on.",
            "Struggling since their {rel} moved away.",
            "Back to the key worker they know; weekly visits for now.",
            "First visit on {day}; the huddle hears how it went.",
        ),
    ),
}


@dataclass
class SbardWriter:
    """Writes SBARD notes that fit the context, and never the same note twice."""

    rng: random.Random

    def __post_init__(self) -> None:
        self._written: set[Note] = set()
        self._situations: set[str] = set()

    def write(self, context: str) -> Note:
        """A note for the context; its situation is new too, while there are new ones."""
        themes = THEMES.get(context) or THEMES["Amber"]
        for attempt in range(300):
            theme = self.rng.choice(themes)
            slots = {
                "rel": self.rng.choice(RELATIVES),
                "day": self.rng.choice(DAYS),
                "act": self.rng.choice(ACTIVITIES),
                "partner": self.rng.choice(PARTNERS),
                "months": self.rng.randint(3, 18),
                "weeks": self.rng.randint(2, 9),
            }
            note: Note = tuple(part.format(**slots) for part in theme)  # type: ignore[assignment]
            if note in self._written or (attempt < 150 and note[0] in self._situations):
                continue
            self._written.add(note)
            self._situations.add(note[0])
            return note
        raise RuntimeError(f"Ran out of different SBARD notes for {context!r}.")
