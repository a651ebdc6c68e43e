"""Spreadsheets sent in private, routed by what they hold: a 名单 from a secretary, or a
question bank from an admin (its header has a 题干 column)."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler

from core import messages
from core.config.bank_sheet import is_bank_sheet
from core.config.changes import check_size
from core.errors import UserError
from handlers.config import changes
from handlers.documents import downloaded, spreadsheet_in_private
from handlers.roster import member_list
from handlers.services import services


async def receive_spreadsheet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An .xlsx or .csv in private: a bank if its header has 题干 (admins only), else a 名单."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return
    document = message.document
    settings = services(context).settings
    admin = user.id in settings.admin_ids
    branch = None
    if admin:  # a bank may be as large as the bot may download
        check_size(document.file_name or "", document.file_size or 0, settings.max_download_bytes)
    else:  # only a secretary sends spreadsheets: told so before anything is downloaded
        branch = await member_list.list_branch(update, context)
        member_list.check_list_size(document)
    content = await downloaded(document, user.id)
    if await asyncio.to_thread(is_bank_sheet, document.file_name or "", content):
        if not admin:
            raise UserError(messages.BANK_SHEET_NOT_ADMIN)
        await changes.install_bank_file(update, context, content)
        return
    branch = branch or await member_list.list_branch(update, context)
    await member_list.install_member_list(update, context, branch, content)


# Runs beside other updates (block=False): a press is not kept waiting while a spreadsheet
# is read. The ledger confirms the update only when it is done.
HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    MessageHandler(spreadsheet_in_private(), receive_spreadsheet, block=False),
]
