"""Who gets what: every command × every kind of caller × the branch group and a private chat.

The expected outcome of each cell is derived from the command table
(`core.organization.commands.COMMANDS`) and the callers' declared standing, never from what
the bot happens to answer:

* wrong kind of chat → exactly GROUP_ONLY / PRIVATE_ONLY;
* the caller's role there below the command's → exactly NOT_ALLOWED;
* a secretary naming a branch they do not lead → exactly the catalogue's "not yours" text;
* otherwise the command's real answer (and never a refusal).

The world: branch `office` (YAML secretary 501) is bound to OFFICE_GROUP, whose creator is
user 2; branch `policy` is bound to POLICY_GROUP, whose creator (user 6) leads no other branch.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core import messages
from core.organization.branches import ChatUser
from core.organization.commands import COMMANDS, ChatKind, Command
from core.organization.roles import Role
from handlers.organization.guard import not_allowed
from tests.conftest import FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

OFFICE_GROUP = -100111
POLICY_GROUP = -100222
SPARE_GROUP = -100333  # bound to nothing
OFFICE = "办公室党支部"
POLICY = "政策法规处党支部"
MONTH = "2026年11月"
REPORT_MONTH = "2026年10月"  # /report on 2 November is of the month just ended
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部, secretaries: [501]}
  - {id: policy, name: 政策法规处党支部}
"""


@dataclass(frozen=True)
class Caller:
    """Someone sending commands, and what they are by design."""

    key: str
    user: dict[str, Any]
    in_office_group: Role  # their role in the office branch's group
    anywhere: Role  # their highest role, which is what counts in a private chat
    leads_office: bool
    home: str | None  # the branch whose roster they are on before the test starts

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def name(self) -> str:
        return str(self.user["first_name"])


ADMIN = Caller("admin", user(1, "管理员"), Role.ADMIN, Role.ADMIN, True, None)
OWNER = Caller("owner", user(2, "书记"), Role.SECRETARY, Role.SECRETARY, True, OFFICE)
YAML_SECRETARY = Caller(
    "yaml_secretary", user(501, "组织委员"), Role.SECRETARY, Role.SECRETARY, True, None
)
OTHER_SECRETARY = Caller(
    "other_secretary", user(6, "政策书记"), Role.MEMBER, Role.SECRETARY, False, POLICY
)
MEMBER = Caller("member", user(3, "小王"), Role.MEMBER, Role.MEMBER, False, OFFICE)
STRANGER = Caller("stranger", user(4, "路人"), Role.MEMBER, Role.MEMBER, False, None)
CALLERS = (ADMIN, OWNER, YAML_SECRETARY, OTHER_SECRETARY, MEMBER, STRANGER)

# Valid arguments for each command; in private the branch-scoped ones name `office`.
GROUP_TEXT = {
    "join": "/join 张三",
    "bind": "/bind office",
    "groupquiz": "/groupquiz basics 2",
    "leave": "/leave 小王 2026-11 病假",
}
PRIVATE_TEXT = {
    "join": "/join 张三",
    "quiz": "/quiz basics 1",
    "bind": "/bind office",
    "roster": "/roster office",
    "report": "/report office",
    "export": "/export office",
    "leave": "/leave 小王 2026-11 病假",
}
NOT_YOURS = {
    "roster": messages.ROSTER_NOT_YOURS,
    "report": messages.REPORT_NOT_YOURS,
    "export": messages.REPORT_NOT_YOURS,
}

# Cells where the bot gives someone what is not theirs: (command, caller, chat) → reason.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


def command_text(entry: Command, private: bool) -> str:
    table = PRIVATE_TEXT if private else GROUP_TEXT
    return table.get(entry.name, f"/{entry.name}")


def refusal(entry: Command, caller: Caller, private: bool) -> str | None:
    """The exact refusal the table promises this caller here, or None if they may use it."""
    if entry.where is ChatKind.GROUP and private:
        return messages.GROUP_ONLY.format(command=entry.name)
    if entry.where is ChatKind.PRIVATE and not private:
        return messages.PRIVATE_ONLY.format(command=entry.name)
    role = caller.anywhere if private else caller.in_office_group
    if role < entry.role:
        return not_allowed(entry.name, entry.role, caller.id)
    if private and entry.name in NOT_YOURS and not caller.leads_office:
        return NOT_YOURS[entry.name].format(branch=OFFICE)
    return None


