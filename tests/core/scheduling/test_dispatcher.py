"""The scheduler engine with a clock the test moves: a month of pushes in well under a second."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core import messages
from core.config.agency import AgencyConfig, parse_agency_config
from core.config.yaml_loader import parse_yaml_text
from core.dates.workdays import WorkCalendar
from core.delivery import Button, ChatGone, ChatMoved, DeliveryError, MaybeDelivered, TryLater
from core.organization.branches import ChatUser, Notice, Organization
from core.scheduling.dispatcher import RESEND_PREFIX, Dispatcher
from core.store.database import Store
from core.store.records import Binding
from tests.conftest import SHANGHAI, FakeClock

CONFIG = """
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部, secretaries: [900]}
  - {id: policy, name: 政策法规处党支部}
schedules:
  - id: theme-day
    title: 主题党日提醒
    when: {monthly: {day: 1, at: "09:00"}}
    holidays: next_workday
    to: all
    prompt: "{branch}：请于{month}月内召开主题党日。"
  - id: study
    when: {monthly: {day: 5, at: "09:30"}}
    to: [office]
    study: {title: 学习条例第一章, body: 请学习总则。, link: "https://www.12371.cn/",
            due_days: 10, remind_before_days: 2}
"""
OFFICE_CHAT, POLICY_CHAT = -1001, -1002


@dataclass
class Sent:
    chat_id: int
    text: str
    buttons: Sequence[Button] = ()
    html: bool = False
    reply_to: int | None = None


@dataclass
class FakeMessenger:
    """Records what would reach Telegram; fails on demand."""

    sent: list[Sent] = field(default_factory=list)
    edits: list[Sent] = field(default_factory=list)
    failures: dict[int, list[DeliveryError]] = field(default_factory=dict)
    admins: dict[int, list[int]] = field(default_factory=dict)
    reachable: set[int] = field(default_factory=set)

    async def wait_turn(self, chat_id: int) -> None:
        return None

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        pending = self.failures.get(chat_id)
        if pending:
            raise pending.pop(0)
        if chat_id > 0 and chat_id not in self.reachable:
            raise ChatGone("bot can't initiate conversation with a user")
        self.sent.append(Sent(chat_id, text, buttons, html, reply_to))
        return len(self.sent)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
    ) -> None:
        self.edits.append(Sent(chat_id, text, buttons, html))

    async def group_admin_ids(self, chat_id: int) -> list[int]:
        return self.admins.get(chat_id, [])

    def texts(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]


def config() -> AgencyConfig:
    return parse_agency_config(parse_yaml_text(CONFIG.encode(), "schedules.yaml"), "x")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI))


@pytest.fixture
def org(store: Store, clock: FakeClock) -> Organization:
    organization = Organization(store, config(), clock)
    store.bind(Binding("office", OFFICE_CHAT, "办公室群", clock()))
    store.bind(Binding("policy", POLICY_CHAT, "政策群", clock()))
    return organization


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


def dispatcher(org: Organization, messenger: FakeMessenger, clock: FakeClock) -> Dispatcher:
    return Dispatcher(org, messenger, WorkCalendar(), clock, SHANGHAI)


async def run_until(
    engine: Dispatcher, clock: FakeClock, end: datetime, step: timedelta
) -> list[str]:
    notices = []
    while clock.now < end:
        clock.now = min(clock.now + step, end)
        notices += [n.text for n in await engine.tick()]
    return notices


async def test_a_month_of_pushes_lands_on_workdays_exactly_once(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    engine = dispatcher(org, messenger, clock)
    notices = await run_until(
        engine, clock, datetime(2026, 11, 2, 18, 0, tzinfo=SHANGHAI), timedelta(minutes=30)
    )
    # No secretary can be reached privately, so the study summary is posted in the group,
    # as a reply to the task, and the admins hear nothing.
    assert notices == []
    office = messenger.texts(OFFICE_CHAT)
    assert office[0] == "办公室党支部：请于10月内召开主题党日。"
    assert office[1].startswith("📖 10月理论学习：学习条例第一章")
    office_messages = [m for m in messenger.sent if m.chat_id == OFFICE_CHAT]
    assert office[2] == (
        '<a href="tg://user?id=900">书记</a>：机器人无法私聊您，只能发在群里'
        "（请私聊机器人发送 /start，"
        "以后就会私下发给您）。\n\n"
        "📋 办公室党支部学习任务“学习条例第一章”已截止。\n已完成 0 人：无\n未完成 0 人：无"
    )
    assert office_messages[2].reply_to == messenger.sent.index(office_messages[1]) + 1
    assert office[3] == "办公室党支部：请于11月内召开主题党日。"
    assert messenger.texts(POLICY_CHAT) == [
        "政策法规处党支部：请于10月内召开主题党日。",
        "政策法规处党支部：请于11月内召开主题党日。",
    ]
    october = org.store.push(
        "theme-day/office/2026-10-01T09:00", datetime(2026, 10, 1, tzinfo=SHANGHAI)
    )
    assert october is not None and october.status == "sent"
    assert october.actual == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)  # after National Day


async def test_a_restarted_dispatcher_does_not_send_again(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    end = datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI)
    await run_until(dispatcher(org, messenger, clock), clock, end, timedelta(hours=1))
    sent_before = len(messenger.sent)
    restarted = dispatcher(org, messenger, clock)
    assert await restarted.recover() == []
    await restarted.tick()
    assert len(messenger.sent) == sent_before == 3


async def test_pushes_due_while_down_are_caught_up_or_reported(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    engine = dispatcher(org, messenger, clock)
    await engine.tick()  # alive on 2026-09-30 08:00
    clock.now = datetime(2026, 10, 8, 20, 0, tzinfo=SHANGHAI)  # down until 11 hours after 09:00
    await engine.tick()
    assert len(messenger.texts(POLICY_CHAT)) == 1
    clock.now = datetime(2026, 11, 2, 22, 0, tzinfo=SHANGHAI)  # down 13 hours past the next one
    assert await engine.tick() == []  # quiet hours: not even the admins are told until 08:00
    clock.now = datetime(2026, 11, 3, 8, 0, tzinfo=SHANGHAI)
    notices = [n.text for n in await engine.tick() if "停机" in n.text]
    assert len(messenger.texts(POLICY_CHAT)) == 1
    assert len(notices) == 1 and notices[0].startswith("⚠️ 机器人停机期间错过了以下推送")
    assert "政策法规处党支部 2026-11-02 09:00 主题党日提醒" in notices[0]  # its title
    assert await engine.tick() == []  # reported once


DIGEST_FOOTER = (
    "请支部书记在本支部群里发送 /bind 支部ID。暂时不用机器人的支部，可点下面的按钮暂停推送，"
    "以后在 /branches 里恢复。这份清单每天最多发一次。"
)


async def test_pushes_to_an_unbound_branch_come_as_one_digest_a_day(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    org.store.unbind("policy")
    org.store.unbind("office")
    engine = dispatcher(org, messenger, clock)
    notices = await run_until(
        engine, clock, datetime(2026, 10, 9, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    # Both branches' 09:00 pushes of 8 October in one message; the study push of 09:30
    # (it has no title: named by its id) waits for the next day's digest.
    assert notices == [
        "⚠️ 以下支部尚未绑定群，这些推送未能发出：\n"
        "· 办公室党支部（office）：主题党日提醒（10-08 09:00）\n"
        "· 政策法规处党支部（policy）：主题党日提醒（10-08 09:00）\n" + DIGEST_FOOTER,
        "⚠️ 以下支部尚未绑定群，这些推送未能发出：\n"
        "· 办公室党支部（office）：study（10-08 09:30）\n" + DIGEST_FOOTER,
    ]
    assert messenger.sent == []
    assert org.store.last_unbound_digest() == datetime(2026, 10, 9, 8, 0, tzinfo=SHANGHAI)
    unbound = org.store.pushes_with_status("unbound", clock())
    assert sorted((p.schedule_id, p.branch_id) for p in unbound) == [
        ("study", "office"), ("theme-day", "office"), ("theme-day", "policy"),
    ]  # fmt: skip


class TickingClock(FakeClock):
    """A clock that moves a millisecond each time it is read, as a real one does."""

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


async def test_a_push_is_in_one_digest_only_with_a_clock_that_moves(
    org: Organization, messenger: FakeMessenger
) -> None:
    org.store.unbind("policy")
    clock = TickingClock(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    engine = dispatcher(org, messenger, clock)
    assert len(digests(await engine.tick())) == 1
    clock.now = datetime(2026, 10, 9, 8, 0, tzinfo=SHANGHAI)  # a new day, nothing new
    assert digests(await engine.tick()) == []


async def test_the_digest_offers_to_pause_each_branch_and_waits_out_the_night(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    org.store.unbind("policy")
    engine = dispatcher(org, messenger, clock)
    clock.now = datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    (digest,) = await engine.tick()
    line = "· 政策法规处党支部（policy）：主题党日提醒（10-08 09:00）"
    assert digest.text.splitlines()[1] == line
    assert [(b.label, b.data) for b in digest.buttons] == [
        ("暂停该支部推送：政策法规处党支部", "pushes:pause:policy")
    ]
    # The next push goes unbound on 2 November at 09:00; the day's digest goes with it.
    clock.now = datetime(2026, 11, 2, 8, 59, tzinfo=SHANGHAI)
    assert digests(await engine.tick()) == []
    clock.now = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    (digest,) = digests(await engine.tick())
    assert "主题党日提醒（11-02 09:00）" in digest.text and "10-08" not in digest.text
    # Nothing is reported inside quiet hours (21:00–08:00), even on a new day.
    (record,) = org.store.pushes_with_status("unbound", clock())
    late = datetime(2026, 11, 2, 23, 0, tzinfo=SHANGHAI)  # as if it went unbound at night
    org.store.save_push(replace(record, updated_at=late))
    clock.now = datetime(2026, 11, 3, 7, 0, tzinfo=SHANGHAI)
    assert digests(await engine.tick()) == []
    clock.now = datetime(2026, 11, 3, 8, 0, tzinfo=SHANGHAI)
    assert len(digests(await engine.tick())) == 1


def digests(notices: list[Notice]) -> list[Notice]:
    return [n for n in notices if n.text.startswith("⚠️ 以下支部尚未绑定群")]


async def test_a_paused_branch_gets_no_pushes_and_no_digest_until_resumed(
    org: Organization, messenger: FakeMessenger, clock: FakeClock, tmp_path: Path
) -> None:
    assert org.store.set_pushes_paused("policy", True)
    assert not org.store.set_pushes_paused("policy", True)  # a second press changes nothing
    engine = dispatcher(org, messenger, clock)
    notices = await run_until(
        engine, clock, datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    assert notices == [] and messenger.texts(POLICY_CHAT) == []  # bound, but paused
    (paused,) = org.store.pushes_with_status("paused", clock())
    assert paused.branch_id == "policy"
    on_disk = Store(tmp_path / "data", SHANGHAI, read_only=True, clock=clock)
    assert on_disk.paused_branches() == frozenset({"policy"})  # what a restart reads
    on_disk.close()
    assert org.store.set_pushes_paused("policy", False)
    await run_until(
        engine, clock, datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    assert messenger.texts(POLICY_CHAT) == ["政策法规处党支部：请于11月内召开主题党日。"]


async def test_kicked_bot_unbinds_the_branch(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    messenger.failures[POLICY_CHAT] = [ChatGone("bot was kicked")]
    engine = dispatcher(org, messenger, clock)
    notices = await run_until(
        engine, clock, datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    assert org.store.binding_for_branch("policy") is None
    assert any("机器人已被移出“政策法规处党支部”的群" in n for n in notices)


async def test_migrated_group_is_followed_and_served(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    messenger.failures[POLICY_CHAT] = [ChatMoved(-100777)]
    engine = dispatcher(org, messenger, clock)
    await run_until(
        engine, clock, datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    assert messenger.texts(-100777) == ["政策法规处党支部：请于10月内召开主题党日。"]


async def test_try_later_is_retried_and_maybe_delivered_is_not(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    messenger.failures[POLICY_CHAT] = [TryLater("flood"), TryLater("network")]
    messenger.failures[OFFICE_CHAT] = [MaybeDelivered("timed out")]
    engine = dispatcher(org, messenger, clock)
    notices = await run_until(
        engine, clock, datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    assert messenger.texts(POLICY_CHAT) == ["政策法规处党支部：请于10月内召开主题党日。"]
    assert [t for t in messenger.texts(OFFICE_CHAT) if "主题党日" in t] == []
    assert any(n.startswith("⚠️ 以下推送发送时机器人中断或超时") for n in notices)


class Crash(BaseException):
    """The process dying in the middle of a send."""


class CrashingMessenger(FakeMessenger):
    async def send(self, chat_id: int, text: str, **kwargs: object) -> int:
        raise Crash


async def crash_mid_send(org: Organization, clock: FakeClock) -> None:
    """The 2026-10-08 theme day is claimed, then the process dies before it is sent."""
    clock.now = datetime(2026, 10, 8, 9, 5, tzinfo=SHANGHAI)
    with pytest.raises(Crash):
        await dispatcher(org, CrashingMessenger(), clock).tick()


async def test_a_crash_mid_send_is_reported_as_uncertain_not_resent(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    await crash_mid_send(org, clock)
    restarted = dispatcher(org, messenger, clock)
    notices = [n.text for n in await restarted.recover()]
    assert len(notices) == 1 and "无法确认是否送达" in notices[0]
    await restarted.tick()
    sent_theme_days = [s for s in messenger.sent if "主题党日" in s.text]
    assert len(sent_theme_days) == 1  # the crashed one is not resent; the other branch's is


async def test_an_admin_resends_an_uncertain_push_once(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    await crash_mid_send(org, clock)
    restarted = dispatcher(org, messenger, clock)
    (notice,) = await restarted.recover()
    (button,) = notice.buttons
    assert button.label == "补发：办公室党支部 2026-10-08 09:00 主题党日提醒"
    assert len(button.data.encode()) <= 64  # Telegram's limit for callback data
    token = button.data.removeprefix(RESEND_PREFIX)

    assert (await restarted.resend(token)).text == "✅ 已补发到办公室党支部。"
    assert (await restarted.resend(token)).text == "这条推送已经补发过，或已不在计划中，无需再发。"
    assert (await restarted.resend("2026xx-forged")).text == messages.RESEND_GONE
    assert messenger.texts(OFFICE_CHAT) == ["办公室党支部：请于10月内召开主题党日。"]
    await restarted.tick()  # the round does not send it again either
    assert messenger.texts(OFFICE_CHAT) == ["办公室党支部：请于10月内召开主题党日。"]


async def test_a_resend_that_fails_or_times_out_can_be_pressed_again(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    messenger.failures[OFFICE_CHAT] = [
        MaybeDelivered("timed out"),
        TryLater("network"),
        MaybeDelivered("timed out again"),
    ]
    clock.now = datetime(2026, 10, 8, 9, 5, tzinfo=SHANGHAI)
    engine = dispatcher(org, messenger, clock)
    (notice,) = [n for n in await engine.tick() if n.buttons]
    token = notice.buttons[0].data.removeprefix(RESEND_PREFIX)
    assert (await engine.resend(token)).text == "Telegram 暂时发不出去，请过几分钟再点一次补发。"
    unsure_again = await engine.resend(token)
    assert unsure_again.buttons == notice.buttons  # the admin checks again, then presses
    assert (await engine.resend(token)).text == "✅ 已补发到办公室党支部。"
    assert messenger.texts(OFFICE_CHAT) == ["办公室党支部：请于10月内召开主题党日。"]


async def test_resending_a_study_task_keeps_who_finished_it(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    zhang = ChatUser(11, "张三")
    org.seen_in_group(OFFICE_CHAT, zhang)
    engine = dispatcher(org, messenger, clock)
    await run_until(
        engine, clock, datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    messenger.failures[OFFICE_CHAT] = [MaybeDelivered("timed out")]
    clock.now = datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI)  # the study task falls due
    (notice,) = [n for n in await engine.tick() if n.buttons]
    (task,) = org.store.study_tasks_of_month(clock.now)
    engine.study.complete(task.id, zhang)  # the first message did arrive after all

    resent = await engine.resend(notice.buttons[0].data.removeprefix(RESEND_PREFIX))
    assert resent.text == "✅ 已补发到办公室党支部。"
    assert messenger.sent[-1].text.endswith("已完成 1/1")
    (task,) = org.store.study_tasks_of_month(clock.now)
    assert list(task.done) == [11]


async def test_a_study_task_resent_to_a_new_group_follows_it(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    engine = dispatcher(org, messenger, clock)
    await run_until(
        engine, clock, datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    messenger.failures[OFFICE_CHAT] = [MaybeDelivered("timed out")]
    clock.now = datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI)
    (notice,) = [n for n in await engine.tick() if n.buttons]
    org.store.bind(Binding("office", -1009, "办公室新群", clock()))  # rebound meanwhile
    await engine.resend(notice.buttons[0].data.removeprefix(RESEND_PREFIX))
    (task,) = org.store.study_tasks_of_month(clock.now)
    assert (task.chat_id, messenger.sent[-1].chat_id) == (-1009, -1009)  # edits go there too


async def test_study_task_counts_reminds_and_summarizes(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    zhang, li, wang = ChatUser(11, "张三"), ChatUser(12, "李四"), ChatUser(13, "王五")
    for person in (zhang, li, wang):
        org.seen_in_group(OFFICE_CHAT, person)
    org.register_private_chat(li)
    org.register_private_chat(ChatUser(900, "书记"))
    messenger.reachable |= {12, 900}
    engine = dispatcher(org, messenger, clock)
    await run_until(
        engine, clock, datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    task_message = next(s for s in messenger.sent if s.text.startswith("📖"))
    # Ten days after 10-08 is Sunday 10-18: the task is due on Monday.
    assert task_message.text.endswith("截止时间：10月19日 09:30\n已完成 0/3")
    task_id = task_message.buttons[0].data.removeprefix("study:")

    assert engine.study.complete(task_id, zhang).newly_done
    assert not engine.study.complete(task_id, zhang).newly_done
    await engine.tick()
    assert messenger.edits[-1].text.endswith("已完成 1/3")

    await run_until(
        engine, clock, datetime(2026, 10, 16, 10, 0, tzinfo=SHANGHAI), timedelta(hours=6)
    )
    reminders = [s for s in messenger.sent if s.text.startswith("⏰ 学习提醒")]
    reminder = next(s for s in reminders if s.chat_id == OFFICE_CHAT)
    assert reminder.html and reminder.text == (
        "⏰ 学习提醒：“学习条例第一章”将于 10月19日 09:30 截止。截至10月16日，以下同志尚未学完：\n"
        '<a href="tg://user?id=12">李四</a>、<a href="tg://user?id=13">王五</a>\n'
        "学完后请点下面的“学完了”。"
    )
    # A reply to the task, with its 学完了 (a press there counts for the task).
    assert reminder.reply_to == messenger.sent.index(task_message) + 1  # its message id
    assert list(reminder.buttons) == list(task_message.buttons)
    (private,) = [s for s in reminders if s.chat_id != OFFICE_CHAT]
    assert private.chat_id == 12
    assert private.text == (
        "⏰ 学习提醒：办公室党支部的学习任务“学习条例第一章”将于 10月19日 09:30 截止，"
        "您还没有点“学完了”。学完后请点下面的按钮。"
    )
    read = Button("📄 阅读原文", url="https://www.12371.cn/")
    assert list(private.buttons) == [*task_message.buttons, read]

    await run_until(
        engine, clock, datetime(2026, 10, 19, 10, 0, tzinfo=SHANGHAI), timedelta(hours=6)
    )
    summaries = [s for s in messenger.sent if s.text.startswith("📋")]
    assert [s.chat_id for s in summaries] == [900]
    assert summaries[0].text == (
        "📋 办公室党支部学习任务“学习条例第一章”已截止。\n"
        "已完成 1 人：张三\n未完成 2 人：李四、王五"
    )
    await run_until(
        engine, clock, datetime(2026, 10, 25, 10, 0, tzinfo=SHANGHAI), timedelta(days=1)
    )
    assert len([s for s in messenger.sent if s.text.startswith(("📋", "⏰"))]) == 3


async def test_a_burst_of_presses_edits_the_count_at_most_every_few_seconds(
    org: Organization, messenger: FakeMessenger, clock: FakeClock
) -> None:
    seconds = [0.0]
    engine = Dispatcher(
        org, messenger, WorkCalendar(), clock, SHANGHAI, monotonic=lambda: seconds[0]
    )
    people = [ChatUser(60 + n, f"成员{n}") for n in range(4)]
    for person in people:
        org.seen_in_group(OFFICE_CHAT, person)
    await run_until(
        engine, clock, datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    task_id = next(s for s in messenger.sent if s.text.startswith("📖")).buttons[0].data[6:]
    for person in people:
        engine.study.complete(task_id, person)
        await engine.refresh_count(task_id)
        seconds[0] += 1
    assert [e.text[-7:] for e in messenger.edits] == ["已完成 1/4"]
    seconds[0] += 5
    await engine.tick()
    assert [e.text[-7:] for e in messenger.edits] == ["已完成 1/4", "已完成 4/4"]


async def test_a_study_task_shows_its_points_under_a_clean_heading(
    store: Store, messenger: FakeMessenger, clock: FakeClock
) -> None:
    text = CONFIG.replace(
        "study: {title: 学习条例第一章, body: 请学习总则。,",
        "study: {title: 每月理论学习：党章和党纪：, body: 请学习总则。,"
        " points: [党的性质和宗旨, 党员的八项义务, 六项纪律],",
    )
    organization = Organization(
        store, parse_agency_config(parse_yaml_text(text.encode(), "schedules.yaml"), "x"), clock
    )
    store.bind(Binding("office", OFFICE_CHAT, "办公室群", clock()))
    engine = dispatcher(organization, messenger, clock)
    await run_until(
        engine, clock, datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI), timedelta(hours=1)
    )
    (task_message,) = [s for s in messenger.sent if s.text.startswith("📖")]
    assert task_message.text == (
        "📖 10月理论学习：党章和党纪\n\n请学习总则。\n学习链接：https://www.12371.cn/"
        "\n\n学习要点：\n1. 党的性质和宗旨\n2. 党员的八项义务\n3. 六项纪律\n\n"
        "截止时间：10月19日 09:30\n已完成 0/0"
    )
    task_id = task_message.buttons[0].data.removeprefix("study:")
    stored = store.study_task(task_id)
    assert stored is not None and stored.points == ("党的性质和宗旨", "党员的八项义务", "六项纪律")
