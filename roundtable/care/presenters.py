"""Display logic for the care pages: a person's record grouped by episode, days and numbers
written as people read them, the links of the huddle board's cards and the errors of a card's
forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape as _esc
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import SafeString

from roundtable.care.models import (
    CareAction,
    CareDecision,
    Episode,
    HuddleNote,
    PathwayEvent,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.care.selectors import BoardCard, CardEpisode, CardNote, PersonRecord
from roundtable.core import dates
from roundtable.core.inputs import id_param
from roundtable.core.templating import date_format
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus

AGREED = (DecisionStatus.AGREED, DecisionStatus.REVIEWED)


def nhs_number(value: str | None) -> str:
    """999 123 4578: the NHS number in the 3-3-4 groups people read it in."""
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


days_since = dates.days_since


def days_text(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "today"
    return "1 day" if days == 1 else f"{days} days"


def came_back_after(episode: Episode) -> int | None:
    """Whole days between moving on and being referred again, for someone who came back."""
    previous = episode.previous
    if previous is None or previous.closed_at is None:
        return None
    return dates.days_between(previous.closed_at, episode.referred_at)


def agreed_move_on(decisions: list[CareDecision], episode_id: int) -> list[Decision]:
    """The agreed move-on decisions about this episode: what moving on needs."""
    return [
        c.decision
        for c in decisions
        if c.episode_id == episode_id
        and c.decision.kind == DecisionKind.MOVE_ON
        and c.decision.status in AGREED
    ]


@dataclass
class EpisodeView:
    episode: Episode
    came_back_after: int | None
    events: list[PathwayEvent] = field(default_factory=list)
    zone_changes: list[ZoneChange] = field(default_factory=list)
    notes: list[HuddleNote] = field(default_factory=list)
    actions: list[CareAction] = field(default_factory=list)
    decisions: list[CareDecision] = field(default_factory=list)
    stage_form: Any = None


def episode_views(record: PersonRecord) -> list[EpisodeView]:
    """Each episode with its own history, newest episode first."""
    views = {e.pk: EpisodeView(e, came_back_after(e)) for e in record.episodes}
    for event in record.events:
        views[event.episode_id].events.append(event)
    for change in record.zone_changes:
        views[change.episode_id].zone_changes.append(change)
    for note in record.notes:
        views[note.episode_id].notes.append(note)
    for action in record.actions:
        views[action.episode_id].actions.append(action)
    for decision in record.decisions:
        if decision.episode_id in views:
            views[decision.episode_id].decisions.append(decision)
    return list(views.values())


SBARD = (
    ("situation", "Situation"),
    ("background", "Background"),
    ("assessment", "Assessment"),
    ("recommendation", "Recommendation"),
    ("decision", "Decision"),
)


def sbard_parts(note: HuddleNote | CardNote) -> list[tuple[str, str]]:
    """The parts of an SBARD note that were written, with their names."""
    return [(label, getattr(note, name)) for name, label in SBARD if getattr(note, name)]


# An id no page has: reversed in place of the id that `IdPath` fills in.
_MARKER = "9876543210123"


class IdPath:
    """The path of a view for one object, reversed once and then filled in with each object's
    id: a board of hundreds of cards links each card several times, and reversing every link
    was a good part of the board's time."""

    def __init__(self, viewname: str, *args: int) -> None:
        head, found, tail = reverse(viewname, args=[*args, int(_MARKER)]).rpartition(_MARKER)
        if not found:
            raise ValueError(f"{viewname} does not end in an id")
        self.head, self.tail = head, tail

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


@dataclass(frozen=True)
class CardPaths:
    """The links and form targets of the huddle board's cards, by id."""

    person: IdPath
    caseload_of: IdPath
    decision: IdPath
    zone_set: IdPath
    action_done: IdPath
    card: IdPath


def card_paths(team_id: int) -> CardPaths:
    return CardPaths(
        person=IdPath("care:person"),
        caseload_of=IdPath("care:caseload-of"),
        decision=IdPath("decisions:decision"),
        zone_set=IdPath("care:zone-set"),
        action_done=IdPath("care:action-done"),
        card=IdPath("care:card", team_id),
    )


# The colours of a decision's status, as `status_tag` in decisions/_macros.jinja gives them.
STATUS_COLOURS = {
    "draft": "grey",
    "open": "blue",
    "agreed": "green",
    "not_agreed": "orange",
    "withdrawn": "grey",
    "reviewed": "aqua-green",
}
_STAGES = {value: _esc(str(label).lower()) for value, label in Stage.choices}
_SWAP = ' hx-target="#board" hx-swap="outerHTML focus-scroll:false"'
_SMALL_BUTTON = "nhsuk-button nhsuk-button--secondary nhsuk-button--small"


