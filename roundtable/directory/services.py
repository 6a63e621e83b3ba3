"""Every write to the directory. Transactional, validated and audited.

A record is validated by its model, its unique checks included (`records.validate(...,
unique=True)`), and added with `records.create`, so that the same record sent twice at the same
moment is refused in words rather than failing at the database's constraint. An organisation's
name or ODS code, or the e-mail address of a profile being changed, that is already taken is
refused in the words of the pages (`NAME_TAKEN`, `ODS_CODE_TAKEN`, `EMAIL_TAKEN`), on the field
it is about.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.concurrency import update_versioned
from roundtable.core.integrity import same_ignoring_case
from roundtable.core.text import visible
from roundtable.directory.models import (
    API_AREAS,
    ApiToken,
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Locality,
    Membership,
    MembershipRole,
    Organisation,
    Person,
    Team,
    TokenAccess,
)

ORGANISATION_FIELDS = ("name", "kind", "ods_code", "parent")
TEAM_FIELDS = ("name", "organisation", "locality", "kind", "description")
PROFILE_FIELDS = ("full_name", "email", "job_title", "discipline", "organisation")
TOKEN_PREFIX = "rt_"

NAME_TAKEN = "There is already an organisation of this kind with this name"
ODS_CODE_TAKEN = "Another organisation already has this ODS code"
EMAIL_TAKEN = "Someone else already uses this e-mail address"


def _in_our_words(check: Callable[[], None], taken: Mapping[str, str]) -> None:
    """Run `check` (the model's validation, unique checks included), refusing a value that
    another record already has in the words of `taken`, by field, rather than the model's
    ("Person with this e-mail address already exists.")."""
    try:
        check()
    except ValidationError as error:
        raise ValidationError(
            {
                name: [
                    ValidationError(taken[name], code="unique")
                    if e.code == "unique" and name in taken
                    else e
                    for e in errors
                ]
                for name, errors in error.error_dict.items()
            }
        ) from error


def _check_organisation(organisation: Organisation) -> None:
    """The model's validation, and a name or ODS code that another organisation already has.

    A name is taken whatever its case, within the kind of organisation.
    """
    others = Organisation.objects.all()
    if organisation.pk is not None:
        others = others.exclude(pk=organisation.pk)
    same_name = others.filter(same_ignoring_case("name", organisation.name), kind=organisation.kind)
    taken = {"name": [ValidationError(NAME_TAKEN, code="unique")]} if same_name.exists() else {}
    try:
        _in_our_words(
            lambda: records.validate(organisation, exclude=taken, unique=True),
            {"ods_code": ODS_CODE_TAKEN},
        )
    except ValidationError as error:
        raise ValidationError({**taken, **error.error_dict}) from error
    if taken:
        raise ValidationError(taken)


def _check_person(person: Person) -> None:
    """The model's validation (not of the password), and an e-mail address someone else has."""
    _in_our_words(
        lambda: records.validate(person, exclude=["password"], unique=True),
        {"email": EMAIL_TAKEN},
    )


@transaction.atomic
def organisation_create(
    *,
    actor: Person,
    name: str,
    kind: str,
    ods_code: str | None = None,
    parent: Organisation | None = None,
) -> Organisation:
    organisation = Organisation(name=visible(name), kind=kind, ods_code=ods_code, parent=parent)
    # Taken names and ODS codes in the pages' words (`_check_organisation`), not the model's.
    return records.create(
        organisation,
        actor=actor,
        summary=f"Organisation {name}",
        check=lambda: _check_organisation(organisation),
    )


@transaction.atomic
def organisation_update(
    *, actor: Person, organisation: Organisation, expected_version: int, **values: Any
) -> Organisation:
    """Change an organisation. Raises ConcurrentEditError if it changed since it was read."""
    return update_versioned(
        organisation,
        actor=actor,
        expected_version=expected_version,
        fields=ORGANISATION_FIELDS,
        values=values,
        summary=lambda o: f"Organisation {o.name}",
        clean=lambda: _check_organisation(organisation),
    )


@transaction.atomic
def locality_create(*, actor: Person, name: str) -> Locality:
    return records.create(
        Locality(name=visible(name)), actor=actor, summary=f"Locality {name}", unique=True
    )


@transaction.atomic
def team_create(
    *,
    actor: Person,
    name: str,
    organisation: Organisation,
    kind: str,
    locality: Locality | None = None,
    description: str = "",
) -> Team:
    team = Team(
        name=visible(name),
        organisation=organisation,
        kind=kind,
        locality=locality,
        description=description,
    )
    return records.create(team, actor=actor, summary=f"Team {name}", unique=True)


@transaction.atomic
def team_update(*, actor: Person, team: Team, expected_version: int, **values: Any) -> Team:
    return update_versioned(
        team,
        actor=actor,
        expected_version=expected_version,
        fields=TEAM_FIELDS,
        values=values,
        summary=lambda t: f"Team {t.name}",
    )


@transaction.atomic
def front_door_set(*, actor: Person, front_door: Team, teams: Iterable[Team]) -> Team:
    """Make `front_door` the front door for `teams`: its members see their new referrals while
    each person waits for an offer. Set-up for administrators, audited by team id."""
    served = list(teams)
    front_door.clean_serves(served)
    front_door = Team.objects.select_for_update().get(pk=front_door.pk)
    before = sorted(front_door.serves.values_list("pk", flat=True))
    front_door.serves.set(served)
    after = sorted(team.pk for team in served)
    if before != after:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=front_door,
            summary=f"{front_door.name} is the front door for {len(after)} teams",
            changes={"serves": [before, after]},
        )
    return front_door


