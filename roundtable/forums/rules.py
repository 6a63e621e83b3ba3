"""Object permissions for forums, written once (django-rules) and used by pages and API.

A forum runs itself: its members add members, schedule meetings and record attendance.
Administrators may change any forum, for when a forum has lost all its active members.
"""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from roundtable.core.access import Reader
from roundtable.directory.rules import is_administrator
from roundtable.forums.models import Forum, ForumMembership


@predicate
def is_forum_member(user: Reader, forum: Forum | None) -> bool:
    if forum is None or not user.is_authenticated:
        return False
    return ForumMembership.objects.filter(forum=forum, person=user).exists()


add_perm("forums.change_forum", is_forum_member | is_administrator)