def _field_error(field_id: str, errors: list[str]) -> tuple[str, str, str]:
    """A field's error message, its group's class and the control's attributes, or blanks."""
    if not errors:
        return "", "", ""
    message = (
        f'<span class="nhsuk-error-message" id="{field_id}-error">'
        f'<span class="nhsuk-u-visually-hidden">Error: </span>{_esc(str(errors[0]))}</span>'
    )
    return message, " nhsuk-form-group--error", f' aria-describedby="{field_id}-error"'


def actions_due(card: BoardCard, today: date) -> tuple[int, int]:
    """How many of the card's open actions are overdue, and how many are due today."""
    overdue = due = 0
    for action in card.open_actions:
        if action.due_on < today:
            overdue += 1
        elif action.due_on == today:
            due += 1
    return overdue, due


def card_needs(card: BoardCard, badge_needs: dict[int, list[SafeString]], today: date) -> list[str]:
    """Why the team should talk about this person at today's huddle, in a few words each;
    empty when nothing needs it: no zone yet, an action due today or overdue, what another
    app's badge says needs discussing (a safety review due), a move-on decision open for
    positions or agreed but not yet held by a leader."""
    e = card.episode
    found = []
    if e.zone_id is None:
        found.append("No zone yet")
    found.extend(strip_tags(badge) for badge in badge_needs.get(e.id, ()))
    overdue, due = actions_due(card, today)
    if overdue:
        found.append(f"{overdue} {'action' if overdue == 1 else 'actions'} overdue")
    if due:
        found.append(f"{due} {'action' if due == 1 else 'actions'} due today")
    move_on = card.move_on
    if move_on is not None and move_on.decision.status == DecisionStatus.OPEN:
        found.append("Move-on decision open for positions")
    elif (
        move_on is not None
        and move_on.decision.status in AGREED
        and not getattr(move_on, "hold_count", 0)
    ):
        found.append("Move-on decision agreed, not yet held")
    return found


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows, from its address: a zone (an id, or "none" for people not yet
    zoned), a key worker (an id, or "none"), and whether only the people who need discussion
    today. Anything else in the address is ignored."""

    zone: str = ""
    worker: str = ""
    needs: bool = False

    @classmethod
    def of(cls, params: Any) -> BoardFilters:
        def choice(name: str) -> str:
            value = str(params.get(name, "")).strip()
            return value if value == "none" or id_param(value) is not None else ""

        return cls(choice("zone"), choice("worker"), params.get("needs") in ("1", "on", "yes"))

    @property
    def active(self) -> bool:
        return bool(self.zone or self.worker or self.needs)

    def query(self) -> dict[str, str]:
        """The filters as address parameters (none when all are off)."""
        found = {"zone": self.zone, "worker": self.worker, "needs": "1" if self.needs else ""}
        return {name: value for name, value in found.items() if value}

    def keeps(self, card: BoardCard, needs: list[str]) -> bool:
        e = card.episode
        if self.zone and str(e.zone_id or "none") != self.zone:
            return False
        if self.worker and str(e.key_worker_id or "none") != self.worker:
            return False
        return bool(needs) or not self.needs


class CardWriter:
    """The huddle board's cards as HTML.

    A board has hundreds of cards with a dozen or so values each; written through Jinja they
    took some 60 ms of a 400-person board, written here about 12 ms. The board and a card's page
    both write cards with this, so a card reads the same on both. Every value from the
    database is escaped here; the badges are already HTML (see `extensions`).
    """

    def __init__(
        self,
        *,
        paths: CardPaths,
        csrf_token: str,
        meeting_id: int | None,
        badges: dict[int, list[SafeString]],
        zone_options: SafeString,
        meeting_query: str = "",
        hx: bool = True,
        back: str = "",
    ) -> None:
        self.paths = paths
        self.badges = badges
        self.zone_options = zone_options
        self.meeting_query = meeting_query
        self.hx = hx
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.hidden = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_esc(csrf_token)}">'
        self._days: dict[date, str] = {}  # a board's notes and actions fall on a few days
        self._staff: dict[str, str] = {}  # and its key workers, authors and owners are few
        self._in_zone: dict[int, str] = {}
        if meeting_id is not None:
            self.hidden += f'<input type="hidden" name="meeting" value="{meeting_id}">'
        if back:
            # Where a form comes back to without JavaScript (the huddle run), not the board.
            self.hidden += f'<input type="hidden" name="next" value="{_esc(back)}">'

    def _day(self, day: date) -> str:
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date_format(day)
        return text

    def _name(self, full_name: str) -> str:
        """A member of staff's name, escaped once for the whole board."""
        text = self._staff.get(full_name)
        if text is None:
            text = self._staff[full_name] = _esc(full_name)
        return text

    def _days_in_zone(self, zone_since: datetime) -> str:
        """ "zoned today", "3 days in zone": the compact card's short form."""
        days = max((self.today - zone_since.astimezone(self.tz).date()).days, 0)
        return "zoned today" if days == 0 else f"{days_text(days)} in zone"

    def _time_in_zone(self, zone_since: datetime) -> str:
        """ "Moved to this zone today", "In this zone for 3 days": calendar days, locally."""
        days = max((self.today - zone_since.astimezone(self.tz).date()).days, 0)
        text = self._in_zone.get(days)
        if text is None:
            text = self._in_zone[days] = (
                "Moved to this zone today" if days == 0 else f"In this zone for {days_text(days)}"
            )
        return text

    def compact(self, card: BoardCard, *, focus: bool = False) -> str:
        """A card as the board shows it: the name (opening the card: its note, actions and
        forms), the key worker, the time in the zone, and one line of badges: what is due,
        open or held. Kept small: a board has hundreds."""
        e = card.episode
        pk = e.id
        worker = e.key_worker
        meta = [self._name(worker.full_name) if worker is not None else "No key worker"]
        if e.zone_since is not None:
            meta.append(self._days_in_zone(e.zone_since))
        if e.stage != "in_support":
            meta.append(_STAGES.get(e.stage, e.stage).capitalize())
        focus_attrs = ' tabindex="-1" autofocus' if focus else ""
        out = [
            f'<li class="rt-card" id="card-{pk}"><h3 class="rt-card-name" id="card-{pk}-name"'
            f'{focus_attrs}><a href="{self.paths.card(pk)}{self.meeting_query}">'
            f"{_esc(e.person.name)}</a></h3>"
            f'<p class="rt-meta">{" · ".join(meta)}'
        ]
        line = self._badge_line(card)
        if line:
            out.append(f'<span class="rt-needs">{line}</span>')
        out.append("</p></li>")
        return "".join(out)

    def _badge_line(self, card: BoardCard) -> str:
        """The card's badges on one line: the apps' (a safety review due, a plan held), open
        actions due, and the move-on decision."""
        parts = [f"<span>{badge}</span>" for badge in self.badges.get(card.episode.id, ())]
        overdue, due = actions_due(card, self.today)
        if overdue:
            parts.append(f'<strong class="nhsuk-tag nhsuk-tag--red">{overdue} overdue</strong>')
        if due:
            parts.append(f'<strong class="nhsuk-tag nhsuk-tag--orange">{due} due today</strong>')
        if card.open_actions and not (overdue or due):
            n = len(card.open_actions)
            parts.append(f"<span>{n} open {'action' if n == 1 else 'actions'}</span>")
        move_on = card.move_on
        if move_on is not None:
            d = move_on.decision
            held = ", held" if getattr(move_on, "hold_count", 0) else ""
            parts.append(f"<span>Move on: {_esc(d.get_status_display()).lower()}{held}</span>")
        return "".join(parts)

    def _post(self, url: str) -> str:
        """A form's method and target, updating the board in place with htmx."""
        return f'method="post" action="{url}"' + (f' hx-post="{url}"{_SWAP}' if self.hx else "")

    def body(self, card: BoardCard) -> SafeString:
        """Key worker, days in the zone, stage, badges, the latest SBARD note, the open actions
        (each with its "done" button) and the move-on decision."""
        return SafeString(self._body(card, _esc(card.episode.person.name)))

    # The parts are written as plain strings and marked safe once, at the end: every value
    # from the database in them is escaped (`who` already is).

    def _body(self, card: BoardCard, who: str) -> str:
        e = card.episode
        paths = self.paths
        worker = e.key_worker
        out = [
            f'<p class="rt-meta">Key worker: <a href="{paths.caseload_of(worker.id)}">'
            f"{self._name(worker.full_name)}</a>"
            if worker is not None
            else '<p class="rt-meta">Key worker: not chosen yet'
        ]
        if e.zone_since is not None:
            out.append(f"<br>{self._time_in_zone(e.zone_since)}")
        if e.stage != "in_support":
            out.append(f"<br>Stage: {_STAGES.get(e.stage, e.stage)}")
        out.append("</p>")
        badges = self.badges.get(e.id)
        if badges:
            out.extend(f'<p class="rt-card-badge">{badge}</p>' for badge in badges)
        note = card.latest_note
        if note is not None:
            parts = "".join(
                f"<dt>{label}</dt><dd>{_esc(text)}</dd>" for label, text in sbard_parts(note)
            )
            out.append(
                '<div class="rt-card-note"><p class="rt-meta nhsuk-u-margin-bottom-1">'
                f"Latest SBARD note, {self._day(note.at.astimezone(self.tz).date())}, "
                f"{self._name(note.author.full_name)}:</p>"
                f'<dl class="rt-sbard">{parts}</dl></div>'
            )
        if card.open_actions:
            # Under the card's name on the board (h3); under the page's h1 on its own pages.
            h = "h4" if self.hx else "h2"
            out.append(
                f'<{h} class="nhsuk-heading-xs nhsuk-u-margin-bottom-1">Open actions</{h}>'
                '<ul class="nhsuk-list rt-card-actions">'
            )
            for action in card.open_actions:
                what = _esc(action.description)
                overdue = (
                    ' <strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>'
                    if action.due_on < self.today
                    else ""
                )
                out.append(
                    f'<li>{what} <span class="rt-meta">&ndash; '
                    f"{self._name(action.owner.full_name)}, due "
                    f"{self._day(action.due_on)}</span>{overdue} "
                    f'<form {self._post(paths.action_done(action.pk))} class="rt-inline-form">'
                    f'{self.hidden}<input type="hidden" name="version" value="{action.version}">'
                    f'<button class="{_SMALL_BUTTON} rt-done-button" type="submit" '
                    f'id="done-submit-{action.pk}">Done<span class="nhsuk-u-visually-hidden">: '
                    f"{what} ({who})</span></button></form></li>"
                )
            out.append("</ul>")
        move_on = card.move_on
        if move_on is not None:
            d = move_on.decision
            colour = STATUS_COLOURS.get(d.status, "grey")
            shared = "yes, agreed" if d.status in AGREED else "not yet"
            held = "yes" if getattr(move_on, "hold_count", 0) else "not yet"
            out.append(
                f'<p class="rt-card-move-on">Move-on decision: <a href="{paths.decision(d.pk)}">'
                f'{_esc(d.title)}</a> <strong class="nhsuk-tag nhsuk-tag--{colour}">'
                f"{_esc(d.get_status_display())}</strong><br>"
                f'<span class="rt-meta">Shared: {shared}. Held: {held}.</span></p>'
            )
        return "".join(out)

    def zone_form(
        self,
        episode: CardEpisode,
        *,
        options: SafeString | None = None,
        errors: dict[str, list[str]] | None = None,
        posted: Any = None,
    ) -> SafeString:
        """The zone change: a zone (the options are written once per page) and why; with the
        form's errors and what was posted when it came back with a problem."""
        return SafeString(
            self._zone_form(episode, _esc(episode.person.name), options, errors, posted)
        )

    def _zone_form(
        self,
        episode: CardEpisode,
        who: str,
        options: SafeString | None = None,
        errors: dict[str, list[str]] | None = None,
        posted: Any = None,
    ) -> str:
        pk = episode.id
        reason = _esc(posted.get("reason", "")) if posted is not None else ""
        if errors:
            zone_error, zone_group, zone_attrs = _field_error(
                f"zone-zone-{pk}", errors.get("zone", [])
            )
            reason_error, reason_group, reason_attrs = _field_error(
                f"zone-reason-{pk}", errors.get("reason", [])
            )
        else:  # every card of the board but one at most
            zone_error = zone_group = zone_attrs = reason_error = reason_group = reason_attrs = ""
        select_class = "nhsuk-select nhsuk-select--error" if zone_error else "nhsuk-select"
        input_class = "nhsuk-input nhsuk-input--error" if reason_error else "nhsuk-input"
        html = (
            f'<form {self._post(self.paths.zone_set(pk))} class="rt-card-form">{self.hidden}'
            f'<input type="hidden" name="version" value="{episode.version}">'
            f'<div class="nhsuk-form-group{zone_group}"><label class="nhsuk-label" '
            f'for="zone-zone-{pk}">Change zone<span class="nhsuk-u-visually-hidden"> for {who}'
            f"</span></label>{zone_error}"
            f'<select class="{select_class}" id="zone-zone-{pk}" name="zone"{zone_attrs}>'
            f"{options if options is not None else self.zone_options}</select></div>"
            f'<div class="nhsuk-form-group{reason_group}"><label class="nhsuk-label" '
            f'for="zone-reason-{pk}">Why (optional)<span class="nhsuk-u-visually-hidden"> '
            f"(zone change for {who})</span></label>{reason_error}"
            f'<input class="{input_class}" id="zone-reason-{pk}" name="reason" type="text" '
            f'value="{reason}"{reason_attrs}></div>'
            f'<button class="{_SMALL_BUTTON}" type="submit" id="zone-submit-{pk}">Change zone'
            f'<span class="nhsuk-u-visually-hidden"> for {who}</span></button></form>'
        )
        return html

    def item(
        self,
        card: BoardCard,
        *,
        focus: bool = False,
        form: Any = None,
        kind: str = "",
        more: SafeString | None = None,
        zone_options: SafeString | None = None,
    ) -> SafeString:
        """A card opened: the person's name (taking the focus), the body with the whole latest
        SBARD note and the open actions, the zone change, and `more`: the note, action and
        move-on forms (`care/_card_forms.jinja`). `form` (of `kind`) is a card form that came
        back with a problem. On the board (htmx) it closes back to the compact card."""
        e = card.episode
        pk = e.id
        person = e.person
        who = _esc(person.name)
        name_attrs = ' tabindex="-1" autofocus' if focus else ""
        # Links in an opened card go where they say, not into the card (the board's lists
        # open cards in place: see `_board.jinja`).
        boost = ' hx-boost="false"' if self.hx else ""
        out = [
            f'<li class="rt-card rt-card--open" id="card-{pk}"{boost}>'
            f'<h3 class="nhsuk-heading-s rt-card-name" id="card-{pk}-name"{name_attrs}>'
            f'<a href="{self.paths.person(person.id)}">{who}</a></h3>'
        ]
        if form is not None and form.non_field_errors():
            problem = _esc(" ".join(str(m) for m in form.non_field_errors()))
            out.append(
                '<p class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">Error: '
                f"</span>{problem}</p>"
            )
        out.append(self._body(card, who))
        if form is not None and kind == "zone":
            out.append(self._zone_form(e, who, zone_options, form.errors, form.data))
        else:
            out.append(self._zone_form(e, who, zone_options))
        if more is not None:
            out.append(f'<div class="rt-card-more" id="card-{pk}-more">{more}</div>')
        if self.hx:
            url = f"{self.paths.card(pk)}{self.meeting_query}"
            sep = "&" if self.meeting_query else "?"
            out.append(
                f'<p class="rt-card-close"><a href="{url}" hx-get="{url}{sep}view=compact" '
                f'hx-target="#card-{pk}" hx-swap="outerHTML" hx-push-url="false">Close the card'
                f'<span class="nhsuk-u-visually-hidden"> for {who}</span></a></p>'
            )
        out.append("</li>")
        return SafeString("".join(out))

    def column(
        self,
        cards: list[BoardCard],
        *,
        changed: int | None = None,
        focus: bool = False,
        bound: dict[str, Any] | None = None,
        more: SafeString | None = None,
        zone_options: SafeString | None = None,
    ) -> SafeString:
        """A zone's cards, compact; `changed` is the card just changed (its name takes the
        focus with `focus`), `bound` a card form that came back with a problem: that card is
        open, with the form and its errors (see `item`)."""
        out: list[str] = []
        for card in cards:
            pk = card.episode.id
            if bound is not None and bound["episode"] == pk:
                out.append(
                    self.item(
                        card,
                        focus=focus,
                        form=bound["form"],
                        kind=bound["kind"],
                        more=more,
                        zone_options=zone_options,
                    )
                )
            else:
                out.append(self.compact(card, focus=focus and changed == pk))
        return SafeString("".join(out))


def select_options(choices: Iterable[tuple[object, str]], selected: object = "") -> SafeString:
    """A select's options as HTML, written once for every card of the board that shows them."""
    chosen = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == chosen else "", text) for value, text in choices),
    )


def zone_choices(zones: Iterable[Zone], current: Zone | None = None) -> list[tuple[object, str]]:
    """The zones to choose from, the current one said in words (not only by being selected)."""
    return [("", "Choose a zone")] + [
        (z.pk, f"{z.name} (now)" if current is not None and z.pk == current.pk else z.name)
        for z in zones
    ]


def card_error_items(kind: str, episode_id: int, form: forms.BaseForm) -> list[dict[str, str]]:
    """A huddle card form's errors for the error summary, each linked to its field on the card
    (the card's fields are named `<kind>-<field>-<episode>`)."""
    items = [
        {"text": str(error), "href": f"#card-{episode_id}"} for error in form.non_field_errors()
    ]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        target = f"#{kind}-{name}-{episode_id}" if shown else f"#card-{episode_id}"
        items.extend({"text": str(error), "href": target} for error in errors)
    return items
