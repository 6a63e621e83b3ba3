"""The system as it is: organisations, localities, teams, people and leadership teams."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from roundtable.core.models import TimeStampedModel, VersionedModel


class OrganisationKind(models.TextChoices):
    ICB = "icb", "Integrated care board"
    NHS_TRUST = "nhs_trust", "NHS trust"
    PCN = "pcn", "Primary care network"
    GP_PRACTICE = "gp_practice", "GP practice"
    VCSE = "vcse", "Voluntary, community or social enterprise (VCSE)"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    LIVED_EXPERIENCE = "lived_experience", "Lived-experience network"


# ODS code shapes by kind of organisation. Kinds not listed accept any 3 to 6 letters and digits.
ODS_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    OrganisationKind.ICB: (
        re.compile(r"^Q[A-Z0-9]{2}$"),
        "Q followed by 2 letters or digits, like QH8",
    ),
    OrganisationKind.NHS_TRUST: (
        re.compile(r"^R[A-Z0-9]{2}$"),
        "R followed by 2 letters or digits, like RWR",
    ),
    OrganisationKind.PCN: (re.compile(r"^U\d{5}$"), "U followed by 5 digits, like U12345"),
    OrganisationKind.GP_PRACTICE: (
        re.compile(r"^[A-Z]\d{5}$"),
        "a letter followed by 5 digits, like F81001",
    ),
}
ODS_GENERAL = re.compile(r"^[A-Z0-9]{3,6}$")


def normalise_ods_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def ods_code_error(kind: str, code: str) -> str | None:
    """Why `code` is not a valid ODS code for an organisation of `kind`, or None if it is."""
    pattern, example = ODS_PATTERNS.get(kind, (ODS_GENERAL, "3 to 6 letters and digits"))
    if pattern.match(code):
        return None
    label = OrganisationKind(kind).label if kind in OrganisationKind.values else "this organisation"
    return f"Enter an ODS code for a {label.lower()} in the right format: {example}"


class Organisation(VersionedModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    ods_code = models.CharField(
        "ODS code",
        max_length=6,
        null=True,
        blank=True,
        unique=True,
        help_text="The Organisation Data Service code, where the organisation has one.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind"),
            models.CheckConstraint(
                condition=Q(ods_code__isnull=True) | ~Q(ods_code=""),
                name="organisation_ods_code_null_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # Normalise before the length check, so " f81 001 " is read as F81001.
        self.ods_code = normalise_ods_code(self.ods_code or "") or None
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.ods_code:
            error = ods_code_error(self.kind, self.ods_code)
            if error:
                raise ValidationError({"ods_code": error})
        if self.pk is not None and self._ancestor_ids() & {self.pk}:
            raise ValidationError(
                {"parent": "An organisation cannot be part of itself, directly or through others."}
            )

    def _ancestor_ids(self) -> set[int]:
        """The keys of the organisations above this one, stopping at a loop."""
        seen: set[int] = set()
        parent_id = self.parent_id
        while parent_id is not None and parent_id not in seen:
            seen.add(parent_id)
            parent_id = (
                Organisation.objects.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return seen


class Locality(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    CMHT = "cmht", "Community mental health team"
    FRONT_DOOR = "front_door", "Front door (single point of access)"
    PRIMARY_CARE = "primary_care", "Primary care mental health"
    VCSE_SERVICE = "vcse_service", "VCSE service"
    CRISIS = "crisis", "Crisis"
    BOARD = "board", "Board"
    PROJECT_GROUP = "project_group", "Project group"


class Team(VersionedModel):
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    kind = models.CharField(max_length=20, choices=TeamKind.choices)
    description = models.TextField(blank=True)
    # Set by an administrator, and the only way a front door sees anyone: see `clean_serves`.
    serves = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="front_doors",
        verbose_name="front door for",
        help_text=(
            "For a front-door team only: the teams whose new referrals its members see while "
            "each person waits for an offer."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_unique_name_in_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean_serves(self, served: Iterable[Team]) -> None:
        """Only a front-door team serves others, and never itself.

        Seeing a person in care comes only from relationships the organisation controls: a front
        door's sight of new referrals is one, so it is configured here, by an administrator, and
        audited like any other set-up change.
        """
        served = list(served)
        if served and self.kind != TeamKind.FRONT_DOOR:
            raise ValidationError(
                {
                    "serves": "Only a front-door (single point of access) team can be a front door "
                    "for other teams."
                }
            )
        if self.pk is not None and any(team.pk == self.pk for team in served):
            raise ValidationError(
                {"serves": "A front-door team cannot be a front door for itself."}
            )


class Discipline(models.Model):
    """A professional discipline or background. Seeded by migration; editable in set-up."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Person:
        if not email:
            raise ValueError("A person needs an e-mail address to sign in.")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Person:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("full_name", "Administrator")
        return self.create_user(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who works in, or takes part in, the care system. Signs in with their e-mail."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    discipline = models.ForeignKey(
        Discipline, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "can use set-up", default=False, help_text="Can sign in to the Django admin for set-up."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PersonManager] = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ", 1)[0]

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


