"""Roles of Telegram callers: bot admins, group administrators (asked of Telegram), members."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember
from telegram.error import TelegramError

log = logging.getLogger(__name__)

ADMIN_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}
CACHE_SECONDS = 120.0


class ChatAdminCache:
    """Whether a user is the creator or an administrator of a group, cached for a short while.

    Group admins count as secretaries. Asking Telegram on every command would be
    slow and rate-limited; caching for two minutes means a promotion or demotion
    takes effect within two minutes, or at once when a chat_member update arrives.
    """

    def __init__(
        self, ttl: float = CACHE_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._now = monotonic
        self._entries: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """Ask (or remember) whether `user_id` administers `chat_id`."""
        key = (chat_id, user_id)
        cached = self._entries.get(key)
        if cached is not None and self._now() - cached[0] < self._ttl:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            log.warning("getChatMember %s/%s failed: %s", chat_id, user_id, error)
            return False
        is_admin = member.status in ADMIN_STATUSES
        self._entries[key] = (self._now(), is_admin)
        return is_admin

    def forget(self, chat_id: int, user_id: int) -> None:
        """Drop a cached answer (the user's status in the chat just changed)."""
        self._entries.pop((chat_id, user_id), None)
