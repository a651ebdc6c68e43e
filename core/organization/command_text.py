"""What a member meant by a command typed on a phone's Chinese keyboard.

Chinese input methods type "、" or the full-width "／" where "/" was meant, and a name typed
straight after a command ("/join王建国") leaves the command without its argument: Telegram
ends a command at the first character that is not a Latin letter, digit or underscore.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

SLASH = "/"
CHINESE_SLASHES = ("、", "／")
_NAME = re.compile(r"[A-Za-z0-9_]+")


def as_meant(text: str, names: Collection[str], *, chinese_slash: bool) -> str | None:
    """The command the text was meant to be ("、join王建国" → "/join 王建国"); None when it
    needs no change or names no command of ours. `chinese_slash`: read "、" and "／" as "/"
    (in private only: in a group they are ordinary punctuation)."""
    marks = (SLASH, *CHINESE_SLASHES) if chinese_slash else (SLASH,)
    if not text or text[0] not in marks:
        return None
    match = _NAME.match(text, 1)
    if match is None or match.group().lower() not in names:
        return None
    rest = text[match.end() :]
    glued = bool(rest) and not rest[0].isspace() and rest[0] != "@"
    if text[0] == SLASH and not glued:
        return None  # Telegram reads it as it is
    return f"/{match.group().lower()}{' ' if glued else ''}{rest}"


def closest(typed: str, names: Collection[str]) -> str | None:
    """The command a mistyped one most likely meant ("jion" → "join"), if any is close."""
    found = difflib.get_close_matches(typed.lower(), list(names), n=1, cutoff=0.6)
    return found[0] if found else None
