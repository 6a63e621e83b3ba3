"""Learning, not blame, under /api/v1/learning/: one router, its endpoints in a module for each
feature: events and learning responses, support after events, tests of change, the practice
exchange (see each module)."""

from ninja import Router

from roundtable.learning.api import cycles, exchange, responses, support

router = Router(tags=["learning"])
for part in (responses, support, cycles, exchange):
    router.add_router("", part.router)
