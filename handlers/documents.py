"""Files people send the bot: downloaded the same way for every kind."""

from __future__ import annotations

import logging

from telegram import Document
from telegram.error import TelegramError
from telegram.ext import filters

from core import messages
from core.errors import UserError
from core.sheets import SHEET_SUFFIXES

log = logging.getLogger(__name__)


async def downloaded(document: Document, sender: int) -> bytes:
    """The file's bytes; a `UserError` saying why if Telegram would not give them."""
    name = document.file_name or ""
    try:
        file = await document.get_file()
        return bytes(await file.download_as_bytearray())
    except TelegramError as error:  # PTB reports a 404 download as InvalidToken('Not Found')
        log.warning("Could not download %r sent by %s: %r", name, sender, error)
        failed = messages.UPLOAD_DOWNLOAD_FAILED.format(name=name, reason=error.message)
        raise UserError(failed) from error


def spreadsheet_in_private() -> filters.BaseFilter:
    """An .xlsx or .csv document sent in a private chat."""
    suffixes = [suffix.removeprefix(".") for suffix in SHEET_SUFFIXES]
    spreadsheet: filters.BaseFilter = filters.Document.FileExtension(suffixes[0])
    for suffix in suffixes[1:]:
        spreadsheet = spreadsheet | filters.Document.FileExtension(suffix)
    return filters.ChatType.PRIVATE & spreadsheet
