"""The self-hosted web service: the same skill as on Lambda, answering Alexa's HTTPS POSTs.

`create_app()` is a Flask application factory; `serve()` runs it on waitress, a production WSGI server in pure
Python. TLS is left to a proxy or tunnel in front (Alexa only calls HTTPS endpoints).

What a client sends never produces a 500 or a stack trace: everything this service refuses is answered with HTTP 400
and a short JSON error (405 for a wrong method, 404 for an unknown path). Each request's log lines carry its request
id (also sent back as X-Request-Id), and users appear in logs only as a hash of their Alexa user id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .skill import Skill
from .verify import VerificationError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Alexa's requests are a few kilobytes; anything near this is not from Alexa
HEALTH_PATH = "/health"


class RequestVerifier(Protocol):
    """Raises VerificationError, whose str() is a short reason safe to send back, when a request must be refused.
    `closer.verify.AlexaVerifier` is the one for Alexa."""

    def verify(self, headers: Mapping[str, str], body: bytes, event: Mapping[str, Any]) -> None: ...


class _Refused(Exception):
    """A request this service will not serve; answered with HTTP 400 and the reason."""


def create_app(skill: Skill, verifier: RequestVerifier | None, *, path: str = "/",
               max_body_bytes: int = MAX_BODY_BYTES) -> Flask:
    """The web application around `skill`. `verifier=None` serves unverified requests: local testing only."""
    if not path.startswith("/") or path == HEALTH_PATH:
        raise ValueError(f"the skill path must start with / and differ from {HEALTH_PATH}: {path!r}")
    if verifier is None:
        log.warning("REQUEST VERIFICATION IS OFF: anyone who can reach this service can drive the skill. "
                    "Use this only for local testing, never on a public endpoint.")
    app = Flask(__name__)
    app.config["CLOSER_MAX_BODY_BYTES"] = max_body_bytes

    @app.before_request
    def tag_request() -> None:
        g.request_id = uuid.uuid4().hex[:16]
        g.started = time.perf_counter()

    @app.after_request
    def stamp_response(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        return response

    def answer_alexa() -> Response:
        try:
            body = _read_body(max_body_bytes)
            event = _parse_envelope(body)
            if verifier is not None:
                verifier.verify(dict(request.headers.items()), body, event)
        except (_Refused, VerificationError) as err:
            log.warning("[%s] refused: %s", g.request_id, err)
            return _json({"error": str(err)}, 400)
        result = skill.handle(event)
        log.info("[%s] %r from user %s answered in %.1f ms", g.request_id, str(event["request"].get("type"))[:64],
                 _user_hash(event), (time.perf_counter() - g.started) * 1000)
        return _json(result, 200)

    def health() -> Response:
        return _json({"status": "ok"}, 200)

    app.add_url_rule(path, "alexa", answer_alexa, methods=["POST"])
    app.add_url_rule(HEALTH_PATH, "health", health, methods=["GET"])

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        response = _json({"error": err.name.lower()}, err.code or 500)
        for name, value in err.get_headers():  # such as Allow on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(err: Exception) -> Response:
        log.exception("[%s] unexpected failure", g.get("request_id", "-"))  # the trace stays in the log
        return _json({"error": "internal error"}, 500)

    return app


def serve(app: Flask, host: str, port: int, *, threads: int = 4) -> None:
    """Run `app` on waitress until interrupted."""
    server = make_server(app, host, port, threads=threads)
    log.info("serving on http://%s:%s", host, server.effective_port)
    server.run()


def make_server(app: Flask, host: str, port: int, *, threads: int = 4) -> Any:
    """A waitress server for `app`, bound but not yet running (port 0 picks a free port: `.effective_port`).

    Waitress buffers a whole request before the application sees it, so it gets its own size limit, well above the
    application's: bodies beyond it are refused by waitress itself (413) instead of being spooled to disk.
    """
    import waitress  # the `web` extra

    limit = max(4 * int(app.config["CLOSER_MAX_BODY_BYTES"]), 1024 * 1024)
    return waitress.create_server(app, host=host, port=port, threads=threads, max_request_body_size=limit,
                                  ident="closer-together")


def _read_body(limit: int) -> bytes:
    if request.mimetype != "application/json":
        raise _Refused("content type must be application/json")
    if request.content_length is not None and request.content_length > limit:
        raise _Refused("request body is too large")
    chunks: list[bytes] = []
    received = 0
    while received <= limit:  # bounded even when no length was announced (chunked transfer)
        chunk = request.stream.read(limit + 1 - received)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    if received > limit:
        raise _Refused("request body is too large")
    return b"".join(chunks)


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (ValueError, RecursionError) as err:  # RecursionError: absurdly nested JSON
        raise _Refused("request body is not valid JSON") from err
    if not isinstance(event, dict):
        raise _Refused("request body must be a JSON object")
    if not isinstance(event.get("request"), dict) or not isinstance(event.get("context"), dict):
        raise _Refused("not an Alexa request envelope")
    return event


def _user_hash(event: Mapping[str, Any]) -> str:
    """A stable pseudonym for the user, so logs can follow one household without ever holding its Alexa id."""
    system = event["context"].get("System")
    user = system.get("user") if isinstance(system, dict) else None
    user_id = user.get("userId") if isinstance(user, dict) else None
    if not isinstance(user_id, str):
        return "-"
    return hashlib.sha256(user_id.encode()).hexdigest()[:12]


def _json(payload: Any, status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")