def help_text(role: Role, private: bool) -> str:
    lines = [messages.HELP_HEADER]
    for entry in COMMANDS:
        if entry.role <= role and entry.where.allows(private):
            args = f" {entry.args}" if entry.args else ""
            lines.append(
                messages.HELP_LINE.format(
                    command=entry.name, args=args, description=entry.description
                )
            )
    return "\n".join(lines)


# --- the world


@pytest.fixture(scope="module", autouse=True)
def one_ssl_context() -> Iterator[None]:
    """Every Application builds two httpx clients, each loading the CA bundle (~20 ms).

    The fake Bot API speaks plain HTTP, so sharing one context keeps a fresh Application
    per cell affordable (the matrix would otherwise spend most of its time in OpenSSL).
    """
    cached = functools.cache(ssl.create_default_context)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ssl, "create_default_context", cached)
        yield


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    """One fake Bot API for the module: its chats and members never change here."""
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.add_chat(POLICY_GROUP, title="政策法规处群")
        server.add_chat(SPARE_GROUP, title="新建的群")
        server.set_member_status(OFFICE_GROUP, OWNER.id, "creator")
        server.set_member_status(POLICY_GROUP, OTHER_SECRETARY.id, "creator")
        server.set_member_status(SPARE_GROUP, MEMBER.id, "creator")
        for group in (OFFICE_GROUP, POLICY_GROUP, SPARE_GROUP):  # it sees every message
            server.set_member_status(group, server.bot_id, "administrator")
        for caller in (MEMBER, YAML_SECRETARY, OTHER_SECRETARY):
            server.set_member_status(OFFICE_GROUP, caller.id, "member")
        for caller in (OWNER, YAML_SECRETARY, MEMBER):
            server.set_member_status(POLICY_GROUP, caller.id, "member")
        yield server


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path / "config", SCHEDULES)


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, config_dir: Path
) -> AsyncIterator[BotHarness]:
    async with running_bot_from_config(
        fake, tmp_path / "data", config_dir, clock, admins=str(ADMIN.id)
    ) as harness:
        organization = harness.services.organization
        organization.bind(OFFICE_GROUP, "办公室党支部群", "office", role=Role.ADMIN, actor=1)
        organization.bind(POLICY_GROUP, "政策法规处群", "policy", role=Role.ADMIN, actor=1)
        for caller, group in ((OWNER, OFFICE_GROUP), (MEMBER, OFFICE_GROUP)):
            organization.seen_in_group(group, ChatUser(caller.id, caller.name, None))
        organization.seen_in_group(
            POLICY_GROUP, ChatUser(OTHER_SECRETARY.id, OTHER_SECRETARY.name, None)
        )
        yield harness


# --- looking at what was sent


def sent_since(bot: BotHarness, since: int, chat_id: int) -> list[dict[str, Any]]:
    """Parameters of everything successfully sent to `chat_id` after request `since`."""
    return [
        call.params
        for call in bot.fake.requests[since:]
        if call.ok
        and call.method in ("sendMessage", "sendPhoto", "sendDocument", "sendPoll")
        and call.params.get("chat_id") == chat_id
    ]


def texts_since(bot: BotHarness, since: int, chat_id: int) -> list[str]:
    return [
        str(params.get("text") or params.get("caption") or params.get("question") or "")
        for params in sent_since(bot, since, chat_id)
    ]


def documents_since(bot: BotHarness, since: int, chat_id: int) -> list[str]:
    return [
        str(params["document"]["filename"])
        for params in sent_since(bot, since, chat_id)
        if "document" in params
    ]


def produced_anything(bot: BotHarness, since: int) -> bool:
    """Whether a report, export or quiz went out anywhere (refusals must produce none)."""
    methods = ("sendPhoto", "sendDocument", "sendPoll")
    return any(call.method in methods for call in bot.fake.requests[since:])


def bound_branches(bot: BotHarness) -> dict[str, int]:
    return {b.branch_id: b.chat_id for b in bot.services.store.bindings()}


# --- the real answer of each command


