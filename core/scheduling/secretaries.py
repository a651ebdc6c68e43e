"""Telling a branch's secretaries something: privately, or in the group when none can be.

The secretaries are those `schedules.yaml` names and the group's human administrators.
A secretary who never opened a private chat with the bot cannot be messaged there, so
what was meant for them is posted in the group, mentioning them (as a reply to the message
it is about, when there is one) rather than going to the bot's admins, who cannot act on it.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence

from core import messages
from core.config.branches import Branch
from core.delivery import Button, ChatGone, DeliveryError, Messenger
from core.organization.branches import Organization


class Secretaries:
    """Delivers what a branch's secretaries must read."""

    def __init__(self, organization: Organization, messenger: Messenger) -> None:
        self._organization = organization
        self._messenger = messenger

    async def recipients(self, branch: Branch, chat_id: int | None) -> list[int]:
        """The branch's secretaries: declared, and the group's administrators."""
        found = set(branch.secretary_ids)
        if chat_id is not None:
            with contextlib.suppress(DeliveryError):
                found |= set(await self._messenger.group_admin_ids(chat_id))
        return sorted(found)

    async def tell(
        self, branch: Branch, text: str, *, chat_id: int | None, reply_to: int | None = None
    ) -> bool:
        """Send `text` to every secretary privately; if none got it, post it in the group
        (`chat_id`) mentioning them. False: it reached nobody."""
        recipients = await self.recipients(branch, chat_id)
        delivered = [r for r in recipients if await self.send_private(r, text)]
        if delivered:
            return True
        if chat_id is None:
            return False
        mentions = "、".join(self._mention(user_id) for user_id in recipients)
        posted = messages.FOR_SECRETARY_IN_GROUP.format(
            mentions=mentions or messages.SECRETARY_WORD, text=html.escape(text)
        )
        await self._messenger.wait_turn(chat_id)
        try:
            await self._messenger.send(chat_id, posted, html=True, reply_to=reply_to)
        except DeliveryError:
            return False
        return True

    async def send_private(self, user_id: int, text: str, buttons: Sequence[Button] = ()) -> bool:
        """A direct message; a user who blocked the bot is remembered as unreachable."""
        await self._messenger.wait_turn(user_id)
        try:
            await self._messenger.send(user_id, text, buttons=buttons)
        except ChatGone:
            self._organization.private_chat_closed(user_id)
            return False
        except DeliveryError:
            return False
        return True

    def _mention(self, user_id: int) -> str:
        person = self._organization.store.person(user_id)
        name = person.report_name if person else messages.SECRETARY_WORD
        return f'<a href="tg://user?id={user_id}">{html.escape(name)}</a>'
