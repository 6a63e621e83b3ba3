"""Who may read which people in the directory.

Staff details in the directory (name, discipline, organisation, teams, work e-mail) are shared
across the care system so that people can find each other; people who have left (inactive
accounts) are visible only to administrators.
"""

from __future__ import annotations

from django.db.models import QuerySet

from roundtable.core import access
from roundtable.directory.models import Person


def _people_policy(user: Person, queryset: QuerySet[Person]) -> QuerySet[Person]:
    if user.is_superuser or user.is_staff:
        return queryset
    return queryset.filter(is_active=True)


access.register(Person, _people_policy)
