"""换届 reminders through the Dispatcher's rounds: one at each mark, across restarts; a bot
started late sends only the latest mark; /branches' overdue rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from core.config.agency import parse_agency_config
from core.config.branches import Branch
from core.scheduling.term_reminders import latest_mark, overdue
from core.store.records import Binding
from tests.conftest import SHANGHAI, FakeClock
from tests.core.scheduling.test_dispatcher import FakeMessenger
from tests.core.scheduling.test_member_dates import (
    OFFICE_CHAT,
    SECRETARY,
    Bot,
    secretary_has_private_chat,
)

CONFIG = """
timezone: Asia/Shanghai
branches:
  - id: office
    name: 办公室党支部
    secretaries: [900]
    term: {elected: 2024-03-15}
"""
REMINDER = (
    "🗳 办公室党支部支部委员会任期将于 2027-03-15 届满（还有 {days} 天），"
    "请提前做好换届选举准备；换届后请管理员在 schedules.yaml 里更新 term 的 elected 日期。"
)


def term_bot(tmp_path: Path, start: datetime, bots: list[Bot]) -> Bot:
    config = parse_agency_config(yaml.safe_load(CONFIG), "schedules.yaml")
    bot = Bot(tmp_path / "data", config, FakeClock(start), FakeMessenger())
    bots.append(bot)
    bot.start()
    assert bot.store is not None
    bot.store.bind(Binding("office", OFFICE_CHAT, "办公室群", bot.clock()))
    secretary_has_private_chat(bot)
    return bot


async def daily(bot: Bot, start: date, end: date) -> list[str]:
    """A round at 08:30 and 10:00 of each day; the admins' notices."""
    assert bot.engine is not None
    notices = []
    day = start
    while day <= end:
        for hour, minute in ((8, 30), (10, 0)):
            bot.clock.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
            notices += [n.text for n in await bot.engine.tick()]
        day += timedelta(days=1)
    return notices


async def test_the_three_month_mark_is_told_once(tmp_path: Path, bots: list[Bot]) -> None:
    # Started a day after the 6-month mark (2026-09-15): that one comes late, once.
    bot = term_bot(tmp_path, datetime(2026, 9, 16, 8, 0, tzinfo=SHANGHAI), bots)
    notices = await daily(bot, date(2026, 9, 16), date(2026, 11, 30))
    bot.restart()
    notices += await daily(bot, date(2026, 12, 1), date(2027, 1, 31))
    told = [REMINDER.format(days=180), REMINDER.format(days=90)]  # 09-16, then 12-15
    assert bot.messenger.texts(SECRETARY) == told
    assert notices == [f"{text}（office）" for text in told]


def test_marks_and_overdue() -> None:
    ends = date(2027, 3, 15)
    assert latest_mark(ends, date(2026, 9, 14)) is None
    assert latest_mark(ends, date(2026, 9, 15)) == 6
    assert latest_mark(ends, date(2026, 12, 15)) == 3
    assert latest_mark(ends, date(2027, 2, 15)) == 1
    assert latest_mark(ends, date(2027, 3, 15)) is None
    branch = Branch("office", "办公室党支部", term_ends=ends)
    assert not overdue(branch, date(2027, 3, 14)) and overdue(branch, date(2027, 3, 15))
