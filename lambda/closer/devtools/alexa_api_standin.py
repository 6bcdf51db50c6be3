"""A local stand-in for the Alexa service APIs the skill calls: device settings and reminders.

A real HTTP server on a free loopback port, so the skill's own HTTP client is exercised end to end: point a
request's `apiEndpoint` at it. It records every call (method, path, body, bearer token), answers like the real
service (401 without the reminders permission, 404 for an unknown reminder), and can be told to fail the next
call of a kind with a status code or a timeout. `closer chat` runs one so reminders work locally.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "local-token"


@dataclass
class Call:
    method: str
    path: str
    body: Any
    token: str | None


@dataclass
class AlexaApiStandIn:
    time_zone: str = "UTC"
    reminders_allowed: bool = False
    stall_seconds: float = 5.0  # how long a "timeout" fault holds the answer back (beyond the skill's timeout)
    calls: list[Call] = field(default_factory=list)
    reminders: dict[str, Any] = field(default_factory=dict)
    faults: dict[str, int | str] = field(default_factory=dict)  # kind ("time_zone", "reminders") -> status | "timeout"
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def fail_next(self, kind: str, status: int | str) -> None:
        self.faults[kind] = status

    def start(self) -> AlexaApiStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                standin._answer(self)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, http: BaseHTTPRequestHandler) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        auth = http.headers.get("Authorization", "")
        self.calls.append(Call(http.command, http.path, body, auth.removeprefix("Bearer ") if auth else None))
        kind = "time_zone" if "/settings/" in http.path else "reminders"
        fault = self.faults.pop(kind, None)
        if fault == "timeout":
            time.sleep(self.stall_seconds)
            fault = 504
        if auth != f"Bearer {TOKEN}":
            fault = fault or 401
        if kind == "reminders" and not self.reminders_allowed:
            fault = fault or 401
        if isinstance(fault, int):
            return self._send(http, fault, {"code": "FAULT", "message": "stand-in fault"})
        status, answer = self._route(http.command, http.path, body)
        self._send(http, status, answer)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and re.fullmatch(r"/v2/devices/[^/]+/settings/System\.timeZone", path):
            return 200, self.time_zone
        if method == "POST" and path == "/v1/alerts/reminders":
            token = str(uuid.uuid4())
            self.reminders[token] = body
            return 201, {"alertToken": token, "createdTime": "2026-11-27T19:30:00.000Z", "status": "ON",
                         "version": "1", "href": f"/v1/alerts/reminders/{token}"}
        found = re.fullmatch(r"/v1/alerts/reminders/([^/]+)", path)
        if found and found.group(1) in self.reminders:
            token = found.group(1)
            if method == "PUT":
                self.reminders[token] = body
                return 200, {"alertToken": token, "status": "ON", "version": "2"}
            if method == "DELETE":
                del self.reminders[token]
                return 200, {}
        return 404, {"code": "NOT_FOUND", "message": "no such resource"}

    @staticmethod
    def _send(http: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
        data = json.dumps(answer).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)


@contextmanager
def running(**settings: Any) -> Iterator[AlexaApiStandIn]:
    standin = AlexaApiStandIn(**settings).start()
    try:
        yield standin
    finally:
        standin.stop()
