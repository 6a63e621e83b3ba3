"""Text that is "present" has characters a reader can see.

`str.strip()` removes whitespace, but not the characters that take no space on the page: a
zero-width space (U+200B), a byte order mark (U+FEFF) pasted in from another program, a word
joiner (U+2060), a soft hyphen. A note made only of them looks empty to everyone who reads it,
so wherever a service or a form decides whether a required text was given, it asks `visible()`.
"""

from __future__ import annotations

import unicodedata

# Characters that draw nothing but are not in the categories below: the Hangul fillers, the
# blank Braille pattern, the combining grapheme joiner, Khmer's inherent vowels, and the
# variation selectors (they only change how the character before them is drawn).
_BLANK = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
# Control (Cc: tab, newline, NUL…), format (Cf: zero-width space and joiners, the byte order
# mark, direction marks, soft hyphen, tags…) and separators (Zs: spaces, the no-break space;
# Zl, Zp: the line and paragraph separators).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def is_invisible(char: str) -> bool:
    """Whether one character draws nothing a reader could see."""
    return char in _BLANK or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def visible(text: str | None) -> str:
    """`text` without the whitespace and invisible characters at either end; "" when nothing
    visible remains (or for None). Inside the text nothing changes, so a note keeps its lines."""
    if not text:
        return ""
    start, end = 0, len(text)
    while start < end and is_invisible(text[start]):
        start += 1
    while end > start and is_invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(text: str | None) -> bool:
    """Whether `text` has nothing a reader could see."""
    return not visible(text)
