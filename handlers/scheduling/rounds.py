"""The scheduler's heartbeat on PTB's JobQueue."""

from __future__ import annotations

from telegram.ext import Application, ContextTypes

from handlers.notify import notify_admins
from handlers.services import services

TICK_JOB = "scheduler:tick"
# APScheduler cannot start an interval job "now" (a past start is rolled to the next interval);
# one second from now is in the future when the JobQueue starts right after post_init.
FIRST_ROUND_SECONDS = 1.0


async def scheduler_round(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One round of the dispatcher, then group quizzes whose time is up are closed.

    What needs a human goes to the admins; first, once a week from November, that next
    year's holidays are not known yet. Inside quiet hours only what sends nothing new runs.
    """
    found = services(context)
    quiet = found.dispatcher.quiet(found.clock())  # 夜间免打扰: the summaries wait too
    if not quiet:
        for notice in found.dispatcher.holiday_reminders():
            await notify_admins(context, notice.text)
    for notice in await found.dispatcher.tick():
        await notify_admins(context, notice.text, notice.buttons)
    if not quiet:
        for notice in await found.group_quizzes.close_due():
            await notify_admins(context, notice.text)


def start_scheduler(application: Application, interval: float) -> None:
    """Run rounds every `interval` seconds.

    Due pushes are computed from the store and the clock on every round, so the
    JobQueue holds no state worth persisting. A round delayed past APScheduler's
    default one-second grace would be skipped silently: misfires are allowed any
    lateness instead, and overlapping rounds are coalesced.
    """
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    application.job_queue.run_repeating(
        scheduler_round,
        interval=interval,
        first=FIRST_ROUND_SECONDS,
        name=TICK_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
