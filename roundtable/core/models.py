"""Base models shared by every app."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record two people may edit at once.

    `version` goes up by one on every saved change; a save that names an older version is
    refused (see `roundtable.core.concurrency.save_versioned`) so nobody's edit is silently lost.
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
