"""A real HTTP server on 127.0.0.1 that serves saved pages, and misbehaves on purpose.

Routes map a path (with its query string, if the test cares) to a list of responses; each
request takes the next response of its route and the last one repeats, so "429, then 200"
is `[Reply(429), Reply(200, body)]`. Every request is logged for assertions.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOLD_LIMIT = 60.0  # seconds a held answer waits at most, so no test can hang on it


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before answering (bounded by the test)
    drop_after: int | None = None  # close the connection after this many body bytes
    raw: bytes | None = None  # written to the socket as is (status line and all), then closed
    hold: threading.Event | None = None  # answer only once the test sets it (or after HOLD_LIMIT)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Hit:
    method: str
    path: str  # path and query as requested
    headers: dict
    status: int
    size: int
    body: bytes = b""  # the request body (POST)
    arrived: float = field(default_factory=time.monotonic)  # when the request came in


class LoopbackServer:
    """Start with `with LoopbackServer() as server:`; `server.url` is its origin."""

    def __init__(self, routes: dict[str, list[Reply] | Reply] | None = None,
                 robots: str | None = "User-agent: *\nAllow: /\n"):
        self.routes: dict[str, list[Reply]] = {}
        self.hits: list[Hit] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        if robots is not None:
            self.route("/robots.txt", Reply(200, robots, content_type="text/plain"))
        for path, replies in (routes or {}).items():
            self.route(path, replies)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, replies: list[Reply] | Reply) -> None:
        with self._lock:
            self.routes[path] = list(replies) if isinstance(replies, list) else [replies]
            self._served[path] = 0

    def requests_for(self, prefix: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path.startswith(prefix)]

    def reset_log(self) -> None:
        with self._lock:
            self.hits.clear()

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, raw_path: str) -> Reply | None:
        with self._lock:
            key = raw_path if raw_path in self.routes else urlsplit(raw_path).path
            replies = self.routes.get(key)
            if not replies:
                return None
            index = min(self._served[key], len(replies) - 1)
            self._served[key] += 1
            return replies[index]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self._answer("GET", b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._answer("POST", self.rfile.read(length))

            def _answer(self, method: str, request_body: bytes):
                reply = server._next_reply(self.path) or Reply(404, "not found")
                body = reply.payload()
                with server._lock:  # logged on arrival, so a test can see a hanging request
                    server.hits.append(Hit(method, self.path, dict(self.headers),
                                           reply.status, len(body), request_body))
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hold is not None:
                    reply.hold.wait(timeout=HOLD_LIMIT)
                if reply.raw is not None:  # e.g. broken chunked encoding
                    self.wfile.write(reply.raw)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.drop_after is not None:
                    self.wfile.write(body[:reply.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler
