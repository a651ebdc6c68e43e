"""/meeting in a branch group: kind and date buttons, the topic as a reply, the 签到
message with 签到 / 请假 / 结束签到, and photos or files replied to it."""

from __future__ import annotations

import contextlib
import logging

from telegram import (
    Document,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from core import messages
from core.config.branches import Branch
from core.errors import UserError
from core.meetings.service import (
    CLOSE,
    DAY,
    EDIT,
    FIELD,
    FROM_PROMPT,
    KIND,
    MARK_PRESENT,
    PREFIX,
    Press,
    attendance_buttons,
    day_buttons,
    editable_buttons,
    kind_buttons,
    parse_press,
    record_buttons,
)
from core.store.meeting_records import TOPIC, Attachment, Meeting
from handlers.organization.guard import guarded_command, is_secretary_of
from handlers.services import services
from handlers.telegram_messenger import button_rows

log = logging.getLogger(__name__)

MAX_SAVED_BYTES = 10 * 2**20  # copies kept under data/ for the ledger; larger: the file id only
# "请回复本条消息，写上": how both the topic question and a correction's question begin.
QUESTION_START = messages.MEETING_ASK_EDIT.split("{", 1)[0]
LED_ONLY = (KIND, FROM_PROMPT, DAY, CLOSE, EDIT, MARK_PRESENT, FIELD)


async def meeting(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting (secretaries, in the branch group): the kinds to choose from; /meeting edit:
    the recent records to correct."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    found = services(context)
    branch = found.organization.branch_for_chat(chat.id)
    if branch is None:
        raise UserError(messages.NOT_A_BRANCH_GROUP)
    if context.args == ["edit"]:
        records = editable_buttons(found.meetings.editable(branch.id))
        await message.reply_text(messages.MEETING_EDIT_PICK, reply_markup=button_rows(records))
        return
    if context.args:
        raise UserError(messages.MEETING_EDIT_USAGE)
    kinds = button_rows(kind_buttons(), 2)
    await message.reply_text(messages.MEETING_PICK_KIND, reply_markup=kinds)


async def meeting_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of the /meeting menu or of a 签到 message."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    found = services(context)
    press = parse_press(query.data)
    chat_id = query.message.chat.id
    branch = found.organization.branch_for_chat(chat_id)
    if press is None or branch is None:
        raise UserError(messages.MEETING_GONE)
    led_only = press.action in LED_ONLY
    if led_only and not await is_secretary_of(query.from_user.id, branch.id, context):
        raise UserError(messages.MEETING_NOT_SECRETARY)
    if press.action in (EDIT, MARK_PRESENT, FIELD):
        await _correct(update, context, branch, press)
        return
    if press.action == KIND:
        await query.answer()
        days = day_buttons(press.kind, found.meetings.today())
        await query.edit_message_text(
            messages.MEETING_PICK_DAY.format(kind=press.kind), reply_markup=button_rows(days, 3)
        )
    elif press.action == FROM_PROMPT:
        # The prompt keeps its text; its button becomes the dates, as under /meeting.
        # Delivered twice, the second edit changes nothing (Telegram: "not modified").
        await query.answer()
        days = day_buttons(press.kind, found.meetings.today())
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(button_rows(days, 3))
    elif press.action == DAY:
        await query.answer()
        await _ask_topic(context, branch, press, query.message.message_id, query.from_user.id)
    elif press.action == CLOSE:
        closed = found.meetings.close(press.meeting_id)
        await query.answer(messages.MEETING_CLOSED_ALREADY if closed is None else None)
        if closed is not None:
            text = found.meetings.record_text(closed, branch.name)
            with contextlib.suppress(TelegramError):  # the record is stored either way
                await query.edit_message_text(text)
    else:
        reply, changed = found.meetings.answer(press, query.from_user.id)
        await query.answer(reply)
        if changed is not None:
            found.edits.request(
                context, f"meeting:{changed.id}", lambda: _edit_counts(context, branch, changed.id)
            )


async def _correct(
    update: Update, context: ContextTypes.DEFAULT_TYPE, branch: Branch, press: Press
) -> None:
    """A correction's button: open a record, mark an absentee present, or ask for a new
    topic or host (the reply is taken in `topic_reply`)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    found = services(context)
    record = found.meetings.closed_record(press.meeting_id, branch.id)
    if press.action == EDIT:
        await query.answer()
        text, buttons = _editor(context, branch, record)
        await context.bot.send_message(record.chat_id, text, reply_markup=buttons)
    elif press.action == FIELD:
        await query.answer()
        day = f"{record.day:%Y-%m-%d}"
        question = messages.MEETING_ASK_EDIT.format(kind=record.kind, day=day, field=press.field)
        sent = await context.bot.send_message(
            record.chat_id, question, reply_markup=ForceReply(selective=True)
        )
        found.meetings.asked_edit(record.id, press.field, sent.message_id)
    else:
        reply, changed = found.meetings.mark_present(press, query.from_user.id)
        await query.answer(reply)
        await _show_corrected(context, branch, changed, query.message.message_id)


async def _show_corrected(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, meeting: Meeting, editor_id: int | None
) -> None:
    """The corrected record: on the group's record message, and on the correction message
    with its buttons drawn again (an absentee marked present loses their button)."""
    found = services(context)
    text = found.meetings.record_text(meeting, branch.name)
    with contextlib.suppress(TelegramError):  # the correction is stored either way
        if meeting.message_id is not None:
            await context.bot.edit_message_text(
                text, chat_id=meeting.chat_id, message_id=meeting.message_id
            )
        if editor_id is not None:
            editor, buttons = _editor(context, branch, meeting)
            await context.bot.edit_message_text(
                editor, chat_id=meeting.chat_id, message_id=editor_id, reply_markup=buttons
            )


def _editor(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, meeting: Meeting
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message a record is corrected from: the record, a hint, its correction buttons."""
    text = services(context).meetings.record_text(meeting, branch.name)
    buttons = button_rows(record_buttons(meeting), 2)
    return f"{text}\n\n{messages.MEETING_EDIT_HINT}", buttons


async def _ask_topic(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, press: Press, menu_id: int, by: int
) -> None:
    """The draft, and the question for its topic (once: a replayed press finds it asked)."""
    found = services(context)
    assert press.day is not None
    draft = found.meetings.start(branch, _chat_of(context, branch), press, menu_id, by)
    if draft.prompt_id is not None:
        return
    question = messages.MEETING_ASK_TOPIC.format(kind=draft.kind, day=f"{draft.day:%Y-%m-%d}")
    sent = await context.bot.send_message(
        draft.chat_id, question, reply_markup=ForceReply(selective=True)
    )
    found.meetings.asked_topic(draft.id, sent.message_id)


def _chat_of(context: ContextTypes.DEFAULT_TYPE, branch: Branch) -> int:
    binding = services(context).store.binding_for_branch(branch.id)
    if binding is None:
        raise UserError(messages.NOT_A_BRANCH_GROUP)
    return binding.chat_id


async def topic_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply in the group: the topic, if it answers our question (else: ordinary chat)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.reply_to_message is None:
        return
    asked = message.reply_to_message
    if asked.from_user is None or asked.from_user.id != context.bot.id:
        return  # a reply to a person: ordinary chat
    if not (asked.text or "").startswith(QUESTION_START):
        return
    found = services(context)
    branch = found.organization.branch_for_chat(message.chat_id)
    if branch is None:
        return
    if await _correction_reply(context, branch, message, user.id):
        return
    person = found.store.person(user.id)
    host = person.report_name if person else user.full_name
    opened = found.meetings.topic_given(
        message.chat_id, message.reply_to_message.message_id, user.id, host, message.text or ""
    )
    if opened is None:
        return
    await _post_sign_in(message, context, branch, opened)


async def _correction_reply(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, message: Message, user_id: int
) -> bool:
    """A reply to a correction's question, from the branch's secretary: the record changes.
    False: the reply answers no correction's question."""
    assert message.reply_to_message is not None
    found = services(context)
    prompt_id = message.reply_to_message.message_id
    asked = found.meetings.edit_question(message.chat_id, prompt_id)
    if asked is None:
        return False
    if not await is_secretary_of(user_id, branch.id, context):
        raise UserError(messages.MEETING_NOT_SECRETARY)
    edited = found.meetings.edit_given(asked, prompt_id, user_id, message.text or "")
    field = edited.edit_prompts[prompt_id]
    value = edited.topic if field == TOPIC else edited.host
    day = f"{edited.day:%Y-%m-%d}"
    await message.reply_text(
        messages.MEETING_EDITED.format(kind=edited.kind, day=day, field=field, value=value)
    )
    await _show_corrected(context, branch, edited, None)
    return True


async def _post_sign_in(
    message: Message, context: ContextTypes.DEFAULT_TYPE, branch: Branch, opened: Meeting
) -> None:
    found = services(context)
    text = found.meetings.sign_in_text(opened, branch.name)
    sent = await message.reply_text(text, reply_markup=button_rows(attendance_buttons(opened)))
    found.meetings.posted(opened.id, sent.message_id)


async def _edit_counts(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, meeting_id: str
) -> None:
    """The 签到 message's counts, as stored now (unless it closed meanwhile)."""
    found = services(context)
    current = found.store.meeting(meeting_id)
    if current is None or current.message_id is None or current.status != "open":
        return
    try:
        await context.bot.edit_message_text(
            found.meetings.sign_in_text(current, branch.name),
            chat_id=current.chat_id,
            message_id=current.message_id,
            reply_markup=button_rows(attendance_buttons(current)),
        )
    except TelegramError as error:
        log.info("Meeting %s counts not edited: %s", meeting_id, error)


async def attachment_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or file replied to a 签到 message: attached to that meeting's record."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.reply_to_message is None:
        return
    found = services(context)
    media: PhotoSize | Document
    if message.photo:
        media, kind = message.photo[-1], "photo"  # the largest size
    elif message.document is not None:
        media, kind = message.document, "document"
    else:
        return
    size = media.file_size or 0
    meeting_id = _meeting_replied_to(context, message)
    if meeting_id is None:
        return
    saved = None
    if size <= MAX_SAVED_BYTES:
        try:
            file = await media.get_file()
            content = bytes(await file.download_as_bytearray())
            name = f"{media.file_unique_id}-{getattr(media, 'file_name', None) or kind}"
            saved = found.store.save_meeting_file(meeting_id, name, content)
        except TelegramError as error:  # the file id is kept all the same
            log.warning("Could not download an attachment of %s: %s", meeting_id, error)
    attachment = Attachment(media.file_unique_id, kind, user.id, found.clock(), size, saved)
    replied = message.reply_to_message.message_id
    meeting = found.meetings.attach(message.chat_id, replied, attachment)
    if meeting is None:
        return
    text = messages.MEETING_ATTACHED.format(
        kind=meeting.kind, day=f"{meeting.day:%Y-%m-%d}", count=len(meeting.attachments)
    )
    if saved is None and size > MAX_SAVED_BYTES:
        text += "\n" + messages.MEETING_FILE_TOO_BIG.format(limit=MAX_SAVED_BYTES // 2**20)
    await message.reply_text(text)


def _meeting_replied_to(context: ContextTypes.DEFAULT_TYPE, message: Message) -> str | None:
    assert message.reply_to_message is not None
    replied = message.reply_to_message.message_id
    found = services(context).meetings.replied_meeting(message.chat_id, replied)
    return found.id if found else None


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("meeting", meeting),
    CallbackQueryHandler(meeting_button, pattern=f"^{PREFIX}"),
    MessageHandler(
        filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND, topic_reply
    ),
    MessageHandler(
        filters.ChatType.GROUPS & filters.REPLY & (filters.PHOTO | filters.Document.ALL),
        attachment_reply,
    ),
]
