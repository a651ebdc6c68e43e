"""Reading what members type: commands as they were meant, and an answer when nothing
else understood a message (a person in private is never met with silence).

Groups stay quiet: ordinary chat there is not for the bot, and a mistyped command gets an
answer only when it names the bot (`/jion@bot`).
"""

from __future__ import annotations

from telegram import Bot, MessageEntity, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from core import messages
from core.organization.command_text import as_meant, closest
from core.organization.commands import COMMANDS
from handlers.organization.guard import is_private

NAMES = frozenset(c.name for c in COMMANDS)


def update_as_meant(update: object, bot: Bot) -> object:
    """The update with its message's text read as the command it was meant to be, or the
    update itself. Only a text with no entity but its leading command is rewritten, so
    no mention or link loses its place."""
    if not isinstance(update, Update):
        return update
    message = update.message
    if message is None or message.text is None or len(message.entities) > 1:
        return update
    text = as_meant(message.text, NAMES, private=is_private(update))
    if text is None:
        return update
    data = update.to_dict()
    name_length = text.find(" ") if " " in text else len(text)
    data["message"]["text"] = text
    data["message"]["entities"] = [
        {"type": MessageEntity.BOT_COMMAND, "offset": 0, "length": name_length}
    ]
    return Update.de_json(data, bot)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command no handler took: the closest one, with what was typed after it."""
    message = update.message
    if message is None or message.text is None:
        return
    word, _, rest = message.text.partition(" ")
    typed, _, addressed = word[1:].partition("@")
    if not is_private(update) and addressed.lower() != context.bot.username.lower():
        return
    meant = closest(typed, NAMES)
    if meant is None:
        await message.reply_text(messages.UNKNOWN_COMMAND.format(typed=typed))
        return
    suggestion = f"/{meant} {rest.strip()}".strip()
    await message.reply_text(
        messages.UNKNOWN_COMMAND_CLOSEST.format(typed=typed, meant=suggestion)
    )


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text in private that no handler took."""
    if update.message is not None:
        await update.message.reply_text(messages.NOT_UNDERSTOOD)


# Registered after every other handler of group 0: only what none of them took gets here.
# New messages only: an edit of a message already answered is not answered again.
HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command),
    MessageHandler(
        filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
        not_understood,
    ),
]