def check_answer(
    bot: BotHarness,
    entry: Command,
    caller: Caller,
    private: bool,
    replies: list[str],
    since: int,
) -> None:
    """Assert the allowed command did its job for this caller (not a refusal)."""
    chat_id = caller.id if private else OFFICE_GROUP
    texts = texts_since(bot, since, chat_id)
    role = caller.anywhere if private else caller.in_office_group
    name = entry.name
    if name == "start":
        assert replies == [messages.WELCOME.format(name=caller.name)]
    elif name == "help":
        assert replies == [help_text(role, private)]
    elif name == "join":
        if private:
            assert replies == [messages.JOIN_DONE.format(name="张三")]
        else:
            assert replies == [messages.JOIN_DONE_IN_BRANCH.format(name="张三", branch=OFFICE)]
    elif name == "quiz":
        assert len(replies) == 1 and replies[0].startswith("第 1/1 题")
    elif name == "review":
        assert replies == [messages.REVIEW_EMPTY]
    elif name in ("me", "top"):
        branch = OFFICE if not private else caller.home
        if branch is None:
            assert replies == [messages.ME_NO_BRANCH]
        elif name == "me":
            assert len(replies) == 1 and replies[0].startswith(f"{caller.name} 本月情况\n")
        else:
            header = messages.TOP_HEADER.format(branch=branch, month=MONTH)
            assert replies == [f"{header}\n{messages.TOP_EMPTY}"]
    elif name == "rules":
        assert len(replies) == 1 and replies[0].startswith(f"{messages.RULES_HEADER}\n")
    elif name == "bind":
        assert replies == [messages.BIND_ALREADY.format(branch=OFFICE)]
        assert bound_branches(bot) == {"office": OFFICE_GROUP, "policy": POLICY_GROUP}
    elif name == "unbind":
        assert replies[0] == messages.UNBIND_DONE.format(branch=OFFICE)
        # and the admins who can be reached privately are told who unbound which group
        assert all("解除了与“办公室党支部”（office）的绑定" in text for text in replies[1:])
        assert bound_branches(bot) == {"policy": POLICY_GROUP}
    elif name == "roster":
        on_roster = {OWNER.id, MEMBER.id} | (set() if private else {caller.id})
        header = messages.ROSTER_HEADER.format(branch=OFFICE, count=len(on_roster))
        assert len(replies) == 1 and replies[0].startswith(header + "\n")
    elif name == "meeting":
        assert replies == [messages.MEETING_PICK_KIND]
    elif name == "rollcall":
        assert len(replies) == 1 and replies[0].startswith(f"📋 {OFFICE}报到\n")
    elif name == "leave":
        if private and not caller.leads_office:  # their own branch has no 小王
            assert replies == [messages.LEAVE_UNKNOWN_NAME.format(name="小王", names="政策书记")]
        else:
            done = messages.LEAVE_DONE.format(
                name="小王", first="2026-11-01", last="2026-11-30", reason="病假"
            )
            assert replies == [done]
    elif name == "groupquiz":
        assert texts[0].startswith(f"📝 {OFFICE}知识测验")
        assert len([p for p in sent_since(bot, since, chat_id) if "question" in p]) == 2
    elif name == "report":
        header = messages.REPORT_HEADER.format(branch=OFFICE, month=REPORT_MONTH)
        assert any(text.startswith(header + "\n") for text in texts), texts
    elif name == "export":
        assert documents_since(bot, since, chat_id) == [f"{OFFICE}-2026-11.xlsx"]
    elif name == "branches":
        assert len(replies) == 1
        assert replies[0].startswith(messages.BRANCHES_HEADER.format(count=2) + "\n")
    elif name == "stats":
        scope = messages.STATS_SCOPE_ALL
        assert replies == [messages.STATS_EMPTY.format(month=MONTH, scope=scope)]
    elif name == "reload":
        assert len(replies) == 1 and replies[0].startswith("✅ 配置已重新加载并立即生效：2 个支部")
    elif name == "template":
        assert documents_since(bot, since, chat_id) == ["题库模板.xlsx"]
    else:  # a command added to the table must be added here too
        pytest.fail(f"no expected answer for /{name}")


def matrix() -> list[Any]:
    cells = []
    for entry in COMMANDS:
        for caller in CALLERS:
            for chat in ("group", "private"):
                marks = []
                reason = KNOWN_BUGS.get((entry.name, caller.key, chat))
                if reason is not None:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                cell_id = f"{entry.name}-{caller.key}-{chat}"
                cells.append(pytest.param(entry, caller, chat, marks=marks, id=cell_id))
    return cells


