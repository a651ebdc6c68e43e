"""End to end: bot.py in webhook mode (BOT_WEBHOOK_URL), against the fake Bot API.

The fake POSTs each update to the bot and forgets it only on a 200, as Telegram does; the
bot answers only once the update is handled. So a SIGKILL mid-burst loses no press: what
was not answered is POSTed again after the restart.
"""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path

import pytest

from core.store.database import Store
from tests.conftest import SHANGHAI
from tests.e2e import test_crash
from tests.e2e.test_e2e_network import webhook_env
from tests.e2e.test_e2e_quiz import (
    ADMIN,
    MEMBER,
    OFFICE_GROUP,
    OWNER,
    answer_question,
    fake,  # noqa: F401 - the fixture
    quiz_bot,
    say,
)
from tests.fakeapi import FakeBotApi

SECRET = "s3cret-Token_1"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_bind_join_and_a_quiz_work_in_both_modes(
    fake: FakeBotApi,  # noqa: F811 - the fixture
    tmp_path: Path,
    mode: str,
) -> None:
    bot, _ = quiz_bot(fake, tmp_path)
    if mode == "webhook":
        bot.env.update(webhook_env(SECRET))
    bot.start()
    try:
        say(fake, OFFICE_GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        say(fake, OFFICE_GROUP, MEMBER, "/join 王小明", "已登记您的姓名：王小明")
        asked = say(fake, MEMBER["id"], MEMBER, "/quiz basics 5", "第 1/5 题")
        for number in range(1, 6):
            asked = answer_question(fake, asked, right=number != 3)
        assert asked.params["text"].startswith("🎉 答题完成！本组共 5 题，答对 4 题")
    finally:
        assert bot.stop() == 0, bot.log()
    assert "Traceback" not in bot.log()
    store = Store(tmp_path / "data", SHANGHAI)
    answers = [e for e in store.events("office", "2026-11") if e.kind == "quiz_answer"]
    assert len(answers) == 5
    assert store.person(MEMBER["id"]) is not None
    store.close()
    polled = bool(fake.calls("getUpdates"))
    assert polled == (mode == "polling")
    if mode == "webhook":
        assert "chat_member" in (fake.allowed_updates or [])
        assert fake.webhook_deliveries and {s for _, s in fake.webhook_deliveries} == {200}


def test_a_post_without_the_secret_is_refused(
    fake: FakeBotApi,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    bot, _ = quiz_bot(fake, tmp_path)
    env = webhook_env(SECRET)
    bot.env.update(env)
    bot.start()
    try:
        forged = {"update_id": 1, "message": fake.send_text(MEMBER["id"], MEMBER, "x")["message"]}
        port = int(env["BOT_WEBHOOK_LISTEN"].rsplit(":", 1)[1])
        for secret in ("", "wrong"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            connection.request("POST", "/telegram", json.dumps(forged), headers)
            assert connection.getresponse().status == 403
            connection.close()
    finally:
        assert bot.stop() == 0, bot.log()


@pytest.mark.slow
def test_a_kill_mid_burst_loses_no_press_in_webhook_mode(
    fake: FakeBotApi,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    bot, press = test_crash.study_task_bot(fake, tmp_path)  # the task pushed, by polling
    bot.env.update(webhook_env(SECRET))
    pressed: list[str] = []
    presses = [lambda m=m: pressed.append(press(m)) for m in test_crash.MEMBERS]
    feeder = threading.Thread(target=test_crash.paced(presses, seconds=4))
    feeder.start()
    for _ in range(5):
        since = len(fake.requests)
        bot.start()
        fake.wait_for("answerCallbackQuery", timeout=15, since=since)  # at work on the burst
        threading.Event().wait(0.2)
        bot.kill()
    feeder.join()
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/help", "您可以使用")  # every update before it is handled
    answered = [c for c in fake.calls("answerCallbackQuery") if c.ok]
    assert {c.params["callback_query_id"] for c in answered} == set(pressed)
    skipped = {c.params["callback_query_id"] for c in answered if "再按一次" in c.params["text"]}
    for member, query_id in zip(test_crash.MEMBERS, pressed, strict=True):
        if query_id in skipped:  # in flight at three kills in a row: the member presses again
            since = len(fake.requests)
            press(member)
            fake.wait_for("answerCallbackQuery", since=since)
    assert not [s for _, s in fake.webhook_deliveries if s not in (0, 200)]
    assert bot.stop() == 0, bot.log()
    assert test_crash.done_by(tmp_path / "data") == [m["id"] for m in test_crash.MEMBERS]
    test_crash.assert_no_error_reported(fake)
    test_crash.assert_data_files_parse(tmp_path / "data")
