"""What a member meant by a command typed on a phone's Chinese keyboard, or by a button
of the private chat's menu.

Chinese input methods type "、" or the full-width "／" where "/" was meant, and a name typed
straight after a command ("/join王建国") leaves the command without its argument: Telegram
ends a command at the first character that is not a Latin letter, digit or underscore.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

from core import messages

SLASH = "/"
CHINESE_SLASHES = ("、", "／")
_NAME = re.compile(r"[A-Za-z0-9_]+")
MENU = {**messages.MENU_BUTTONS, **messages.SECRETARY_MENU_BUTTONS}


def as_meant(text: str, names: Collection[str], *, private: bool) -> str | None:
    """The command the text was meant to be ("、join王建国" → "/join 王建国", the menu
    button 开始答题 → "/quiz"); None when it needs no change or names no command of ours.
    Only in `private` are "、" and "／" read as "/" and the menu's labels as commands: in
    a group they are ordinary punctuation and words."""
    button = MENU.get(text.strip()) if private else None
    if button in names:  # a button of the private chat's keyboard
        return f"/{button}"
    marks = (SLASH, *CHINESE_SLASHES) if private else (SLASH,)
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
