"""Ordering names the way Chinese readers expect."""

from __future__ import annotations


def name_order(name: str) -> tuple[bytes, str]:
    """Sort key putting Chinese names in pinyin order (李 before 王 before 张).

    The 3,755 common characters of GB2312 (level 1) are laid out by pinyin, and GBK keeps
    that layout, so their GBK bytes sort as their pinyin does. Latin names come first;
    characters outside GBK (emoji in a Telegram name) sort as '?'.
    """
    return name.encode("gbk", errors="replace"), name
