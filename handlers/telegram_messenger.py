"""The core's `Messenger` on top of python-telegram-bot: pacing and error translation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from core.delivery import (
    Button,
    ChatGone,
    ChatMoved,
    DeliveryError,
    MaybeDelivered,
    TryLater,
    Undeliverable,
)

# Telegram allows about 30 messages a second overall and 20 a minute per group. Sends are
# spaced a little inside those limits *before* a push is claimed, so that AIORateLimiter
# (still in place for everything else) never holds a claimed push in its queue.
SECONDS_BETWEEN_SENDS = 1 / 29
SECONDS_BETWEEN_GROUP_SENDS = 60 / 19


class SendPacer:
    """Evenly spaced turns: never more sends in any sliding window than Telegram allows."""

    def __init__(
        self,
        interval: float = SECONDS_BETWEEN_SENDS,
        group_interval: float = SECONDS_BETWEEN_GROUP_SENDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._group_interval = group_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_any = 0.0
        self._next_group: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until a message to `chat_id` may go out, and book that slot."""
        async with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_any)
            if chat_id < 0:
                slot = max(slot, self._next_group.get(chat_id, 0.0))
                self._next_group[chat_id] = slot + self._group_interval
            self._next_any = slot + self._interval
            if slot > now:
                await self._sleep(slot - now)


class TelegramMessenger:
    """Sends through the bot (and so through AIORateLimiter) and translates failures."""

    def __init__(self, bot: Bot, pacer: SendPacer | None = None) -> None:
        self._bot = bot
        self.pacer = pacer or SendPacer()  # public: a test may pace by its own clock

    async def wait_turn(self, chat_id: int) -> None:
        """Wait for a slot within Telegram's limits."""
        await self.pacer.wait_turn(chat_id)

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        """Send a message; return its id."""
        reply = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )
        try:
            message = await self._bot.send_message(
                chat_id,
                text,
                reply_markup=button_rows(buttons),
                parse_mode=ParseMode.HTML if html else None,
                reply_parameters=reply,
            )
        except TelegramError as error:
            raise translate(error) from error
        return message.message_id

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
    ) -> None:
        """Replace a message's text and buttons; an unchanged message is fine."""
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=button_rows(buttons),
                parse_mode=ParseMode.HTML if html else None,
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise translate(error) from error
        except TelegramError as error:
            raise translate(error) from error

    async def group_admin_ids(self, chat_id: int) -> list[int]:
        """Human creator and administrators of a group."""
        try:
            admins = await self._bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            raise translate(error) from error
        return [member.user.id for member in admins if not member.user.is_bot]


def translate(error: TelegramError) -> DeliveryError:
    """What a Bot API failure means for the core."""
    if isinstance(error, ChatMigrated):
        return ChatMoved(error.new_chat_id)
    if isinstance(error, Forbidden):
        return ChatGone(error.message)
    if isinstance(error, RetryAfter):
        return TryLater(error.message)
    if isinstance(error, TimedOut):
        return MaybeDelivered(error.message)
    if isinstance(error, BadRequest):  # a subclass of NetworkError: test it first
        return Undeliverable(error.message)
    if isinstance(error, NetworkError):
        return TryLater(error.message)
    return Undeliverable(error.message)


def _inline_button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def button_rows(buttons: Sequence[Button], per_row: int = 1) -> InlineKeyboardMarkup | None:
    """An inline keyboard of `per_row` buttons a row (one: a phone shows each label whole,
    and a finger hits the right one); None with no buttons."""
    if not buttons:
        return None
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(
        [[_inline_button(b) for b in row] for row in rows]
    )
