"""政治生日 greetings, the month's list and 预备期 reminders, through the Dispatcher's rounds
with a clock the test moves (and restarts of the bot on the same data in between)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from core.config.agency import AgencyConfig, parse_agency_config
from core.dates.workdays import WorkCalendar
from core.organization.branches import ChatUser, Organization
from core.scheduling.dispatcher import Dispatcher
from core.store.database import Store
from core.store.records import Binding
from core.store.roster_records import BranchRoster, ListEntry, entry_id
from tests.conftest import SHANGHAI, FakeClock
from tests.core.scheduling.test_dispatcher import FakeMessenger

CONFIG = """
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部, secretaries: [900]}
"""
OFFICE_CHAT = -1001
SECRETARY = 900
SECRETARY_NAME = "Wang Shuji"
GREETING = "政治生日快乐"


def member(
    name: str, joined: date, category: str = "正式党员", user_id: int | None = None
) -> ListEntry:
    return ListEntry(entry_id(name, ""), name, category, joined=joined, user_id=user_id)


def at(month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def agency(extra: str = "") -> AgencyConfig:
    return parse_agency_config(yaml.safe_load(CONFIG + extra), "schedules.yaml")


@dataclass
class Bot:
    """The parts of a running bot these rounds need; `restart` opens the data again."""

    data: Path
    config: AgencyConfig
    clock: FakeClock
    messenger: FakeMessenger
    store: Store | None = None
    organization: Organization | None = None
    engine: Dispatcher | None = None

    def start(self) -> Dispatcher:
        self.store = Store(self.data, SHANGHAI, clock=self.clock)
        self.organization = Organization(self.store, self.config, self.clock)
        self.engine = Dispatcher(
            self.organization, self.messenger, WorkCalendar(), self.clock, SHANGHAI
        )
        return self.engine

    def restart(self) -> Dispatcher:
        self.stop()
        return self.start()

    def stop(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def set_list(self, *entries: ListEntry) -> None:
        assert self.store is not None

        def upload(roster: BranchRoster) -> tuple[BranchRoster, None]:
            return replace(roster, entries=entries), None

        self.store.change_branch_roster("office", upload)

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=30)) -> None:
        assert self.engine is not None
        while self.clock.now < end:
            self.clock.now = min(self.clock.now + step, end)
            await self.engine.tick()

    def group_texts(self, containing: str = "") -> list[str]:
        return [t for t in self.messenger.texts(OFFICE_CHAT) if containing in t]


def make_bot(tmp_path: Path, start: datetime, extra_config: str = "") -> Bot:
    bot = Bot(tmp_path / "data", agency(extra_config), FakeClock(start), FakeMessenger())
    bot.start()
    assert bot.store is not None
    bot.store.bind(Binding("office", OFFICE_CHAT, "办公室群", bot.clock()))
    return bot


def secretary_has_private_chat(bot: Bot) -> None:
    assert bot.organization is not None
    bot.organization.register_private_chat(ChatUser(SECRETARY, SECRETARY_NAME))
    bot.messenger.reachable.add(SECRETARY)


# --- 政治生日 in the group ------------------------------------------------------------


async def test_a_sunday_birthday_is_greeted_on_monday_from_nine_once(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, at(11, 7))  # Saturday
    bots.append(bot)
    secretary_has_private_chat(bot)  # the month's list goes privately, not in the group
    bot.set_list(
        member("张三", date(2016, 11, 8), user_id=11),  # Sunday 2026-11-08: 10 years
        member("李四", date(2019, 12, 1)),
    )

    await bot.run_until(at(11, 9, 8, 59))  # the weekend, and Monday before 09:00
    assert bot.group_texts() == []

    await bot.run_until(at(11, 9, 9, 0))
    assert bot.group_texts() == [
        '🎂 今天是 <a href="tg://user?id=11">张三</a> 同志的政治生日，'
        "办公室党支部祝政治生日快乐！不忘初心、牢记使命。"
    ]
    (greeting,) = [s for s in bot.messenger.sent if s.chat_id == OFFICE_CHAT]
    assert greeting.html  # the mention is a link

    await bot.run_until(at(11, 9, 18, 0))
    bot.restart()
    bot.restart()
    await bot.run_until(at(11, 12, 18, 0), step=timedelta(minutes=15))
    assert bot.group_texts() == [greeting.text]


async def test_a_birthday_greeting_at_the_configured_time(tmp_path: Path, bots: list[Bot]) -> None:
    bot = make_bot(tmp_path, at(11, 2), 'greetings: {at: "10:30"}')
    bots.append(bot)
    bot.set_list(member("张三", date(2016, 11, 3)))  # Tuesday: a name with no account

    await bot.run_until(at(11, 3, 10, 29), step=timedelta(minutes=1))
    assert bot.group_texts(GREETING) == []
    await bot.run_until(at(11, 3, 10, 31), step=timedelta(minutes=1))
    assert bot.group_texts(GREETING) == [
        "🎂 今天是 张三 同志的政治生日，办公室党支部祝政治生日快乐！不忘初心、牢记使命。"
    ]


async def test_a_birthday_missed_on_its_day_is_not_greeted_late(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, at(11, 3, 8))
    bots.append(bot)
    bot.set_list(member("张三", date(2016, 11, 3)))
    bot.stop()  # down all of Tuesday
    bot.clock.now = at(11, 4, 8)
    bot.start()
    await bot.run_until(at(11, 6, 18))
    assert bot.group_texts(GREETING) == []


async def test_birthdays_can_be_turned_off(tmp_path: Path, bots: list[Bot]) -> None:
    bot = make_bot(tmp_path, at(10, 31), "greetings: {political_birthday: false}")
    bots.append(bot)
    secretary_has_private_chat(bot)
    bot.set_list(member("张三", date(2016, 11, 8), user_id=11))

    await bot.run_until(at(11, 10, 18), step=timedelta(hours=1))

    assert bot.messenger.sent == []  # neither the greeting nor the month's list


# --- the month's list for the secretary ------------------------------------------------


async def test_the_months_list_reaches_the_secretary_on_the_first_workday(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, at(10, 30))  # Friday; 11-01 is a Sunday
    bots.append(bot)
    secretary_has_private_chat(bot)
    bot.set_list(
        member("李四", date(2015, 11, 20)),
        member("张三", date(2016, 11, 8), user_id=11),
        member("王五", date(2018, 12, 2)),
        member("赵六", date(2026, 3, 1), "预备党员"),  # no anniversary yet
    )

    await bot.run_until(at(11, 2, 8, 30))
    assert bot.messenger.texts(SECRETARY) == []

    await bot.run_until(at(11, 2, 9, 0))
    month_list = (
        "📅 办公室党支部11月政治生日名单：\n"
        "张三：11月8日，入党 10 周年\n"
        "李四：11月20日，入党 11 周年\n"
        "机器人会在当天（遇休息日顺延）在群里祝贺。"
    )
    assert bot.messenger.texts(SECRETARY) == [month_list]

    bot.restart()
    await bot.run_until(at(11, 30, 18), step=timedelta(hours=2))
    assert bot.messenger.texts(SECRETARY) == [month_list]
    assert not any("政治生日名单" in t for t in bot.group_texts())


# --- 预备期 ------------------------------------------------------------------------


PROBATIONER = member("王五", date(2025, 12, 15), "预备党员")  # ends 2026-12-15
PROBATION_REMINDER = (
    "📌 办公室党支部预备党员 王五（2025-12-15 入党）的预备期将于 2026-12-15 期满。"
    "请提前准备转正：本人提交转正申请，支部征求意见、进行审查，提交支部党员大会讨论。"
)


async def test_the_probation_reminder_reaches_the_secretary_once(
    tmp_path: Path, bots: list[Bot]
) -> None:
    # A month before the end is Sunday 2026-11-15: the reminder comes on Monday the 16th.
    bot = make_bot(tmp_path, at(11, 13))
    bots.append(bot)
    secretary_has_private_chat(bot)
    bot.set_list(member("张三", date(2016, 7, 1)), PROBATIONER)

    await bot.run_until(at(11, 16, 8, 30), step=timedelta(hours=1))
    assert bot.messenger.texts(SECRETARY) == []

    await bot.run_until(at(11, 16, 10), step=timedelta(hours=1))
    assert bot.messenger.texts(SECRETARY) == [PROBATION_REMINDER]

    bot.restart()
    await bot.run_until(at(11, 20, 18), step=timedelta(hours=1))
    assert bot.messenger.texts(SECRETARY) == [PROBATION_REMINDER]
    assert bot.group_texts() == []


async def test_a_probation_reminder_missed_while_down_comes_later(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, at(11, 13))
    bots.append(bot)
    secretary_has_private_chat(bot)
    bot.set_list(PROBATIONER)
    bot.stop()  # down from Friday to Wednesday
    bot.clock.now = at(11, 18, 8)
    bot.start()
    await bot.run_until(at(11, 19, 18), step=timedelta(hours=1))
    assert bot.messenger.texts(SECRETARY) == [PROBATION_REMINDER]


async def test_without_a_private_chat_the_reminder_is_posted_in_the_group(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, at(11, 13))
    bots.append(bot)
    bot.set_list(PROBATIONER)

    await bot.run_until(at(11, 17, 18), step=timedelta(hours=1))
    bot.restart()
    await bot.run_until(at(11, 19, 18), step=timedelta(hours=1))

    assert bot.messenger.texts(SECRETARY) == []
    assert bot.group_texts() == [
        '<a href="tg://user?id=900">书记</a>：机器人无法私聊您，只能发在群里'
        "（请私聊机器人发送 /start，以后就会私下发给您）。\n\n" + PROBATION_REMINDER
    ]
    assert bot.messenger.sent[0].html


async def test_probation_reminders_can_be_turned_off(tmp_path: Path, bots: list[Bot]) -> None:
    bot = make_bot(tmp_path, at(11, 13), "greetings: {probation: false}")
    bots.append(bot)
    secretary_has_private_chat(bot)
    bot.set_list(PROBATIONER)
    await bot.run_until(at(11, 20, 18), step=timedelta(hours=1))
    assert bot.messenger.sent == []
