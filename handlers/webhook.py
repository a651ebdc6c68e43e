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
#: Larger bodies are refused before they are read (an update is a few KB).
MAX_UPDATE_BYTES = 2 * 1024 * 1024


class WebhookRefused(Exception):
    """The webhook cannot be served as set: Telegram refused the URL, or the listen
    address cannot be opened (bot.py exits 2, a settings error)."""


class WebhookReceiver:
    """Checks, decodes and handles POSTed updates; says which HTTP status to answer."""

    def __init__(self, application: LedgerApplication, secret: str) -> None:
        self._application = application
        self._secret = secret.encode()
        self._turn = asyncio.Lock()  # one update at a time, as in polling
        self._running: dict[int, asyncio.Future[bool]] = {}  # result: handled or not
        self._answered: OrderedDict[int, None] = OrderedDict()
        self._requests = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    async def receive(self, secret: str | None, body: bytes) -> int:
        """The HTTP status for one POST: 200 only once its update is handled."""
        if not hmac.compare_digest((secret or "").encode(), self._secret):
            log.warning("Refused a webhook request without the right secret token")
            return 403
        if self._closing:  # stopping: Telegram keeps it and sends it to the next run
            return 503
        try:
            data = json.loads(body)
            bot = self._application.bot
            update = Update.de_json(data, bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return 400
        self._requests += 1
        self._idle.clear()
        try:
            handled = await self._handle(update)
        finally:
            self._requests -= 1
            if not self._requests:
                self._idle.set()
        return 200 if handled else 500

    async def _handle(self, update: Update) -> bool:
        """Handle once; True when done (now, earlier in this run, or by the first copy)."""
        update_id = update.update_id
        if update_id in self._answered:
            return True
        first = self._running.get(update_id)
        if first is not None:  # Telegram gave up waiting and sent it again
            return await asyncio.shield(first)
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._running[update_id] = done
        handled = False
        try:
            async with self._turn:
                await self._application.process_update(update)
            await self._application.tasks_ended(update)
            handled = True
        except Exception:  # handler errors went to the error handler; this is the bot's own
            log.exception("Update %s was not handled; Telegram will send it again", update_id)
        finally:
            del self._running[update_id]
            done.set_result(handled)
        if handled:
            self._answered[update_id] = None
            if len(self._answered) > REMEMBERED_UPDATES:
                self._answered.popitem(last=False)
        return handled

    async def close(self) -> None:
        """Answer new POSTs 503, and wait for those being handled (at most a while)."""
        self._closing = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_WAIT_SECONDS):
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
    """Start, serve until a stop signal, stop. A signal while start-up still waits for
    Telegram (it retries for as long as it takes) ends the wait too."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receiver = WebhookReceiver(application, webhook.secret)
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/(.*)", _UpdateRequest, {"receiver": receiver})]),
        max_body_size=MAX_UPDATE_BYTES,
    )
    starting = asyncio.ensure_future(_start(application, webhook, server))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((starting, stopping), return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # TokenRefused, WebhookRefused, a port in use: raised here
            await stopping
    finally:
        starting.cancel()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        server.stop()  # no new connections
        await receiver.close()  # no new requests on kept-alive ones; the last ones answered
        await server.close_all_connections()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _start(
    application: LedgerApplication,
    webhook: WebhookSettings,
    server: tornado.httpserver.HTTPServer,
) -> None:
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    try:
        server.listen(webhook.port, webhook.host)
    except OSError as error:  # the port is taken, or not ours to open
        raise WebhookRefused(f"无法监听 {webhook.host}:{webhook.port}（{error}）") from None
    await until_reachable(lambda: _set_webhook(application, webhook))
    log.info("Webhook mode: on %s:%s for %s", webhook.host, webhook.port, webhook.url)


async def _set_webhook(application: LedgerApplication, webhook: WebhookSettings) -> None:
    try:
        await application.bot.set_webhook(
            webhook.url,
            secret_token=webhook.secret,
            allowed_updates=Update.ALL_TYPES,
            max_connections=MAX_CONNECTIONS,
        )
    except BadRequest as error:  # e.g. "bad webhook: HTTPS url must be provided"
        raise WebhookRefused(f"Telegram 拒绝了 {webhook.url}（{error.message}）") from None
