"""A local fake Telegram Bot API server for end-to-end tests.

The real bot (python-telegram-bot with ``HTTPXRequest`` and long polling) is pointed at
``base_url=f"{fake.url}/bot"`` and ``base_file_url=f"{fake.url}/file/bot"``.  Tests then

* set up the world (chats, member statuses),
* inject updates (``send_text``, ``send_document``, ``press_button``, ``answer_poll`` ...),
  which wake long polls (a sent document's bytes are served by ``getFile`` and the file URL),
* observe every API call the bot made (``requests``, ``calls``, ``wait_for``, ``sent_texts``),
* inject faults (``fail_next``, ``drop_next``, ``stall_next``, ``delay_next``,
  ``enforce_rate_limits``).

Once the bot calls ``setWebhook``, updates are POSTed to its URL instead, one at a time, as
Telegram does: an update is forgotten only when the bot answers 200, and sent again after
any other answer or a broken connection (``webhook_deliveries`` records each attempt).

Only the standard library is used: ``http.server.ThreadingHTTPServer`` runs in a daemon thread
and all shared state is guarded by a single ``threading.Condition``.  Blocking helpers such as
``wait_for`` must not be called directly from the event loop that runs the bot; in async tests
use ``await fake.wait_for_async(...)`` (or ``asyncio.to_thread``).

Requests are decoded the way PTB encodes them (see ``telegram/request/_requestparameter.py``):
string values are sent verbatim and every other value is JSON-encoded, as
``application/x-www-form-urlencoded`` or, when files are uploaded, ``multipart/form-data``.
Plain JSON bodies and query strings are accepted as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import http.client
import json
import math
import re
import socket
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

JsonDict = dict[str, Any]

#: Pause before an update the bot did not answer 200 is POSTed again.
WEBHOOK_RETRY_SECONDS = 0.1

#: Member statuses understood by :meth:`FakeBotApi.set_member_status` (Bot API spelling).
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")

#: Methods that count towards Telegram's flood limits in :meth:`FakeBotApi.enforce_rate_limits`.
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPoll",
        "sendDocument",
        "sendPhoto",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "stopPoll",
    }
)

#: Parameters whose values are always strings and must never be JSON-decoded
#: (PTB sends ``str`` values verbatim, so ``text="123"`` arrives as ``123``).
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "question",
        "explanation",
        "description",
        "short_description",
        "title",
        "name",
        "custom_title",
        "parse_mode",
        "explanation_parse_mode",
        "question_parse_mode",
        "description_parse_mode",
        "callback_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "emoji",
        "data",
        "document",
        "photo",
        "thumbnail",
        "certificate",
        "first_name",
        "last_name",
        "username",
    }
)

#: Update types Telegram leaves out unless they are requested explicitly via allowed_updates.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

MAX_MESSAGE_LENGTH = 4096
#: How long a poll may stay open (open_period, seconds): Bot API 9.6 allows about 30 days.
MIN_OPEN_PERIOD, MAX_OPEN_PERIOD = 5, 2_628_000
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
API_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
FILE_PATH_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


# --------------------------------------------------------------------------- records & errors


@dataclass
class Call:
    """One Bot API request as the fake server saw it.

    ``result`` is the ``result`` field of a successful response (a snapshot), ``error_code``
    is set for error responses.  A call still in progress (a waiting long poll) or one whose
    connection was dropped has neither; ``fault`` then says ``"dropped"``.
    """

    method: str
    params: JsonDict
    at: float
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call completed with ``{"ok": true}``."""
        return self.error_code is None and self.result is not None

    def brief(self) -> str:
        """A one-line summary used in assertion messages."""
        params = {k: _brief_value(v) for k, v in self.params.items()}
        if self.ok:
            outcome = "ok"
        elif self.error_code is not None:
            outcome = f"error {self.error_code}: {self.description}"
        else:
            outcome = self.fault or "pending"
        text = f"{self.method}({params}) -> {outcome}"
        return text if len(text) <= 200 else text[:197] + "..."


def _brief_value(value: Any) -> Any:
    """Shorten uploaded file contents for display."""
    if isinstance(value, dict) and isinstance(value.get("content"), bytes):
        return f"<file {value.get('filename')!r}, {len(value['content'])} bytes>"
    return value


class ApiError(Exception):
    """An error response in Telegram's shape (``ok: false``)."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        """The JSON body Telegram would send."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class _Fault:
    """A queued fault: ``kind`` is ``fail``, ``drop``, ``stall`` or ``delay``."""

    kind: str
    method: str
    times: int
    chat_id: int | None = None
    error: ApiError | None = None
    seconds: float = 0.0


@dataclass
class _RateLimiter:
    """Sliding windows like Telegram's flood control (global per second, per group per minute)."""

    per_second: int
    per_group_per_minute: int
    recent: deque[float] = field(default_factory=deque)
    per_group: dict[int, deque[float]] = field(default_factory=dict)

    def admit(self, chat_id: Any, now: float) -> int | None:
        """Record one send; return ``retry_after`` seconds instead if it exceeds a limit."""
        _prune(self.recent, now - 1.0)
        if len(self.recent) >= self.per_second:
            return max(1, math.ceil(1.0 - (now - self.recent[0])))
        group: deque[float] | None = None
        if isinstance(chat_id, int) and chat_id < 0:
            group = self.per_group.setdefault(chat_id, deque())
            _prune(group, now - 60.0)
            if len(group) >= self.per_group_per_minute:
                return max(1, math.ceil(60.0 - (now - group[0])))
            group.append(now)
        self.recent.append(now)
        return None


def _prune(window: deque[float], older_than: float) -> None:
    """Drop timestamps that fell out of a sliding window."""
    while window and window[0] <= older_than:
        window.popleft()


# --------------------------------------------------------------------------- request decoding


