"""Directory endpoints under /api/v1/directory/. Thin: parse, call a selector, return."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["directory"])
