"""Hostile and malformed updates through the real Application (property-based, offline).

Every example is fed to one running bot (against the fake Bot API), so state builds up
across examples the way it would in a long-lived process. After each update we check:

* no exception other than a `UserError` reached the error handlers (a spy handler sees
  every error PTB routes there), and PTB logged no failure of the error handler itself;
* nothing was recorded that the update had no right to record (quiz answers, study
  completions, bindings, people or events for garbage in an unbound group).
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import ContextTypes

from core.config.agency import AgencyConfig
from core.config.banks import load_banks
from core.errors import UserError
from tests.conftest import SHANGHAI, FakeClock
from tests.fakeapi import MEMBER_STATUSES, FakeBotApi, command_entities, member_dict
from tests.harness import BotHarness, running_bot, user

ADMIN = user(1, "管理员")
OWNER = user(2, "书记", "secretary")
MEMBER = user(3, "小王")
STRANGER = user(9, "路人")
OFFICE_GROUP = -100111  # bound to the office branch during set-up
UNBOUND_GROUP = -100333  # never bound
BANKS = load_banks(Path(__file__).parents[1] / "fixtures" / "quizzes")
MONTH = "2026-11"
BOT_USERNAME = "party_study_bot"
FIRST_BOT_ID = 8 * 10**12  # every bot user drawn has an id from here on
FEED_TIMEOUT = 10.0  # seconds; only a hang gets anywhere near this

SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def fuzz(examples: int) -> settings:
    """Deterministic (no example database, derandomized) so CI never flakes."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=examples,
        suppress_health_check=SLOW_IS_FINE,
    )


# --------------------------------------------------------------------------- strategies

ODD_CHARS = [
    "\u200f",  # RTL mark
    "\u202e",  # RTL override
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM
    "\x00",
    "\n",
    "\t",
    "\r",
    "👨‍👩‍👧‍👦",
    "🇨🇳",
    "\U0010ffff",
    "é",
    "党",
    "\u3000",  # ideographic space
    "/",
    "@",
    ":",
    "<b>",
    "{}",
    "%s",
]
odd_text = st.lists(st.sampled_from(ODD_CHARS) | st.text(max_size=3), max_size=12).map("".join)
huge_text = st.builds(
    lambda piece, n: (piece * n)[: n * 2],
    st.sampled_from(["党", "a", "👨‍👩‍👧‍👦", "\u200f", "\x00", "office "]),
    st.integers(4000, 9000),
)
any_text = st.one_of(st.text(max_size=40), odd_text, huge_text)

COMMANDS = [
    "start",
    "help",
    "join",
    "bind",
    "unbind",
    "roster",
    "quiz",
    "review",
    "groupquiz",
    "report",
    "export",
    "me",
    "top",
    "rules",
    "branches",
    "stats",
    "reload",
]
argument = st.one_of(
    st.sampled_from(
        [
            "office",
            "policy",
            "OFFICE",
            "basics",
            "long",
            "纪律处分",
            "2026-11",
            "2026-13",
            "0000-00",
            "9999-12",
            "-1",
            "0",
            "5",
            "999999999999999999999",
            "1e9",
            "李 明",
            "../../etc/passwd",
            "office:2026-11",
        ]
    ),
    st.text(max_size=20),
    odd_text,
)


@st.composite
def command_text(draw: st.DrawFn) -> str:
    """`/command[@bot] args…` with random arguments."""
    name = draw(st.sampled_from(COMMANDS))
    suffix = draw(st.sampled_from(["", "", f"@{BOT_USERNAME}", "@other_bot", "@"]))
    args = draw(st.lists(argument, max_size=4))
    separator = draw(st.sampled_from([" ", " ", "\u3000", "\n", "  "]))
    text = f"/{name}{suffix}"
    if args:
        text += separator + separator.join(args)
    return text


message_text = st.one_of(command_text(), any_text)