def decode_value(name: str, raw: str) -> Any:
    """Turn one transmitted parameter back into a Python object.

    PTB JSON-encodes everything except strings, so ``"123"`` becomes ``123`` and
    ``'{"inline_keyboard": ...}'`` a dict, while text-like parameters stay strings.
    """
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_params(content_type: str, body: bytes, query: str) -> JsonDict:
    """Decode query string plus a urlencoded, multipart or JSON body into a params dict."""
    params: JsonDict = {k: decode_value(k, v) for k, v in parse_qsl(query)}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "multipart/form-data":
        params.update(parse_multipart(content_type, body))
    elif mime == "application/json" and body.strip():
        loaded = json.loads(body)
        for key, value in loaded.items():
            params[key] = decode_value(key, value) if isinstance(value, str) else value
    elif body:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        params.update({k: decode_value(k, v) for k, v in pairs})
    return _resolve_attachments(params)


def parse_multipart(content_type: str, body: bytes) -> JsonDict:
    """Parse ``multipart/form-data`` as httpx writes it.

    Plain fields are decoded with :func:`decode_value`; file parts become
    ``{"filename": str, "content": bytes, "mime_type": str}``.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ApiError(400, "Bad Request: invalid multipart boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    params: JsonDict = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers = _part_headers(head)
        disposition = _disposition_params(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            params[name] = {
                "filename": disposition["filename"],
                "content": content,
                "mime_type": headers.get("content-type", "application/octet-stream"),
            }
        else:
            params[name] = decode_value(name, content.decode("utf-8"))
    return params


def _part_headers(head: bytes) -> dict[str, str]:
    """Headers of one multipart part, lower-cased names."""
    headers: dict[str, str] = {}
    for line in head.decode("utf-8").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return headers


def _disposition_params(value: str) -> dict[str, str]:
    """``name``/``filename`` from a Content-Disposition header (httpx's HTML5 escaping)."""
    return {
        key: _html5_unescape(raw) for key, raw in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', value)
    }


def _html5_unescape(value: str) -> str:
    """Undo httpx's form-param escaping (``%22`` for quotes, ``%XX`` for controls)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        return "\\" if token == "\\\\" else chr(int(token[1:], 16))

    return re.sub(r"%(?:22|[01][0-9A-F])|\\\\", replace, value)


def _resolve_attachments(params: JsonDict) -> JsonDict:
    """Replace ``attach://name`` references with the uploaded file they point to."""
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"), value)
    return params


# --------------------------------------------------------------------------- object builders


def user_stub(user_id: int) -> JsonDict:
    """A minimal User for ids the tests never described."""
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def member_dict(user: JsonDict, status: str) -> JsonDict:
    """A ChatMember of the given status with every field PTB 22.8 requires."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown member status {status!r}; expected one of {MEMBER_STATUSES}")
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(_ADMIN_RIGHTS)
    elif status == "restricted":
        member.update(_RESTRICTIONS)
    elif status == "kicked":
        member["until_date"] = 0
    return member


_ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}

_RESTRICTIONS: JsonDict = {
    "is_member": True,
    "until_date": 0,
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_react_to_messages": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
    "can_edit_tag": False,
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]+)?")


def command_entities(text: str) -> list[JsonDict]:
    """A ``bot_command`` entity for text starting with ``/command``: as Telegram reads it,
    the command ends at the first character that is no Latin letter, digit or ``_`` (an
    ``@botname`` included), so "/join王建国" is the command /join and the text 王建国."""
    match = COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


def has_callback_button(markup: JsonDict | None, data: str) -> bool:
    """Whether an inline keyboard contains a button with this callback_data."""
    rows = (markup or {}).get("inline_keyboard", [])
    return any(button.get("callback_data") == data for row in rows for button in row)


def infer_chat_type(chat_id: int) -> str:
    """Telegram id ranges: users > 0, supergroups/channels <= -10**12, basic groups otherwise."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -(10**12) else "group"


def now_ts() -> int:
    """Unix time as Telegram sends it."""
    return int(time.time())


# --------------------------------------------------------------------------- HTTP plumbing


def _post_update(url: str, secret: str, update: JsonDict) -> int:
    """One webhook delivery: the HTTP status of the answer, 0 if none came."""
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    try:
        connection.request("POST", target.path or "/", json.dumps(update), headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except OSError:
        return 0
    finally:
        connection.close()


class _Server(ThreadingHTTPServer):
    """Threading HTTP server that knows its :class:`FakeBotApi`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeBotApi, port: int) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request (a killed bot) is expected, not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Translates HTTP requests into :meth:`FakeBotApi.handle_api_call` calls."""

    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org

    @property
    def fake(self) -> FakeBotApi:
        """The fake API this connection belongs to."""
        return cast(_Server, self.server).fake

    def setup(self) -> None:
        """Track the connection so :meth:`FakeBotApi.stop` can close it."""
        super().setup()
        # Headers and body are separate writes: without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.fake.track_connection(self.connection, opened=True)

    def finish(self) -> None:
        """Untrack the connection."""
        try:
            super().finish()
        finally:
            self.fake.track_connection(self.connection, opened=False)

    def do_GET(self) -> None:
        """Bot API methods may be called with GET and a query string."""
        self._serve()

    def do_POST(self) -> None:
        """PTB always POSTs (urlencoded or multipart)."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _serve(self) -> None:
        """Read the request, let the fake handle it and write (or withhold) the response."""
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        download = FILE_PATH_RE.match(url.path)
        if download is not None:
            self._respond_file(self.fake.download(download["path"]))
            return
        match = API_PATH_RE.match(url.path)
        if match is None:
            self._respond(404, ApiError(404, "Not Found").payload())
            return
        try:
            params = parse_params(self.headers.get("Content-Type", ""), body, url.query)
        except (ApiError, ValueError, UnicodeDecodeError) as exc:
            error = exc if isinstance(exc, ApiError) else ApiError(400, f"Bad Request: {exc}")
            self._respond(error.code, error.payload())
            return
        outcome = self.fake.handle_api_call(match["method"], params, arrived)
        if outcome is None:
            self.close_connection = True  # drop: close without any response
            return
        self._respond(*outcome)

    def _respond_file(self, content: bytes | None) -> None:
        """A file download: its bytes, or 404 for a path getFile never handed out."""
        if content is None:
            self._respond(404, ApiError(404, "Not Found").payload())
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except OSError:
            self.close_connection = True

    def _respond(self, status: int, payload: JsonDict) -> None:
        """Write a JSON response; the client may have given up already."""
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


# --------------------------------------------------------------------------- the fake API


class FakeBotApi:
    """A stateful fake of api.telegram.org for one bot.  See the module docstring."""

    def __init__(
        self, bot_id: int = 7000001, bot_username: str = "party_study_bot", port: int = 0
    ) -> None:
        """`port` 0 takes a free one at start; a fixed one lets a bot be started first."""
        self.bot_id = bot_id
        self.port = port
        self.bot_username = bot_username
        self.requests: list[Call] = []
        #: last ``allowed_updates`` sent with getUpdates (``None``: never sent)
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        self.webhook_secret = ""
        #: (update_id, HTTP status, 0 for no answer) of every webhook POST, in order
        self.webhook_deliveries: list[tuple[int, int]] = []
        self._webhook_thread: threading.Thread | None = None
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._connections: set[socket.socket] = set()
        self._chats: dict[int, JsonDict] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._users: dict[int, JsonDict] = {}
        self._started_users: set[int] = set()
        self._blocked_users: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._polls: dict[str, JsonDict] = {}
        self._files: dict[str, bytes] = {}  # file_id -> content of documents users sent
        self._file_paths: dict[str, bytes] = {}  # file_path (from getFile) -> content
        self._lost_downloads = 0  # the next downloads answered 404 (fail_next_download)
        self._poll_votes: dict[str, dict[int, list[int]]] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._open_callback_queries: set[str] = set()
        self._updates: list[JsonDict] = []
        self._last_update_id = 100000
        self._poll_generation = 0
        self._counter = 0
        self._faults: list[_Fault] = []
        self._rate_limiter: _RateLimiter | None = None
        self._rate_clock: Callable[[], float] = time.monotonic
        self._handlers: dict[str, Callable[[JsonDict], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "sendPhoto": self._send_photo,
            "leaveChat": self._leave_chat,
            "sendChatAction": self._send_chat_action,
        }
        self._canonical = {name.lower(): name for name in self._handlers}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotApi:
        """Bind the port (a free one if 0) on 127.0.0.1 and serve in a daemon thread."""
        self._server = _Server(self, self.port)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll interval
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake every waiting request, close all connections and stop serving."""
        server, self._server = self._server, None
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the server (running, or to run on a fixed port)."""
        if not self.port:
            raise RuntimeError("FakeBotApi is not running; call start() first")
        return f"http://127.0.0.1:{self.port}"

    def track_connection(self, conn: socket.socket, *, opened: bool) -> None:
        """Remember open client connections (used by the HTTP handler)."""
        with self._cond:
            if opened:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    @property
    def bot_user(self) -> JsonDict:
        """The bot as a User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Party Study Bot",
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ world state

    def add_chat(
        self,
        chat_id: int,
        type: str = "supergroup",
        title: str = "Test Chat",
        *,
        username: str | None = None,
    ) -> None:
        """Create a group/supergroup/channel chat; the bot is a plain member of it."""
        chat: JsonDict = {"id": chat_id, "type": type, "title": title}
        if username:
            chat["username"] = username
        with self._cond:
            self._chats[chat_id] = chat
            self._members.setdefault(chat_id, {}).setdefault(self.bot_id, "member")

    def add_branch_group(
        self, chat_id: int, title: str, creator_id: int, member_ids: Iterable[int] = ()
    ) -> None:
        """A branch's group as a secretary sets it up: its creator, its members, and the
        bot made an administrator (so it sees who is in the group)."""
        self.add_chat(chat_id, title=title)
        self.set_member_status(chat_id, creator_id, "creator")
        for user_id in member_ids:
            self.set_member_status(chat_id, user_id, "member")
        self.set_member_status(chat_id, self.bot_id, "administrator")

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's (or, with ``user_id == bot_id``, the bot's) status in a chat."""
        if status not in MEMBER_STATUSES:
            raise ValueError(
                f"unknown member status {status!r}; expected one of {MEMBER_STATUSES}"
            )
        with self._cond:
            self._ensure_chat(chat_id)
            self._members[chat_id][user_id] = status

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: private sends fail with 403 until they write again."""
        with self._cond:
            self._blocked_users.add(user_id)

    def my_commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """Commands stored by setMyCommands for a scope (default scope if ``None``)."""
        with self._cond:
            return copy.deepcopy(self._commands.get(_commands_key(scope, language_code), []))

    def _ensure_chat(self, chat_id: int, user: JsonDict | None = None) -> JsonDict:
        """Return a chat, creating it (type inferred from the id) when unknown."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            source = user if user and user.get("id") == chat_id else self._users.get(chat_id)
            source = source or user_stub(chat_id)
            chat = {"id": chat_id, "type": "private", "first_name": source["first_name"]}
            for key in ("last_name", "username"):
                if key in source:
                    chat[key] = source[key]
            self._chats[chat_id] = chat
            self._members.setdefault(chat_id, {}).update({chat_id: "member"})
            self._members[chat_id].setdefault(self.bot_id, "member")
            return chat
        self.add_chat(chat_id, infer_chat_type(chat_id), f"Chat {chat_id}")
        return self._chats[chat_id]

    def _remember_user(self, user: JsonDict | None) -> None:
        """Keep the latest description of a user for ChatMember results."""
        if user and isinstance(user.get("id"), int) and not user.get("is_bot"):
            self._users[user["id"]] = copy.deepcopy(user)

    def _user(self, user_id: int) -> JsonDict:
        """A User object for an id (the bot, a known user or a stub)."""
        if user_id == self.bot_id:
            return self.bot_user
        return copy.deepcopy(self._users.get(user_id) or user_stub(user_id))

    def _next_message_id(self, chat_id: int) -> int:
        """Message ids increase per chat, shared by user and bot messages."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _next_id(self) -> int:
        """A fresh number for file/poll/callback ids."""
        self._counter += 1
        return self._counter

    # ------------------------------------------------------------------ injecting updates

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue an update (assigning ``update_id``) and wake long polls; returns it."""
        with self._cond:
            self._last_update_id += 1
            stored = copy.deepcopy(update)
            stored["update_id"] = self._last_update_id
            self._observe_update(stored)
            self._updates.append(stored)
            self._cond.notify_all()
            return copy.deepcopy(stored)

    def redeliver(self, update: JsonDict) -> None:
        """Queue a delivered update again under its own id: what Telegram does when the
        bot was killed before a getUpdates offset confirmed it."""
        with self._cond:
            if all(u["update_id"] != update["update_id"] for u in self._updates):
                self._updates.append(copy.deepcopy(update))
                self._updates.sort(key=lambda u: int(u["update_id"]))
            self._cond.notify_all()

    def _observe_update(self, update: JsonDict) -> None:
        """Learn users, chats, messages and private-chat starts from an injected update."""
        message = update.get("message")
        if not isinstance(message, dict):
            return
        sender = message.get("from")
        self._remember_user(sender)
        chat = message.get("chat") or {}
        chat_id, message_id = chat.get("id"), message.get("message_id")
        if not isinstance(chat_id, int):
            return
        if chat_id not in self._chats:
            self._chats[chat_id] = copy.deepcopy(chat)
            self._members.setdefault(chat_id, {}).setdefault(self.bot_id, "member")
        if isinstance(message_id, int):
            self._messages[(chat_id, message_id)] = copy.deepcopy(message)
        if chat.get("type") == "private" and sender and sender.get("id") == chat_id:
            self._started_users.add(chat_id)
            self._blocked_users.discard(chat_id)

    def _user_message(self, chat_id: int, user: JsonDict, **content: Any) -> JsonDict:
        """A message from ``user`` in ``chat_id`` (chat created if needed)."""
        with self._cond:
            self._remember_user(user)
            chat = self._ensure_chat(chat_id, user)
            return {
                "message_id": self._next_message_id(chat_id),
                "from": copy.deepcopy(user),
                "chat": copy.deepcopy(chat),
                "date": now_ts(),
                **content,
            }

    def send_text(
        self, chat_id: int, user: dict, text: str, *, reply_to: int | None = None
    ) -> dict:
        """The user writes ``text`` (as a reply to message ``reply_to``); commands get a
        ``bot_command`` entity."""
        content: JsonDict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        content.update(self._reply_content(chat_id, reply_to))
        return self.push_update({"message": self._user_message(chat_id, user, **content)})

    def send_photo(
        self, chat_id: int, user: dict, content: bytes, *, reply_to: int | None = None
    ) -> dict:
        """The user sends a photo (one size), maybe as a reply; the bot can download it."""
        with self._cond:
            number = self._next_id()
            file_id = f"AgACAgIAAxkBAAI{number:012d}"
            self._files[file_id] = bytes(content)
            photo = [
                {
                    "file_id": file_id,
                    "file_unique_id": f"AQAD{number:08d}",
                    "width": 1280,
                    "height": 960,
                    "file_size": len(content),
                }
            ]
            extra = self._reply_content(chat_id, reply_to)
            message = self._user_message(chat_id, user, photo=photo, **extra)
            return self.push_update({"message": message})

    def _reply_content(self, chat_id: int, reply_to: int | None) -> JsonDict:
        if reply_to is None:
            return {}
        original = self._messages.get((chat_id, reply_to))
        if original is None:
            raise AssertionError(f"no message {reply_to} in chat {chat_id} to reply to")
        replied = {k: v for k, v in copy.deepcopy(original).items() if k != "reply_to_message"}
        return {"reply_to_message": replied}

    def edit_text(self, update: JsonDict, text: str) -> JsonDict:
        """The sender of ``update``'s message edits it to ``text``."""
        content: JsonDict = {"text": text, "edit_date": now_ts()}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        original = {k: v for k, v in update["message"].items() if k != "entities"}
        return self.push_update({"edited_message": {**original, **content}})

    def send_document(
        self,
        chat_id: int,
        user: dict,
        filename: str,
        content: bytes,
        mime_type: str = "application/x-yaml",
        caption: str | None = None,
    ) -> dict:
        """The user sends a file; the bot can fetch its bytes with getFile and a download."""
        with self._cond:
            number = self._next_id()
            file_id = f"BQACAgIAAxkBAAI{number:012d}"
            self._files[file_id] = bytes(content)
            document = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{number:08d}",
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": len(content),
            }
            extra = {"caption": caption} if caption is not None else {}
            message = self._user_message(chat_id, user, document=document, **extra)
            return self.push_update({"message": message})

    def file_content(self, file_path: str) -> bytes | None:
        """The bytes behind a file_path handed out by getFile (None if unknown)."""
        with self._cond:
            return self._file_paths.get(file_path)

    def download(self, file_path: str) -> bytes | None:
        """A download of ``file_path``: its bytes, or None (404) if unknown or failed."""
        with self._cond:
            if self._lost_downloads > 0:
                self._lost_downloads -= 1
                return None
            return self._file_paths.get(file_path)

    def press_button(
        self, chat_id: int, message_id: int, user: dict, data: str, *, strict: bool = True
    ) -> dict:
        """The user presses an inline button of a message the bot sent earlier.

        With ``strict`` the message's current keyboard must contain a button with ``data``.
        """
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None or message.get("from", {}).get("id") != self.bot_id:
                raise AssertionError(f"the bot sent no message {message_id} to chat {chat_id}")
            if strict and not has_callback_button(message.get("reply_markup"), data):
                raise AssertionError(
                    f"message {message_id} in chat {chat_id} has no button with "
                    f"callback_data={data!r}; its markup is {message.get('reply_markup')}"
                )
            self._remember_user(user)
            query_id = str(4_000_000_000_000_000 + self._next_id())
            self._open_callback_queries.add(query_id)
            query = {
                "id": query_id,
                "from": copy.deepcopy(user),
                "message": copy.deepcopy(message),
                "chat_instance": f"-{abs(chat_id) * 31 + 7}",
                "data": data,
            }
            return self.push_update({"callback_query": query})

    def answer_poll(self, poll_id: str, user: dict, option_ids: list[int]) -> dict:
        """The user votes (an empty list retracts).  Anonymous polls send no poll_answer.

        ``option_ids`` index the options in the order they were sent, as Telegram reports
        them, even when ``shuffle_options`` showed them to the user in another order.
        """
        with self._cond:
            poll = self._polls.get(poll_id)
            if poll is not None and poll["is_anonymous"]:
                raise ValueError(
                    f"poll {poll_id} is anonymous; Telegram sends no poll_answer for it"
                )
            if poll is not None and not all(0 <= i < len(poll["options"]) for i in option_ids):
                raise ValueError(f"poll {poll_id} has no option among {option_ids}")
            if poll is not None and not poll["is_closed"]:
                self._record_vote(poll, user["id"], option_ids)
            persistent = [
                poll["options"][i]["persistent_id"] if poll else str(i) for i in option_ids
            ]
            self._remember_user(user)
            answer = {
                "poll_id": poll_id,
                "user": copy.deepcopy(user),
                "option_ids": list(option_ids),
                "option_persistent_ids": persistent,
            }
            return self.push_update({"poll_answer": answer})

    def _record_vote(self, poll: JsonDict, user_id: int, option_ids: list[int]) -> None:
        """Update voter counts of a poll after a (re)vote."""
        votes = self._poll_votes.setdefault(poll["id"], {})
        votes[user_id] = list(option_ids)
        for index, option in enumerate(poll["options"]):
            option["voter_count"] = sum(index in chosen for chosen in votes.values())
        poll["total_voter_count"] = sum(1 for chosen in votes.values() if chosen)

    def member_joins(self, chat_id: int, user: dict) -> dict:
        """A service message: ``user`` joined the group."""
        with self._cond:
            self._ensure_chat(chat_id)
            self._members[chat_id][user["id"]] = "member"
            message = self._user_message(chat_id, user, new_chat_members=[copy.deepcopy(user)])
            return self.push_update({"message": message})

    def member_leaves(self, chat_id: int, user: dict) -> dict:
        """A service message: ``user`` left the group."""
        with self._cond:
            self._ensure_chat(chat_id)
            self._members[chat_id][user["id"]] = "left"
            message = self._user_message(chat_id, user, left_chat_member=copy.deepcopy(user))
            return self.push_update({"message": message})

    def chat_member_update(self, chat_id: int, user: dict, old: str, new: str) -> dict:
        """A ``chat_member`` update (only delivered if requested via allowed_updates)."""
        with self._cond:
            self._remember_user(user)
            self._ensure_chat(chat_id)
            self._members[chat_id][user["id"]] = new
            change = self._member_change(chat_id, user, user, old, new)
            return self.push_update({"chat_member": change})

    def bot_status_change(self, chat_id: int, by_user: dict, old: str, new: str) -> dict:
        """A ``my_chat_member`` update: the bot was added, promoted, kicked, blocked..."""
        with self._cond:
            self._remember_user(by_user)
            self._ensure_chat(chat_id, by_user)
            self._members[chat_id][self.bot_id] = new
            if chat_id > 0 and new == "kicked":
                self._blocked_users.add(chat_id)
            elif chat_id > 0 and new == "member":
                self._blocked_users.discard(chat_id)
                self._started_users.add(chat_id)
            change = self._member_change(chat_id, by_user, self.bot_user, old, new)
            return self.push_update({"my_chat_member": change})

    def _member_change(
        self, chat_id: int, by_user: JsonDict, user: JsonDict, old: str, new: str
    ) -> JsonDict:
        """A ChatMemberUpdated object."""
        return {
            "chat": copy.deepcopy(self._chats[chat_id]),
            "from": copy.deepcopy(by_user),
            "date": now_ts(),
            "old_chat_member": member_dict(copy.deepcopy(user), old),
            "new_chat_member": member_dict(copy.deepcopy(user), new),
        }

    def migrate_chat(self, old_chat_id: int, new_chat_id: int, user: dict) -> dict:
        """A group becomes a supergroup.

        Like Telegram, two service messages are pushed: ``migrate_to_chat_id`` in the old chat
        (returned) and ``migrate_from_chat_id`` in the new one.  Afterwards every request for
        the old id fails with 400 and ``parameters.migrate_to_chat_id``.
        """
        with self._cond:
            old_chat = self._ensure_chat(old_chat_id)
            self.add_chat(new_chat_id, "supergroup", old_chat.get("title", "Test Chat"))
            self._members[new_chat_id].update(self._members.get(old_chat_id, {}))
            first = self.push_update(
                {"message": self._user_message(old_chat_id, user, migrate_to_chat_id=new_chat_id)}
            )
            self.push_update(
                {
                    "message": self._user_message(
                        new_chat_id, user, migrate_from_chat_id=old_chat_id
                    )
                }
            )
            self._migrated[old_chat_id] = new_chat_id
            return first

    # ------------------------------------------------------------------ observing the bot

    def calls(self, method: str | None = None) -> list[Call]:
        """All recorded calls, optionally only those of one method."""
        with self._cond:
            return [c for c in self.requests if method is None or c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        since: int = 0,
    ) -> Call:
        """Block until a successful ``method`` call (index >= ``since``) matches ``predicate``.

        Calls recorded before this was invoked count too.  Raises ``AssertionError`` listing
        the recent calls on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.requests[since:]:
                    if (
                        call.method == method
                        and call.ok
                        and (predicate is None or predicate(call))
                    ):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_report(method, predicate, timeout))
                self._cond.wait(remaining)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until ``condition()`` holds; it is re-checked after every call the bot makes."""
        with self._cond:
            if not self._cond.wait_for(condition, timeout):
                raise AssertionError(self._timeout_report("(any)", None, timeout))

    async def wait_for_async(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - enforced by the Condition wait in a thread
        since: int = 0,
    ) -> Call:
        """:meth:`wait_for` in a worker thread, for tests whose bot shares the event loop."""
        return await asyncio.to_thread(self.wait_for, method, predicate, timeout, since)

    def _timeout_report(
        self, method: str, predicate: Callable[[Call], bool] | None, timeout: float
    ) -> str:
        """Explain a wait_for timeout with a listing of the recent calls."""
        what = f"a successful {method} call" + (" matching the predicate" if predicate else "")
        shown = [
            (i, c)
            for i, c in enumerate(self.requests)
            if method == "getUpdates" or c.method != "getUpdates"
        ][-25:]
        hidden = len(self.requests) - sum(1 for c in self.requests if c.method != "getUpdates")
        lines = [f"timed out after {timeout}s waiting for {what}."]
        lines.append(f"Recent calls ({len(self.requests)} total, newest last):")
        lines += [f"  #{i} {call.brief()}" for i, call in shown] or ["  (none)"]
        if method != "getUpdates" and hidden:
            lines.append(f"  ({hidden} getUpdates calls not shown)")
        return "\n".join(lines)

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts of successful sendMessage/editMessageText calls to a chat, in order."""
        texts = []
        for call in self.calls():
            if call.method not in ("sendMessage", "editMessageText") or not call.ok:
                continue
            result = call.result
            if isinstance(result, dict) and result["chat"]["id"] == chat_id:
                texts.append(result.get("text", ""))
        return texts

    def wait_until_webhook(self, timeout: float = 10.0, since: int = 0) -> None:
        """Block until a setWebhook request (index >= ``since``) has been answered."""
        self.wait_for("setWebhook", timeout=timeout, since=since)

    def wait_until_polling(self, timeout: float = 10.0, since: int = 0) -> None:
        """Block until a getUpdates request arrives (index >= ``since``), answered or not."""
        with self._cond:
            arrived = self._cond.wait_for(
                lambda: any(c.method == "getUpdates" for c in self.requests[since:]), timeout
            )
            if not arrived:
                raise AssertionError(self._timeout_report("getUpdates", None, timeout))

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._cond:
            return copy.deepcopy(self._updates)

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        times: int = 1,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` if given) return an error."""
        parameters: JsonDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        error = ApiError(error_code, description, parameters or None)
        self._add_fault(_Fault("fail", method, times, chat_id=chat_id, error=error))

    def drop_next(self, method: str, times: int = 1, *, chat_id: int | None = None) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` if given) get their
        connection closed before they are carried out: no response."""
        self._add_fault(_Fault("drop", method, times, chat_id=chat_id))

    def delay_next(
        self, method: str, seconds: float, times: int = 1, *, chat_id: int | None = None
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` if given) are carried out
        at once but answered late.

        This models the dangerous real case: the message *was* sent, yet the client timed out.
        """
        self._add_fault(_Fault("delay", method, times, chat_id=chat_id, seconds=seconds))

    def stall_next(
        self, method: str, seconds: float, times: int = 1, *, chat_id: int | None = None
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` if given) are held for
        ``seconds`` and then dropped, never carried out: lost on the way to Telegram, while
        the client can only time out, not knowing."""
        self._add_fault(_Fault("stall", method, times, chat_id=chat_id, seconds=seconds))

    def fail_next_download(self, times: int = 1) -> None:
        """The next ``times`` file downloads get 404, as when Telegram no longer has the file
        (a file_path is valid for about an hour)."""
        with self._cond:
            self._lost_downloads += times

    def clear_faults(self) -> None:
        """Forget every queued fault: the server behaves again."""
        with self._cond:
            self._faults.clear()
            self._lost_downloads = 0

    def enforce_rate_limits(
        self,
        per_second: int = 30,
        per_group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer sends beyond Telegram's flood limits with 429 and ``retry_after``.

        ``clock`` (seconds) lets a test freeze the windows: on a loaded machine 40 sends
        gathered at once may otherwise spread over more than the one-second window.
        """
        with self._cond:
            self._rate_limiter = _RateLimiter(per_second, per_group_per_minute)
            self._rate_clock = clock

    def _add_fault(self, fault: _Fault) -> None:
        with self._cond:
            fault.method = self._canonical.get(fault.method.lower(), fault.method)
            self._faults.append(fault)

    def _take_fault(self, kind: str, method: str, params: JsonDict) -> _Fault | None:
        """Consume one use of the first matching fault of a kind."""
        for fault in self._faults:
            if fault.kind != kind or fault.method != method:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return None

    # ------------------------------------------------------------------ dispatch

    def handle_api_call(
        self, raw_method: str, params: JsonDict, arrived: float
    ) -> tuple[int, JsonDict] | None:
        """Record and answer one call; ``None`` means: drop the connection."""
        method = self._canonical.get(raw_method.lower(), raw_method)
        with self._cond:
            call = Call(method=method, params=params, at=arrived)
            self.requests.append(call)
            self._cond.notify_all()
            if self._take_fault("drop", method, params):
                call.fault = "dropped"
                return None
            stall = self._take_fault("stall", method, params)
            if stall is not None:
                call.fault = f"stalled {stall.seconds}s, then dropped"
                self._cond.wait_for(lambda: self._stopping, stall.seconds)
                return None
            status, payload = self._execute(call)
            self._cond.notify_all()
            delay = self._take_fault("delay", method, params)
            if delay is not None:
                call.fault = f"delayed {delay.seconds}s"
                self._cond.wait_for(lambda: self._stopping, delay.seconds)
            return status, payload

    def _execute(self, call: Call) -> tuple[int, JsonDict]:
        """Run faults, rate limits and the method handler; fill in the call's outcome."""
        try:
            fault = self._take_fault("fail", call.method, call.params)
            if fault is not None and fault.error is not None:
                raise fault.error
            handler = self._handlers.get(call.method)
            if handler is None:
                raise ApiError(404, "Not Found")
            self._check_rate_limit(call.method, call.params)
            result = copy.deepcopy(handler(call.params))
        except ApiError as err:
            call.error_code, call.description = err.code, err.description
            return err.code, err.payload()
        call.result = result
        return 200, {"ok": True, "result": result}

    def _check_rate_limit(self, method: str, params: JsonDict) -> None:
        """Raise 429 when a sending method exceeds the configured flood limits."""
        if self._rate_limiter is None or method not in SENDING_METHODS:
            return
        retry_after = self._rate_limiter.admit(params.get("chat_id"), self._rate_clock())
        if retry_after is not None:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    # ------------------------------------------------------------------ chat access rules

    def _resolve_chat(self, params: JsonDict) -> JsonDict:
        """The chat a request targets, enforcing Telegram's access errors."""
        chat_id = self._chat_id_of(params.get("chat_id"))
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id > 0:
            if chat_id in self._blocked_users:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self._started_users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        bot_status = self._members.get(chat_id, {}).get(self.bot_id, "member")
        if chat_id < 0 and bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if chat_id < 0 and bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        return chat

    def _chat_id_of(self, ref: Any) -> int:
        """Map an int id or ``@username`` to a chat id."""
        if ref is None or ref == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(ref, int) and not isinstance(ref, bool):
            return ref
        if isinstance(ref, str) and ref.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == ref[1:].lower():
                    return int(chat["id"])
        raise ApiError(400, "Bad Request: chat not found")

    def _bot_message(self, params: JsonDict, **content: Any) -> JsonDict:
        """Create and store a message the bot sends to the chat in ``params``."""
        chat = self._resolve_chat(params)
        chat_id = chat["id"]
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": copy.deepcopy(chat),
            "date": now_ts(),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram only echoes inline keyboards
        replied = self._replied_message(chat_id, params)
        if replied is not None:
            message["reply_to_message"] = replied
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _replied_message(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        """The message a send replies to (reply_parameters or reply_to_message_id)."""
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get("reply_to_message_id")
        original = self._messages.get((chat_id, message_id)) if message_id else None
        if message_id and original is None:
            allow = isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            if not (allow or params.get("allow_sending_without_reply")):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if original is None:
            return None
        return {k: v for k, v in copy.deepcopy(original).items() if k != "reply_to_message"}

    def _stored_message(self, params: JsonDict, missing: str) -> JsonDict:
        """A stored message addressed by chat_id + message_id."""
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        message = self._messages.get((chat["id"], message_id)) if message_id else None
        if message is None:
            raise ApiError(400, f"Bad Request: {missing}")
        return message

    # ------------------------------------------------------------------ method handlers

    def _true(self, params: JsonDict) -> bool:
        """Methods that simply succeed."""
        return True

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        """Confirm by offset, then long-poll on the condition until updates or timeout."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if isinstance(params.get("allowed_updates"), list):
            self.allowed_updates = params["allowed_updates"]
        self._confirm_updates(int(params.get("offset") or 0))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()
        self._cond.wait_for(
            lambda: (
                self._stopping or generation != self._poll_generation or bool(self._deliverable())
            ),
            float(params.get("timeout") or 0),
        )
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._deliverable()[:limit]

    def _confirm_updates(self, offset: int) -> None:
        """Forget updates before ``offset`` (negative: keep only the last -offset)."""
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self) -> list[JsonDict]:
        """Queued updates whose type passes the current allowed_updates filter."""
        return [u for u in self._updates if self._is_wanted(_update_type(u))]

    def _is_wanted(self, update_type: str) -> bool:
        """Telegram's allowed_updates rule: empty/unset means all but the opt-in types."""
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in OPT_IN_UPDATE_TYPES

    def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = str(params.get("secret_token") or "")
        if isinstance(params.get("allowed_updates"), list):
            self.allowed_updates = params["allowed_updates"]
        if self._webhook_thread is None:
            self._webhook_thread = threading.Thread(
                target=self._deliver_by_webhook, name="fake-webhook", daemon=True
            )
            self._webhook_thread.start()
        self._cond.notify_all()
        return True

    def _deliver_by_webhook(self) -> None:
        """POST the oldest update until the bot answers 200, then the next one."""
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: self._stopping or bool(self.webhook_url and self._deliverable()),
                    timeout=1.0,
                )
                if self._stopping:
                    return
                if not (self.webhook_url and self._deliverable()):
                    continue
                update = copy.deepcopy(self._deliverable()[0])
                url, secret = self.webhook_url, self.webhook_secret
            status = _post_update(url, secret, update)
            with self._cond:
                self.webhook_deliveries.append((int(update["update_id"]), status))
                if status == 200:
                    delivered = update["update_id"]
                    self._updates = [u for u in self._updates if u["update_id"] != delivered]
                self._cond.notify_all()
            if status != 200:
                time.sleep(WEBHOOK_RETRY_SECONDS)  # Telegram, too, waits before trying again

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not COMMAND_RE.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), params.get("language_code", ""))
        self._commands[key] = commands
        return True

    def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _commands_key(params.get("scope"), params.get("language_code", ""))
        self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        key = _commands_key(params.get("scope"), params.get("language_code", ""))
        return self._commands.get(key, [])

    def _set_chat_menu_button(self, params: JsonDict) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._resolve_chat(params)
        self.menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _send_message(self, params: JsonDict) -> JsonDict:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        content: JsonDict = {"text": text}
        if params.get("entities"):
            content["entities"] = params["entities"]
        return self._bot_message(params, **content)

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable_message(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: text must be non-empty")
        markup = params.get("reply_markup")
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        _set_or_pop(message, "entities", params.get("entities"))
        return self._apply_edit(message, markup)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable_message(params)
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, markup)

    def _editable_message(self, params: JsonDict) -> JsonDict:
        message = self._stored_message(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, message: JsonDict, markup: Any) -> JsonDict:
        """Store the new markup (``None`` removes the keyboard) and stamp edit_date."""
        _set_or_pop(message, "reply_markup", markup if isinstance(markup, dict) else None)
        message["edit_date"] = now_ts()
        return message

    def _delete_message(self, params: JsonDict) -> bool:
        message = self._stored_message(params, "message to delete not found")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callback_queries:
            raise ApiError(400, QUERY_TOO_OLD)
        self._open_callback_queries.discard(query_id)
        return True

    def _send_poll(self, params: JsonDict) -> JsonDict:
        options = [
            o if isinstance(o, dict) else {"text": str(o)} for o in params.get("options", [])
        ]
        if len(options) < 2:
            raise ApiError(400, "Bad Request: poll must have at least 2 option")
        poll_type = params.get("type") or "regular"
        _check_open_period(params)
        poll: JsonDict = {
            "id": str(5_000_000_000_000_000_000 + self._next_id()),
            "question": params.get("question", ""),
            "options": [
                {"text": o["text"], "voter_count": 0, "persistent_id": str(i)}
                for i, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": poll_type,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", poll_type != "quiz")),
            "members_only": bool(params.get("members_only", False)),
        }
        poll.update(_quiz_fields(params, poll_type, len(options)))
        for key in ("open_period", "close_date", "explanation_entities", "question_entities"):
            if params.get(key) is not None:
                poll[key] = params[key]
        message = self._bot_message(params, poll=poll)
        self._polls[poll["id"]] = message["poll"]
        return message

    def _stop_poll(self, params: JsonDict) -> JsonDict:
        message = self._stored_message(params, "message with poll to stop not found")
        poll = message.get("poll")
        if poll is None:
            raise ApiError(400, "Bad Request: message with poll to stop not found")
        if poll["is_closed"]:
            raise ApiError(400, "Bad Request: poll has already been closed")
        poll["is_closed"] = True
        markup = params.get("reply_markup")
        _set_or_pop(message, "reply_markup", markup if isinstance(markup, dict) else None)
        return poll

    def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError(400, "Bad Request: invalid user_id specified")
        status = self._members.get(chat["id"], {}).get(user_id, "left")
        return member_dict(self._user(user_id), status)

    def _get_chat_administrators(self, params: JsonDict) -> list[JsonDict]:
        chat = self._resolve_chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            member_dict(self._user(user_id), status)
            for user_id, status in self._members.get(chat["id"], {}).items()
            if status in ("creator", "administrator")
        ]

    def _get_chat_member_count(self, params: JsonDict) -> int:
        chat = self._resolve_chat(params)
        statuses = self._members.get(chat["id"], {}).values()
        return sum(s in ("creator", "administrator", "member", "restricted") for s in statuses)

    def _send_document(self, params: JsonDict) -> JsonDict:
        document = params.get("document")
        if not document:
            raise ApiError(400, "Bad Request: there is no document in the request")
        content = self._file_object(document, "BQACAgUAAxkDAAI")
        if isinstance(document, dict):
            content.update(file_name=document["filename"], mime_type=document["mime_type"])
        return self._bot_message(params, document=content, **_caption(params))

    def _send_photo(self, params: JsonDict) -> JsonDict:
        photo = params.get("photo")
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        sizes = []
        for width, height in ((90, 68), (320, 240)):
            size = self._file_object(photo, "AgACAgUAAxkDAAI")
            sizes.append({**size, "width": width, "height": height})
        return self._bot_message(params, photo=sizes, **_caption(params))

    def _file_object(self, upload: Any, prefix: str) -> JsonDict:
        """file_id/file_unique_id (+ size) for an uploaded file or a re-sent file_id."""
        if isinstance(upload, str) and not upload.startswith(("http://", "https://")):
            return {"file_id": upload, "file_unique_id": f"AgAD{zlib.crc32(upload.encode()):010d}"}
        number = self._next_id()
        described: JsonDict = {
            "file_id": f"{prefix}{number:012d}",
            "file_unique_id": f"AgAD{number:08d}",
        }
        if isinstance(upload, dict):
            described["file_size"] = len(upload["content"])
        return described

    def _get_file(self, params: JsonDict) -> JsonDict:
        file_id = str(params.get("file_id") or "")
        content = self._files.get(file_id)
        if content is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        file_path = f"documents/file_{self._next_id()}"
        self._file_paths[file_path] = content
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{zlib.crc32(file_id.encode()):010d}",
            "file_size": len(content),
            "file_path": file_path,
        }

    def _leave_chat(self, params: JsonDict) -> bool:
        chat = self._resolve_chat(params)
        self._members[chat["id"]][self.bot_id] = "left"
        return True

    def _send_chat_action(self, params: JsonDict) -> bool:
        self._resolve_chat(params)
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True