class MembershipRole(models.TextChoices):
    MEMBER = "member", "Member"
    TEAM_LEADER = "team_leader", "Team leader"
    CLINICAL_LEAD = "clinical_lead", "Clinical lead"
    ADMINISTRATOR = "administrator", "Team administrator"


class Membership(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default="member")

    class Meta:
        ordering = ["team__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "team"], name="membership_unique_person_team")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class LeadershipLevel(models.TextChoices):
    SYSTEM = "system", "System or board"
    ORGANISATION = "organisation", "Organisation"
    TEAM = "team", "Team"
    PROJECT = "project", "Project"


class LeadershipTeam(VersionedModel):
    """Leadership is a team, never one person: the leaders who together hold a level.

    A team-level leadership team leads one team; an organisation-level one, an organisation;
    a system-level one, the whole system (the board); a project-level one, a project group.
    """

    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=LeadershipLevel.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leadership_teams",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="leadership_teams"
    )
    members: models.ManyToManyField[Person, LeadershipMembership] = models.ManyToManyField(
        Person, through="LeadershipMembership", related_name="leadership_teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="leadership_team_scope_matches_level",
                condition=(
                    Q(level="system", organisation__isnull=True, team__isnull=True)
                    | Q(level="organisation", organisation__isnull=False, team__isnull=True)
                    | Q(level__in=["team", "project"], team__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.level == LeadershipLevel.ORGANISATION and self.organisation_id is None:
            errors["organisation"] = "Choose the organisation this leadership team leads."
        if self.level in (LeadershipLevel.TEAM, LeadershipLevel.PROJECT) and self.team_id is None:
            errors["team"] = "Choose the team or project group this leadership team leads."
        if errors:
            raise ValidationError(errors)
        if self.level == LeadershipLevel.SYSTEM:
            self.organisation = None
            self.team = None
        elif self.level == LeadershipLevel.ORGANISATION:
            self.team = None


class LeadershipMembership(TimeStampedModel):
    leadership_team = models.ForeignKey(
        LeadershipTeam, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="leadership_memberships"
    )
    role = models.CharField(max_length=150, blank=True, help_text="For example: clinical lead.")

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["leadership_team", "person"], name="leadership_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.leadership_team}"


# The parts of the API a token may be limited to: the first part of the path after /api/v1/.
API_AREAS: tuple[tuple[str, str], ...] = (
    ("directory", "Directory: people, teams and organisations"),
    ("forums", "Forums, meetings and presence"),
    ("decisions", "Shared decisions"),
    ("care", "Care: people in care, the pathway and huddle boards"),
    ("safety", "Safety plans and positive risk-taking"),
    ("voice", "Concerns"),
    ("wellbeing", "Wellbeing"),
    ("learning", "Learning"),
    ("insights", "Insights"),
)


class TokenAccess(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and change"


class ApiToken(TimeStampedModel):
    """A personal API token. Only a hash is stored; the token is shown once when made. It works
    until it expires or is revoked, only as far as its access (read only, or read and change)
    and, when `areas` names some, only in those parts of the API."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    access = models.CharField(max_length=5, choices=TokenAccess.choices, default=TokenAccess.READ)
    areas = models.JSONField(default=list, blank=True)  # names from API_AREAS; none: every part

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