@pytest.mark.parametrize(("entry", "caller", "chat"), matrix())
async def test_access_matrix(bot: BotHarness, entry: Command, caller: Caller, chat: str) -> None:
    private = chat == "private"
    chat_id = caller.id if private else OFFICE_GROUP
    bindings = bound_branches(bot)
    since = len(bot.fake.requests)
    replies = await bot.say(chat_id, caller.user, command_text(entry, private))
    refused = refusal(entry, caller, private)
    if refused is None:
        check_answer(bot, entry, caller, private, replies, since)
        assert not any(text.startswith("抱歉，/") for text in replies), replies
    else:
        assert replies == [refused]
        assert not produced_anything(bot, since)
        assert bound_branches(bot) == bindings


def test_the_matrix_covers_every_command_and_both_chats() -> None:
    cells = matrix()
    assert len(cells) == len(COMMANDS) * len(CALLERS) * 2
    assert {c.values[0].name for c in cells} == {entry.name for entry in COMMANDS}


# --- branch scope: a group acts only on its own branch


async def test_commands_in_another_branchs_group_act_on_that_branch(bot: BotHarness) -> None:
    leader = OTHER_SECRETARY.user
    since = len(bot.fake.requests)
    await bot.say(POLICY_GROUP, leader, "/report 本月")
    header = messages.REPORT_HEADER.format(branch=POLICY, month=MONTH)
    assert any(t.startswith(header + "\n") for t in texts_since(bot, since, POLICY_GROUP))
    assert sent_since(bot, since, OFFICE_GROUP) == []

    since = len(bot.fake.requests)
    await bot.say(POLICY_GROUP, leader, "/export")
    assert documents_since(bot, since, POLICY_GROUP) == [f"{POLICY}-2026-11.xlsx"]

    roster = await bot.say(POLICY_GROUP, leader, "/roster office")
    assert roster == [policy_roster()]

    since = len(bot.fake.requests)
    await bot.say(POLICY_GROUP, leader, "/groupquiz basics 1")
    assert texts_since(bot, since, POLICY_GROUP)[0].startswith(f"📝 {POLICY}知识测验")
    assert sent_since(bot, since, OFFICE_GROUP) == []

    top = await bot.say(POLICY_GROUP, MEMBER.user, "/top")
    assert top == [
        f"{messages.TOP_HEADER.format(branch=POLICY, month=MONTH)}\n{messages.TOP_EMPTY}"
    ]
    joined = await bot.say(POLICY_GROUP, STRANGER.user, "/join 张三")
    assert joined == [messages.JOIN_DONE_IN_BRANCH.format(name="张三", branch=POLICY)]

    unbound = await bot.say(POLICY_GROUP, leader, "/unbind")
    assert unbound[0] == messages.UNBIND_DONE.format(branch=POLICY)
    assert all("解除了与“政策法规处党支部”" in text for text in unbound[1:])  # to the admins
    assert bound_branches(bot) == {"office": OFFICE_GROUP}


@pytest.mark.parametrize("caller", [ADMIN, OTHER_SECRETARY], ids=lambda c: c.key)
@pytest.mark.parametrize("command", ["report", "export"])
async def test_a_group_cannot_show_another_branch(
    bot: BotHarness, caller: Caller, command: str
) -> None:
    since = len(bot.fake.requests)
    replies = await bot.say(POLICY_GROUP, caller.user, f"/{command} office")
    assert replies == [messages.REPORT_OTHER_BRANCH.format(command=command)]
    assert not produced_anything(bot, since)


@pytest.mark.parametrize("caller", [OWNER, YAML_SECRETARY], ids=lambda c: c.key)
@pytest.mark.parametrize(
    "command",
    [c.name for c in COMMANDS if c.role is Role.SECRETARY and c.where is not ChatKind.PRIVATE],
)
async def test_office_leaders_are_members_in_the_policy_group(
    bot: BotHarness, caller: Caller, command: str
) -> None:
    since = len(bot.fake.requests)
    text = "/bind policy" if command == "bind" else f"/{command}"
    replies = await bot.say(POLICY_GROUP, caller.user, text)
    assert replies == [not_allowed(command, Role.SECRETARY, caller.id)]
    assert not produced_anything(bot, since)
    assert bound_branches(bot) == {"office": OFFICE_GROUP, "policy": POLICY_GROUP}