REAL_LIKE_DATA = [
    "study:",
    "study:2611-",
    "study:2611-3f2a9c1d",
    "study:9913-zzzz",
    "study:../../x",
    "q:",
    "q:3:",
    "q:3:000000000000:0:0",
    "q:3:000000000000:0:s",
    "q:3:000000000000:999:t9",
    "q:999999999999999:ffffffffffffffff:999:t9",
    "q:-3:0:0:0",
    "qn:000000000000:5",
    "qn:000000000000:99",
    "qs:000000000000:5:",
    "qs:000000000000:20:basics",
    "qs:000000000000:5:纪律处分",
    "qc:000000000000:0",
    "qa:000000000000:m",
    "qa:000000000000:r",
    "qa:000000000000:q:10:basics",
    "g:",
    "g:2611-00000000:0:0",
    "g:2611-00000000:99:s",
    "g:9999-ffffffff:0:t1",
    "rep:",
    "rep:r:office",
    "rep:r:office:2026-11",
    "rep:x:office:2026-11",
    "rep:n:office",
    "rep:n:office:2026-11",
    "rep:r:office:2026-13",
    "rep:r:office:2026-00",
    "rep:r:policy:2026-11",
    "rep:r:nosuch:2026-11",
    "rep:x:office:0000-01",
]


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    """Real prefixes, truncated or forged versions of real data, random and oversized data."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        real = draw(st.sampled_from(REAL_LIKE_DATA))
        return real[: draw(st.integers(0, len(real)))]
    if kind == 1:
        return draw(st.sampled_from(REAL_LIKE_DATA)) + draw(odd_text)
    if kind == 2:
        prefixes = ["study:", "q:", "qn:", "qs:", "qc:", "qa:", "g:", "rep:", "rep:r:", "rep:x:"]
        prefix = draw(st.sampled_from(prefixes))
        return prefix + draw(st.text(max_size=80))
    if kind == 3:
        return draw(st.text(min_size=65, max_size=300))  # over Telegram's 64 bytes
    return draw(st.text(max_size=20))


@st.composite
def a_user(draw: st.DrawFn) -> dict[str, Any]:
    """Known users, strangers with odd names, and bots."""
    known = draw(st.sampled_from([None, ADMIN, OWNER, MEMBER, STRANGER]))
    if known is not None and draw(st.booleans()):
        return dict(known)
    is_bot = draw(st.booleans())
    found: dict[str, Any] = {
        "id": draw(
            st.integers(FIRST_BOT_ID, FIRST_BOT_ID + 10**6) if is_bot else st.integers(10, 10**12)
        ),
        "is_bot": is_bot,
        # Telegram guarantees 1-64 characters (PTB's full_name is None for an empty one).
        "first_name": draw(st.one_of(odd_text, st.text(max_size=30)).filter(bool))[:64],
    }
    if draw(st.booleans()):
        found["last_name"] = draw(odd_text)
    if draw(st.booleans()):
        found["username"] = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,30}", fullmatch=True))
    return found


@dataclass
class Hostile:
    """One hostile update, described well enough to build it against the fake API."""

    kind: str
    chat_id: int
    sender: dict[str, Any]
    text: str = ""
    data: str = ""
    poll_id: str = ""
    option_ids: list[int] = field(default_factory=list)
    old_status: str = "member"
    new_status: str = "member"
    no_sender: bool = False


member_status = st.sampled_from([*MEMBER_STATUSES, "owner", "banned", "", "weird"])


@st.composite
def hostile_update(draw: st.DrawFn, chats: tuple[int, ...]) -> Hostile:
    """A message, callback query, poll answer or chat_member change with random content."""
    kind = draw(st.sampled_from(["message", "message", "message", "callback", "poll", "member"]))
    sender = draw(a_user())
    chat_id = draw(st.sampled_from(chats))
    if chat_id > 0:  # a private chat is always with its sender (no bot ever writes to us)
        chat_id = sender["id"] if not sender["is_bot"] else MEMBER["id"]
        sender = sender if not sender["is_bot"] else dict(MEMBER)
    if kind == "message":
        return Hostile(
            kind,
            chat_id,
            sender,
            text=draw(message_text),
            no_sender=chat_id < 0 and draw(st.integers(0, 5)) == 0,
        )
    if kind == "callback":
        if chat_id > 0:  # a button in a private chat the bot has written to, by its owner
            sender = dict(draw(st.sampled_from([ADMIN, OWNER, MEMBER, STRANGER])))
            chat_id = sender["id"]
        return Hostile(kind, chat_id, sender, data=draw(callback_data()))
    if kind == "poll":
        return Hostile(
            kind,
            chat_id,
            sender,
            poll_id=draw(st.one_of(st.text(max_size=20), st.sampled_from(["1", "0", "-1"]))),
            option_ids=draw(st.lists(st.integers(-(2**31), 2**31), max_size=12)),
            no_sender=draw(st.integers(0, 5)) == 0,
        )
    return Hostile(
        kind,
        chat_id if chat_id < 0 else OFFICE_GROUP,
        sender,
        old_status=draw(member_status),
        new_status=draw(member_status),
    )


# --------------------------------------------------------------------------- the running bot


def odd_member(member_user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember dict, also for statuses Telegram does not send."""
    if status in MEMBER_STATUSES:
        return member_dict(member_user, status)
    return {"status": status, "user": member_user}


