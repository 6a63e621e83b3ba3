"""The weekly roll-up the insights pages read: for each measure, team and week, a total and how
many it is over (the value is total ÷ count: a mean of days, or a share of a count). Written only
by `services.refresh`, from the other apps' append-only records, by SQL aggregation: pages never
scan years of events. Nothing here names a person."""

from __future__ import annotations

from django.db import models

from roundtable.directory.models import Team


class WeeklyFigure(models.Model):
    measure = models.CharField(max_length=60)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday the week starts on.")
    total = models.FloatField()
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["measure", "team", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "team", "week"], name="insights_figure_once_a_week"
            ),
            models.CheckConstraint(
                name="insights_figure_counts_something", condition=models.Q(count__gt=0)
            ),
        ]
        indexes = [models.Index(fields=["measure", "week"], name="insights_measure_week")]

    def __str__(self) -> str:
        return f"{self.measure} for team {self.team_id}, week of {self.week}"

    @property
    def value(self) -> float:
        return self.total / self.count


class Refresh(models.Model):
    """When each measure's figures were last worked out, and up to which week: locked while a
    refresh rewrites them, so two refreshes (a tick and a rebuild) never interleave."""

    measure = models.CharField(max_length=60, unique=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.measure
