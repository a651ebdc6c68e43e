"""How the core sends messages, without knowing Telegram.

The scheduler and the study tasks talk to a `Messenger`; the Telegram
implementation lives in handlers/ and maps Bot API failures onto the
exceptions below, which say what the core should do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """A message could not be delivered."""


class ChatGone(DeliveryError):
    """The bot was removed from the group, or the user blocked it: stop sending there."""


class ChatMoved(DeliveryError):
    """The group became a supergroup with a new id."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TryLater(DeliveryError):
    """Nothing was delivered and trying again later may work (network down, flood wait)."""


class MaybeDelivered(DeliveryError):
    """No answer came back: the message may or may not have arrived."""


class Undeliverable(DeliveryError):
    """Telegram refused the message for good (e.g. chat not found); a human must look."""


@dataclass(frozen=True)
class Button:
    """An inline button under a message: it sends `data` back to the bot, or opens `url`."""

    label: str
    data: str = ""
    url: str | None = None


class Messenger(Protocol):
    """Sending to Telegram chats, as the core needs it."""

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` fits Telegram's rate limits."""

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        """Send a message (as a reply to message `reply_to` of the chat, if it is still
        there); return its message id."""

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
    ) -> None:
        """Replace the text (and buttons) of a message the bot sent."""

    async def group_admin_ids(self, chat_id: int) -> list[int]:
        """The human creator and administrators of a group."""