# --------------------------------------------------------------------------- small helpers


def _update_type(update: JsonDict) -> str:
    """The payload key of an update (``message``, ``callback_query`` ...)."""
    return next((key for key in update if key != "update_id"), "")


def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """Storage key for bot commands: scope JSON + language."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(language_code or "")


def _set_or_pop(target: JsonDict, key: str, value: Any) -> None:
    """Set ``key`` when ``value`` is truthy, otherwise remove it."""
    if value:
        target[key] = value
    else:
        target.pop(key, None)


def _caption(params: JsonDict) -> JsonDict:
    """caption/caption_entities of a media message."""
    keys = ("caption", "caption_entities")
    return {key: params[key] for key in keys if params.get(key)}


def _check_open_period(params: JsonDict) -> None:
    """open_period is 5..2628000 seconds (about 30 days), never together with close_date."""
    period = params.get("open_period")
    if period is None:
        return
    if params.get("close_date") is not None:
        raise ApiError(400, "Bad Request: can't use open_period and close_date together")
    if not isinstance(period, int) or not MIN_OPEN_PERIOD <= period <= MAX_OPEN_PERIOD:
        raise ApiError(400, "Bad Request: wrong open period specified")


def _quiz_fields(params: JsonDict, poll_type: str, option_count: int) -> JsonDict:
    """correct_option_id(s) and explanation of a quiz; 400 when the answer is missing, or its
    ids are not monotonically increasing, or several are given to a one-answer quiz."""
    if poll_type != "quiz":
        return {}
    correct = params.get("correct_option_ids")
    if correct is None and params.get("correct_option_id") is not None:
        correct = [params["correct_option_id"]]
    if (
        not correct
        or not all(isinstance(i, int) and 0 <= i < option_count for i in correct)
        or correct != sorted(set(correct))
        or (len(correct) > 1 and not params.get("allows_multiple_answers"))
    ):
        raise ApiError(400, "Bad Request: wrong correct option ID specified")
    # Bot API 9.6 replaced correct_option_id by correct_option_ids (PTB 22.8 warns on the old)
    fields: JsonDict = {"correct_option_ids": correct}
    if params.get("explanation"):
        fields["explanation"] = params["explanation"]
    return fields