class Session:
    """One bot, one event loop, and everything needed to judge each update's effects."""

    def __init__(self, runner: asyncio.Runner, bot: BotHarness) -> None:
        self.runner = runner
        self.bot = bot
        self.errors: list[BaseException] = []
        self.failed_error_handler: list[logging.LogRecord] = []
        self.bot_messages: dict[int, int] = {}  # chat -> a message the bot sent there

    async def spy(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    def feed_raw(self, update: dict[str, Any]) -> list[str]:
        fed = self.bot.fake.push_update(update)  # the fake learns chats and messages
        coroutine = asyncio.wait_for(self.bot.feed(fed), FEED_TIMEOUT)
        return self.runner.run(coroutine)

    def say(self, chat_id: int, sender: dict[str, Any], text: str) -> list[str]:
        fake = self.bot.fake
        return self.runner.run(self.bot.feed(fake.send_text(chat_id, sender, text)))

    def build(self, hostile: Hostile) -> dict[str, Any]:
        """The update dict: every field PTB needs, the rest as hostile as drawn."""
        fake = self.bot.fake
        chat = fake._ensure_chat(hostile.chat_id, hostile.sender)
        if hostile.kind == "message":
            message: dict[str, Any] = {
                "message_id": fake._next_message_id(hostile.chat_id),
                "chat": dict(chat),
                "date": 1_790_000_000,
                "text": hostile.text,
            }
            if hostile.no_sender:
                message["sender_chat"] = {
                    "id": hostile.chat_id,
                    "type": "supergroup",
                    "title": "x",
                }
            else:
                message["from"] = hostile.sender
            entities = command_entities(hostile.text)
            if entities:
                message["entities"] = entities
            return {"message": message}
        if hostile.kind == "callback":
            message_id = self.bot_messages[hostile.chat_id]
            return fake.press_button(
                hostile.chat_id, message_id, hostile.sender, hostile.data, strict=False
            )
        if hostile.kind == "poll":
            answer: dict[str, Any] = {
                "poll_id": hostile.poll_id,
                "option_ids": hostile.option_ids,
                "option_persistent_ids": [str(i) for i in hostile.option_ids],
            }
            if hostile.no_sender:
                answer["voter_chat"] = {"id": OFFICE_GROUP, "type": "supergroup", "title": "x"}
            else:
                answer["user"] = hostile.sender
            return {"poll_answer": answer}
        change = {
            "chat": dict(chat),
            "from": hostile.sender,
            "date": 1_790_000_000,
            "old_chat_member": odd_member(hostile.sender, hostile.old_status),
            "new_chat_member": odd_member(hostile.sender, hostile.new_status),
        }
        return {"chat_member": change}

    def check_errors(self, what: object) -> None:
        unexpected = [e for e in self.errors if not isinstance(e, UserError)]
        failed = list(self.failed_error_handler)
        self.errors.clear()
        self.failed_error_handler.clear()
        if unexpected:
            trace = "".join(traceback.format_exception(unexpected[0]))[-3000:]
            raise AssertionError(f"{what!r} raised {unexpected!r}\n{trace}")
        assert not failed, f"the error handler failed on {what!r}: {failed[0].getMessage()}"

    def quiz_answers(self) -> int:
        events = self.bot.services.store.month_events(MONTH)
        return sum(1 for event in events if event.kind == "quiz_answer")


class _ErrorHandlerFailures(logging.Handler):
    """PTB logs (and otherwise swallows) an exception raised by an error handler."""

    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("telegram.ext"):
            self.sink.append(record)


@contextmanager
def bot_session(tmp_path: Path, agency: AgencyConfig) -> Iterator[Session]:
    """A bound office group, an unbound group, and a bot message in each chat to press on."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    with FakeBotApi(bot_username=BOT_USERNAME) as fake, asyncio.Runner() as runner:
        for group in (OFFICE_GROUP, UNBOUND_GROUP):
            fake.add_chat(group, title="支部群")
            fake.set_member_status(group, OWNER["id"], "creator")
            fake.set_member_status(group, MEMBER["id"], "member")
        stack = AsyncExitStack()
        harness = runner.run(
            stack.enter_async_context(
                running_bot(fake, tmp_path / "data", agency, clock, admins="1", banks=BANKS)
            )
        )
        # Telegram's flood limits (20 messages a minute per group) are AIORateLimiter's job;
        # hundreds of updates a second would otherwise be paced to a crawl.
        limiter: Any = harness.application.bot.rate_limiter
        limiter._group_max_rate = 0
        limiter._base_limiter = None
        session = Session(runner, harness)
        watcher = _ErrorHandlerFailures(session.failed_error_handler)
        logging.getLogger("telegram.ext").addHandler(watcher)
        try:
            harness.application.add_error_handler(session.spy)
            session.say(OFFICE_GROUP, OWNER, "/bind office")
            for chat, sender in (
                (OFFICE_GROUP, MEMBER),
                (UNBOUND_GROUP, MEMBER),
                (MEMBER["id"], MEMBER),
                (OWNER["id"], OWNER),
                (ADMIN["id"], ADMIN),
                (STRANGER["id"], STRANGER),
            ):
                session.say(chat, sender, "/help")
                sent = [c for c in fake.calls("sendMessage") if c.ok]
                session.bot_messages[chat] = sent[-1].result["message_id"]
            session.check_errors("set-up")
            yield session
        finally:
            logging.getLogger("telegram.ext").removeHandler(watcher)
            runner.run(stack.aclose())


def privileged_binding_change(hostile: Hostile) -> bool:
    """A /bind or /unbind by someone allowed to (the owner in the office group, the admin)."""
    command = re.match(r"/(un)?bind(@party_study_bot)?(\s|$)", hostile.text)
    allowed = hostile.sender.get("id") in (OWNER["id"], ADMIN["id"])
    return hostile.kind == "message" and command is not None and allowed and not hostile.no_sender


# --------------------------------------------------------------------------- properties

ALL_CHATS = (OFFICE_GROUP, UNBOUND_GROUP, MEMBER["id"], OWNER["id"], ADMIN["id"], 9)


def test_random_updates_never_reach_the_error_handler_as_bugs(
    tmp_path: Path, agency: AgencyConfig
) -> None:
    with bot_session(tmp_path, agency) as session:
        store = session.bot.services.store

        @fuzz(300)
        @given(hostile=hostile_update(ALL_CHATS))
        def feed_one(hostile: Hostile) -> None:
            bindings = store.bindings()
            session.feed_raw(session.build(hostile))
            session.check_errors(hostile)
            assert session.quiz_answers() == 0, f"{hostile!r} recorded a quiz answer"
            assert store.study_tasks_of_month(session.bot.services.clock()) == []
            if not privileged_binding_change(hostile):
                assert store.bindings() == bindings, f"{hostile!r} changed the bindings"
            bots = [p.user_id for p in store.people() if p.user_id >= FIRST_BOT_ID]
            assert not bots, f"{hostile!r} stored bot users {bots}"

        feed_one()


def test_garbage_in_an_unbound_group_records_nothing(tmp_path: Path, agency: AgencyConfig) -> None:
    with bot_session(tmp_path, agency) as session:
        store = session.bot.services.store
        people = {p.user_id for p in store.people()}
        bindings = store.bindings()
        events = list(store.month_events(MONTH))

        @fuzz(150)
        @given(hostile=hostile_update((UNBOUND_GROUP,)), garbage=any_text)
        def feed_one(hostile: Hostile, garbage: str) -> None:
            if hostile.kind == "message" and re.match(r"/(join|start)\b", hostile.text):
                hostile.text = garbage  # /join records a name wherever it is sent, by design
            if hostile.kind == "poll":
                hostile.kind = "message"
            session.feed_raw(session.build(hostile))
            session.check_errors(hostile)
            assert {p.user_id for p in store.people()} == people, f"{hostile!r} stored a person"
            assert store.bindings() == bindings, f"{hostile!r} changed the bindings"
            assert list(store.month_events(MONTH)) == events, f"{hostile!r} recorded an event"

        feed_one()


def test_poll_answers_for_unknown_polls_and_odd_options_record_nothing(
    tmp_path: Path, agency: AgencyConfig
) -> None:
    with bot_session(tmp_path, agency) as session:
        session.say(OFFICE_GROUP, OWNER, "/groupquiz basics 3")
        polls = [c.result["poll"]["id"] for c in session.bot.fake.calls("sendPoll") if c.ok]
        assert len(polls) == 3
        session.check_errors("/groupquiz")
        group_quizzes = session.bot.services.store.unfinished_group_quizzes

        @fuzz(100)
        @given(
            poll_id=st.one_of(st.sampled_from(polls), st.text(max_size=12)),
            option_ids=st.lists(
                st.one_of(st.integers(-(2**63), -1), st.integers(4, 2**63)), min_size=1
            ),
            voter=a_user(),
        )
        def vote(poll_id: str, option_ids: list[int], voter: dict[str, Any]) -> None:
            answer = {
                "poll_id": poll_id,
                "user": voter,
                "option_ids": option_ids,
                "option_persistent_ids": [str(i) for i in option_ids],
            }
            session.feed_raw({"poll_answer": answer})
            session.check_errors(answer)
            (quiz,) = group_quizzes(session.bot.services.clock())
            assert all(not q.answers for q in quiz.questions), f"{answer!r} was recorded"

        vote()


# --------------------------------------------------------------------------- bugs found


def test_long_unknown_branch_id_is_still_answered(tmp_path: Path, agency: AgencyConfig) -> None:
    with bot_session(tmp_path, agency) as session:
        text = "/bind " + "x" * 4090  # 4096 characters: a message Telegram delivers
        replies = session.say(OFFICE_GROUP, OWNER, text)
        session.check_errors(text[:20])
        assert replies, "the secretary got no answer at all"


def test_a_bot_cannot_join_a_roster(tmp_path: Path, agency: AgencyConfig) -> None:
    with bot_session(tmp_path, agency) as session:
        other_bot = {"id": FIRST_BOT_ID, "is_bot": True, "first_name": "Spam Bot"}
        session.say(OFFICE_GROUP, other_bot, "/join 李明")
        session.check_errors("/join from a bot")
        roster = {p.user_id for p in session.bot.services.organization.roster("office")}
        assert FIRST_BOT_ID not in roster