# --- branch scope: in private, only the branches one leads


@pytest.mark.parametrize("caller", [OWNER, YAML_SECRETARY], ids=lambda c: c.key)
@pytest.mark.parametrize("command", ["roster", "report", "export"])
async def test_office_leaders_cannot_see_policy_in_private(
    bot: BotHarness, caller: Caller, command: str
) -> None:
    since = len(bot.fake.requests)
    replies = await bot.say(caller.id, caller.user, f"/{command} policy")
    assert replies == [NOT_YOURS[command].format(branch=POLICY)]
    assert not produced_anything(bot, since)


@pytest.mark.parametrize("command", ["report", "export"])
async def test_without_a_branch_a_secretary_gets_only_their_own(
    bot: BotHarness, command: str
) -> None:
    caller = OTHER_SECRETARY
    since = len(bot.fake.requests)
    await bot.say(caller.id, caller.user, f"/{command}")
    if command == "report":
        header = messages.REPORT_HEADER.format(branch=POLICY, month=REPORT_MONTH)
        assert any(t.startswith(header + "\n") for t in texts_since(bot, since, caller.id))
    else:
        assert documents_since(bot, since, caller.id) == [f"{POLICY}-2026-11.xlsx"]
    assert OFFICE not in "".join(texts_since(bot, since, caller.id))


def policy_roster() -> str:
    """/roster of the policy branch: its secretary alone, of the group's 4 people."""
    return "\n".join(
        [
            f"{POLICY}名单（共 1 人）：",
            "1. 政策书记（未登记姓名）",
            messages.ROSTER_NO_LIST,
            messages.ROSTER_GROUP_GAP.format(members=4, reported=1),
        ]
    )


async def test_an_admin_may_name_any_branch_in_private(bot: BotHarness) -> None:
    assert await bot.say(ADMIN.id, ADMIN.user, "/roster policy") == [policy_roster()]
    since = len(bot.fake.requests)
    await bot.say(ADMIN.id, ADMIN.user, "/export policy")
    assert documents_since(bot, since, ADMIN.id) == [f"{POLICY}-2026-11.xlsx"]


# --- binding a group that is not bound yet


async def test_binding_an_unbound_group(bot: BotHarness) -> None:
    # A plain member of the new group may not bind it.
    refused = await bot.say(SPARE_GROUP, OWNER.user, "/bind office")
    assert refused == [not_allowed("bind", Role.SECRETARY, OWNER.id)]
    # Its creator may not take over a branch already bound elsewhere.
    taken = await bot.say(SPARE_GROUP, MEMBER.user, "/bind office")
    assert taken == [messages.BIND_BRANCH_TAKEN.format(branch=OFFICE, branch_id="office")]
    assert bound_branches(bot) == {"office": OFFICE_GROUP, "policy": POLICY_GROUP}
    # A bot admin may move it.
    moved = await bot.say(SPARE_GROUP, ADMIN.user, "/bind office")
    assert moved[0] == messages.BIND_MOVED.format(branch=OFFICE, old_chat="办公室党支部群")
    to_admins, roll_call = moved[1:-1], moved[-1]
    assert to_admins and all("改绑到群“新建的群”" in text for text in to_admins)
    assert roll_call.startswith(f"📋 {OFFICE}报到\n")
    assert bound_branches(bot) == {"office": SPARE_GROUP, "policy": POLICY_GROUP}


async def test_owning_some_group_does_not_open_an_unbound_branch(bot: BotHarness) -> None:
    await bot.say(POLICY_GROUP, OTHER_SECRETARY.user, "/unbind")
    # MEMBER created SPARE_GROUP, but policy has a retained roster: only trusted people rebind it.
    assert await bot.say(SPARE_GROUP, MEMBER.user, "/bind policy") == [
        messages.BIND_NEEDS_TRUST.format(branch=POLICY)
    ]
    assert "policy" not in bound_branches(bot)
    # A member of office leads nothing, whatever unbound group they own.
    assert await bot.say(MEMBER.id, MEMBER.user, "/roster policy") == [
        not_allowed("roster", Role.SECRETARY, MEMBER.id)
    ]