@transaction.atomic
def person_create(
    *,
    actor: Person | None,
    email: str,
    full_name: str,
    password: str | None = None,
    discipline: Discipline | None = None,
    organisation: Organisation | None = None,
    job_title: str = "",
) -> Person:
    person = Person(
        email=email,
        full_name=visible(full_name),
        discipline=discipline,
        organisation=organisation,
        job_title=job_title,
    )
    person.set_password(password)
    return records.create(person, actor=actor, summary=f"Person {full_name}", unique=True)


@transaction.atomic
def person_update_profile(
    *, actor: Person, person: Person, expected_version: int, **values: Any
) -> Person:
    """Change someone's directory profile. Optimistic: a stale edit raises ConcurrentEditError."""
    return update_versioned(
        person,
        actor=actor,
        expected_version=expected_version,
        fields=PROFILE_FIELDS,
        values=values,
        summary=lambda p: f"Profile of {p.full_name}",
        clean=lambda: _check_person(person),
    )


@transaction.atomic
def membership_add(
    *, actor: Person, person: Person, team: Team, role: str = MembershipRole.MEMBER
) -> Membership:
    membership = Membership(person=person, team=team, role=role)
    return records.create(
        membership,
        actor=actor,
        summary=f"{person.full_name} joined {team.name} as {membership.get_role_display()}",
        unique=True,
    )


@transaction.atomic
def membership_remove(*, actor: Person, membership: Membership) -> None:
    records.delete(
        membership,
        actor=actor,
        summary=f"{membership.person.full_name} left {membership.team.name}",
    )


@transaction.atomic
def leadership_team_create(
    *,
    actor: Person,
    name: str,
    level: str,
    organisation: Organisation | None = None,
    team: Team | None = None,
) -> LeadershipTeam:
    leadership_team = LeadershipTeam(
        name=visible(name), level=level, organisation=organisation, team=team
    )
    return records.create(
        leadership_team,
        actor=actor,
        summary=f"Leadership team {name} ({LeadershipLevel(level).label})",
        unique=True,
    )


@transaction.atomic
def leadership_member_add(
    *, actor: Person, leadership_team: LeadershipTeam, person: Person, role: str = ""
) -> LeadershipMembership:
    return records.create(
        LeadershipMembership(leadership_team=leadership_team, person=person, role=role),
        actor=actor,
        summary=f"{person.full_name} joined leadership team {leadership_team.name}",
        unique=True,
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_DAYS = (7, 30, 90, 365)  # how long a token may be made to last


@transaction.atomic
def api_token_create(
    *,
    actor: Person,
    name: str,
    days: int = 90,
    access: str = TokenAccess.WRITE,
    areas: Iterable[str] = (),
) -> tuple[ApiToken, str]:
    """Make a personal API token that lasts `days`, with `access` (read only, or read and change)
    in `areas` of the API (every part when none are named). Returns the row and the token,
    which is never stored."""
    errors: dict[str, str] = {}
    if days not in TOKEN_DAYS:
        errors["days"] = "Choose how long the token lasts"
    known = {area for area, _ in API_AREAS}
    chosen = sorted(set(areas))
    if not set(chosen) <= known:
        errors["areas"] = "Choose parts of the API from the list"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        person=actor,
        name=visible(name),
        prefix=token[:10],
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=days),
        access=access,
        areas=chosen,
    )
    records.validate(api_token, also=errors)
    access_words = TokenAccess(access).label.lower()
    where = ", ".join(chosen) or "every part of the API"
    summary = f"API token {name}: {access_words}, {where}, for {days} days"
    records.create(api_token, actor=actor, summary=summary)
    return api_token, token


@transaction.atomic
def api_token_revoke(*, actor: Person, api_token: ApiToken) -> ApiToken:
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=api_token,
            summary=f"API token {api_token.name} revoked",
        )
    return api_token


def api_token_find(token: str) -> ApiToken | None:
    """The token, not revoked, of an active person (expired or not), with its person."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("person")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, person__is_active=True)
        .first()
    )


def api_token_used(api_token: ApiToken) -> None:
    """Record when a token was last used: at most once a minute, so that a busy client does not
    write on every call."""
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)


def api_token_authenticate(token: str) -> Person | None:
    """The active person a token that has not expired belongs to, or None. Records when it was
    last used."""
    api_token = api_token_find(token)
    if api_token is None or api_token.expires_at <= timezone.now():
        return None
    api_token_used(api_token)
    return api_token.person
