"""The meeting cadence through the Dispatcher's rounds: what a quarter still owes reaches the
secretary in its last ten days, and what it missed reaches the secretary and the admins
after it, once each, across restarts; a kind the agency does not require is not asked for."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path

from core.store.meeting_records import CLOSED, Meeting
from tests.conftest import SHANGHAI
from tests.core.scheduling.test_member_dates import (
    OFFICE_CHAT,
    SECRETARY,
    Bot,
    make_bot,
    secretary_has_private_chat,
)


def held(bot: Bot, kind: str, day: date) -> None:
    """A closed meeting of the office branch on `day`."""
    assert bot.store is not None
    meeting_id = f"{day:%y%m}-{hashlib.sha1(f'{kind}{day}'.encode()).hexdigest()[:10]}"
    created = datetime.combine(day, datetime.min.time(), SHANGHAI)
    bot.store.add_meeting(
        Meeting(meeting_id, "office", kind, day, OFFICE_CHAT, SECRETARY, created, CLOSED)
    )


def held_everything_but_the_lecture(bot: Bot) -> None:
    """Q3 2026: every monthly kind each month, a 党员大会, but no 党课."""
    held(bot, "支部党员大会", date(2026, 8, 20))
    for month in (7, 8, 9):
        for kind in ("支部委员会会议", "党小组会", "主题党日"):
            held(bot, kind, date(2026, month, 10))


async def days(bot: Bot, start: date, end: date) -> list[str]:
    """Ticks at 08:00, 09:30 and 15:00 of every day; the admins' notices."""
    assert bot.engine is not None
    notices = []
    day = start
    while day <= end:
        for hour, minute in ((8, 0), (9, 30), (15, 0)):
            bot.clock.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
            notices += [n.text for n in await bot.engine.tick()]
        day += timedelta(days=1)
    return notices


async def test_a_quarter_without_a_lecture_is_told_then_reported_once(
    tmp_path: Path, bots: list[Bot]
) -> None:
    bot = make_bot(tmp_path, datetime(2026, 6, 30, 18, 0, tzinfo=SHANGHAI))
    bots.append(bot)
    secretary_has_private_chat(bot)
    held_everything_but_the_lecture(bot)

    notices = await days(bot, date(2026, 9, 1), date(2026, 9, 25))
    bot.restart()
    notices += await days(bot, date(2026, 9, 26), date(2026, 10, 20))

    told = bot.messenger.texts(SECRETARY)
    assert told == [
        "⏳ 办公室党支部：2026年第三季度还剩 10 天，以下会议还没有登记：党课。"
        "开会后请在群里发送 /meeting 登记。",
        "⚠️ 办公室党支部2026年第三季度以下组织生活未开展或未登记：党课。",
    ]
    assert notices == ["📋 组织生活督查：办公室党支部（office）2026年第三季度没有登记：党课。"]


async def test_a_kind_the_agency_does_not_require_is_never_asked_for(
    tmp_path: Path, bots: list[Bot]
) -> None:
    extra = "cadence: {党课: 不要求}\n"
    bot = make_bot(tmp_path, datetime(2026, 6, 30, 18, 0, tzinfo=SHANGHAI), extra)
    bots.append(bot)
    secretary_has_private_chat(bot)
    held_everything_but_the_lecture(bot)
    assert await days(bot, date(2026, 9, 15), date(2026, 10, 12)) == []
    assert bot.messenger.texts(SECRETARY) == []
