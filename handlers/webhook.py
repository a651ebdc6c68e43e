"""Webhook mode: Telegram POSTs each update, and the answer waits until it is handled.

PTB's own webhook server answers 200 as soon as an update is queued, so a crash before it
is handled loses it: Telegram never sends it again. Here the POST is answered only once
the update's handlers (and the tasks they started) have finished, which for a press or an
answer means it is on disk. A crash before that leaves Telegram without an answer, and it
delivers the update again after the restart, as a getUpdates offset does in polling mode.

Updates are handled one at a time, in the order they arrive, as in polling. One that
arrives again while it is still being handled (Telegram timed out) waits for the first
delivery; one handled already in this run is answered at once. Redeliveries after a
restart reach the handlers, which are idempotent (docs/design.md). The crash-loop guard
of handlers/polling.py works the same, since it journals in process_update.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections import OrderedDict

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import BadRequest

from core.config.settings import WebhookSettings
from handlers.polling import LedgerApplication
from handlers.startup import until_reachable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's default; updates are handled one at a time whatever arrives in parallel.
MAX_CONNECTIONS = 40
#: Update ids answered in this run, kept to answer Telegram's retries without handling.
REMEMBERED_UPDATES = 10_000
#: At a stop, how long requests being handled may take to finish.
STOP_WAIT_SECONDS = 20.0


class WebhookRefused(Exception):
    """Telegram refused to set the webhook (bot.py exits 2, a settings error)."""


class WebhookReceiver:
    """Checks, decodes and handles POSTed updates; says which HTTP status to answer."""

    def __init__(self, application: LedgerApplication, secret: str) -> None:
        self._application = application
        self._secret = secret.encode()
        self._turn = asyncio.Lock()  # one update at a time, as in polling
        self._running: dict[int, asyncio.Future[None]] = {}
        self._answered: OrderedDict[int, None] = OrderedDict()
        self._requests = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def receive(self, secret: str | None, body: bytes) -> int:
        """The HTTP status for one POST: 200 only once its update is handled."""
        if not hmac.compare_digest((secret or "").encode(), self._secret):
            log.warning("Refused a webhook request without the right secret token")
            return 403
        try:
            update = Update.de_json(json.loads(body), self._application.bot)
        except (ValueError, TypeError, KeyError):
            return 400
        if update is None:
            return 400
        self._requests += 1
        self._idle.clear()
        try:
            await self._handle(update)
        except Exception:  # the error handler saw handler errors; this is the bot's own
            log.exception("Update %s was not handled; Telegram will send it again", update)
            return 500
        finally:
            self._requests -= 1
            if not self._requests:
                self._idle.set()
        return 200

    async def _handle(self, update: Update) -> None:
        update_id = update.update_id
        if update_id in self._answered:
            return
        first = self._running.get(update_id)
        if first is not None:  # Telegram gave up waiting and sent it again
            await asyncio.shield(first)
            return
        done = asyncio.get_running_loop().create_future()
        self._running[update_id] = done
        try:
            async with self._turn:
                await self._application.process_update(update)
            await self._application.tasks_ended(update)
            self._answered[update_id] = None
            if len(self._answered) > REMEMBERED_UPDATES:
                self._answered.popitem(last=False)
        finally:
            del self._running[update_id]
            done.set_result(None)

    async def idle(self) -> None:
        """Wait until no request is being handled."""
        await self._idle.wait()


class _UpdateRequest(tornado.web.RequestHandler):
    """POST (any path: a gateway may rewrite it; the secret token is what counts)."""

    def initialize(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver

    async def post(self, *_: str) -> None:
        secret = self.request.headers.get(SECRET_HEADER)
        self.set_status(await self.receiver.receive(secret, self.request.body))


def run_webhook(application: LedgerApplication, webhook: WebhookSettings) -> None:
    """Serve until SIGTERM or SIGINT, as run_polling does for polling."""
    asyncio.run(_serve(application, webhook))


async def _serve(application: LedgerApplication, webhook: WebhookSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receiver = WebhookReceiver(application, webhook.secret)
    server: tornado.httpserver.HTTPServer | None = None
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        routes = [(r"/(.*)", _UpdateRequest, {"receiver": receiver})]
        server = tornado.httpserver.HTTPServer(tornado.web.Application(routes))
        server.listen(webhook.port, webhook.host)
        await until_reachable(lambda: _set_webhook(application, webhook))
        log.info("Webhook mode: on %s:%s for %s", webhook.host, webhook.port, webhook.url)
        await stop.wait()
    finally:
        if server is not None:
            server.stop()  # no new requests; those being handled are answered
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STOP_WAIT_SECONDS):
                    await receiver.idle()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _set_webhook(application: LedgerApplication, webhook: WebhookSettings) -> None:
    try:
        await application.bot.set_webhook(
            webhook.url,
            secret_token=webhook.secret,
            allowed_updates=Update.ALL_TYPES,
            max_connections=MAX_CONNECTIONS,
        )
    except BadRequest as error:  # e.g. "bad webhook: HTTPS url must be provided"
        raise WebhookRefused(f"{webhook.url}：{error.message}") from None
