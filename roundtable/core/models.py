"""Base models shared by every app."""

from __future__ import annotations

from django.conf import settings
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


class IdempotentRequest(models.Model):
    """A write sent to the API with an `Idempotency-Key`, claimed before it runs and then its
    answer, kept so that a retry with the same key gets that answer again rather than doing the
    write twice (`roundtable.core.idempotency`).

    Keys belong to the person who sent them: one row per person and key, which is also the
    claim that lets exactly one of several identical requests run. The stored answer may name
    people in care, so it is read only to replay it to the same person, never listed or shown
    in the admin, and removed after `KEPT_FOR` by `roundtable tick`.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path with its query and the SHA-256 of the body: what makes a
    # retry "the same request". The request itself is not kept.
    fingerprint = models.CharField(max_length=64)
    # Who holds the claim now, and since when: a claim left by a worker that died is taken over
    # once it is older than `roundtable.core.idempotency.CLAIM_TIMEOUT`.
    claim = models.UUIDField()
    claimed_at = models.DateTimeField()
    # Set when the answer is stored; empty while the request is being processed.
    completed_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    location = models.TextField(blank=True)
    body = models.BinaryField(default=b"", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="core_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key request {self.pk}"
