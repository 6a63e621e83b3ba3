"""Learning, not blame, under /api/v1/learning/: one router, its endpoints in a module for each
feature (events and learning responses; see each module)."""

from ninja import Router

from roundtable.learning.api import responses

router = Router(tags=["learning"])
for part in (responses,):
    router.add_router("", part.router)
