"""A forwarding HTTP proxy on 127.0.0.1 that records every request it passes on.

httpx sends plain-http requests to an http:// proxy in absolute form
(``POST http://127.0.0.1:PORT/bot.../getMe``); this one forwards each to its target and
copies the answer back, so a test can check that the bot sent everything through it.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

# Headers about the hop to the proxy, not about the request.
HOP_HEADERS = {"connection", "proxy-connection", "keep-alive", "transfer-encoding"}


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _forward(self) -> None:
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.proxy.record(f"{self.command} {target.path}")
        upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            upstream.request(self.command, target.path, body, headers)
            answer = upstream.getresponse()
            data = answer.read()
        except OSError:
            self.send_error(502)
            return
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_HEADERS | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads `HttpProxy.forwarded` instead."""


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy: HttpProxy) -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Forward)


class HttpProxy:
    """Start with ``with HttpProxy() as proxy:``; ``proxy.url`` goes in BOT_PROXY."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []  # "POST /bot<token>/getMe", in arrival order
        self._lock = threading.Lock()
        self._server = _ProxyServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def record(self, request: str) -> None:
        with self._lock:
            self.forwarded.append(request)

    def __enter__(self) -> HttpProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
