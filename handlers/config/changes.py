"""Admins changing the configuration from the chat: /reload and YAML files sent in private."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from core import messages
from core.config.bank_sheet import bank_naming
from core.config.bank_template import TEMPLATE_FILE, template_workbook
from core.config.changes import (
    check_upload,
    install_upload,
    reload_configuration,
    reloaded,
)
from core.config.child_import import install_bank_sheet_in_child
from core.errors import UserError
from handlers.documents import downloaded
from handlers.organization.guard import guarded_command
from handlers.services import services

log = logging.getLogger(__name__)


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: read schedules.yaml and the banks again; errors keep the running configuration."""
    message = update.effective_message
    if message is None:
        return
    found = services(context)
    # Reading every bank takes up to a second: in a worker thread, the loop keeps running.
    async with found.config_changes:
        outcome = await asyncio.to_thread(reload_configuration, found.settings.config_dir)
        if outcome.configuration is not None:
            found.use_configuration(outcome.configuration)
    await message.reply_text(outcome.text)


async def receive_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document in private: an admin installing a bank or schedules.yaml, then a reload."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return
    found = services(context)
    if user.id not in found.settings.admin_ids:
        raise UserError(messages.UPLOAD_NOT_ADMIN)
    document = message.document
    name = document.file_name or ""
    check_upload(name, document.file_size or 0, found.settings.max_download_bytes)  # first
    content = await downloaded(document, user.id)
    config_dir = found.settings.config_dir
    # Checking a file means loading the whole configuration with it: in a worker thread,
    # so the scheduler's rounds and PTB's polling go on meanwhile. The configuration is
    # switched here on the loop, in one synchronous step (see Services.use_configuration).
    async with found.config_changes:  # one change at a time: each checks the folder as is
        installed = await asyncio.to_thread(
            install_upload, config_dir, name, content, found.clock()
        )
        found.use_configuration(installed.configuration)
    await message.reply_text(f"{installed.text}\n{reloaded(installed.configuration).text}")


async def template(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/template: the spreadsheet an admin fills in to make a question bank."""
    message = update.effective_message
    if message is None:
        return
    content = await asyncio.to_thread(template_workbook)
    await message.reply_document(
        content, filename=TEMPLATE_FILE, caption=messages.BANK_TEMPLATE_CAPTION
    )


async def install_bank_file(
    update: Update, context: ContextTypes.DEFAULT_TYPE, content: bytes
) -> None:
    """An admin's spreadsheet with a 题干 column, downloaded: a bank, imported and in use.

    The caption may name it: `xxqg 学习强国题库` (id, then title); else the file's name does.
    Sent again, the same sheet writes nothing: its ids come from its rows.
    """
    message = update.effective_message
    assert message is not None and message.document is not None
    found = services(context)
    name = message.document.file_name or ""
    bank_id, title = bank_naming(message.caption or "", name)
    # In a child process: a worker thread would hold the GIL for seconds (child_import.py).
    async with found.config_changes:  # one change at a time: each checks the folder as is
        installed = await install_bank_sheet_in_child(
            found.settings.config_dir, name, content, bank_id, title, found.clock()
        )
        found.use_configuration(installed.configuration)
    await message.reply_text(f"{installed.text}\n{reloaded(installed.configuration).text}")


# Both run beside other updates (block=False): a member's press is not kept waiting while
# a bank is checked. The ledger confirms their updates only when they are done.
HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("reload", reload, block=False),
    guarded_command("template", template),
    MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL, receive_file, block=False),
]
