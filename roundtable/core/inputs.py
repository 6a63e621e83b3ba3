"""What text Roundtable accepts from a request, wherever it arrives.

Text is refused, with a clear message and nothing changed, when it holds a character that no
person types and no database should keep:

- control characters (NUL, escape, the C1 controls…): PostgreSQL cannot store NUL in text at
  all, and the others are invisible in a page. In the text of a JSON body, tab, newline and
  carriage return are kept, because notes have lines; in a query parameter nothing of the kind
  belongs.
- lone UTF-16 surrogates (`"\\ud800"` in JSON), which cannot be written as UTF-8.

The query string of every request is checked by `roundtable.core.middleware.InputPolicyMiddleware`;
the text of every JSON body the API reads by its parser (`roundtable.config.api.PolicyParser`).
Django's forms already refuse NUL in the pages' fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from roundtable.core.schemas import LARGEST_WHOLE_NUMBER

_IN_BODY_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_IN_QUERY = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

PROBLEM = "control_characters"


def query_problems(items: Iterator[tuple[str, str]] | Any) -> list[str]:
    """The names of the query parameters (name, value pairs) that hold a character not allowed."""
    return [name for name, value in items if _IN_QUERY.search(name) or _IN_QUERY.search(value)]


def body_problems(data: Any, where: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where in parsed JSON (keys and indexes) text holds a character not allowed."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(data, str):
        if _IN_BODY_TEXT.search(data):
            found.append(where)
    elif isinstance(data, dict):
        for key, value in data.items():
            if _IN_QUERY.search(key):
                found.append((*where, key))
            else:
                found.extend(body_problems(value, (*where, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(body_problems(value, (*where, index)))
    return found


_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")


def id_param(value: Any) -> int | None:
    """A record's id from a page's address (`?team=12`), or None when it is missing or cannot be
    one: not plain digits (`²` is a digit to Python, not in an address), zero, or larger
    than the database holds. A page then shows what it shows without that choice."""
    text = str(value if value is not None else "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= LARGEST_WHOLE_NUMBER else None
