"""The `closer` command: developer tools around the skill."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from .alexa import LOCAL_SKILL_ID, LOCAL_USER_ID, Endpoint, LocalAlexa
from .alexa_api_standin import running
from .model import InteractionModel
from .remote import HttpEndpoint
from .resolver import Resolver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="closer", description="Closer Together developer tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="talk to the skill from the terminal (reads standard input)")
    chat.add_argument("--user", default=LOCAL_USER_ID, help="the Alexa account id of the household")
    chat.add_argument("--locale", default="en-US")
    chat.add_argument("--db", type=Path, help="the SQLite file to keep households in (default: CLOSER_DB)")
    chat.add_argument("--at", type=datetime.fromisoformat,
                      help="pretend it is this moment (ISO 8601, e.g. 2026-12-01T20:00:00+00:00)")
    chat.add_argument("--time-zone", default=_local_time_zone(),
                      help="the device's time zone, as the local Alexa API stand-in reports it (default: this "
                           "machine's)")
    chat.add_argument("--url", help="talk to a running endpoint (e.g. closer serve --no-verify) instead of the "
                                    "skill in-process")
    chat.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for --url to answer")
    chat.add_argument("--explain", action="store_true", help="show the intents each line could be, and why one won")
    serve = commands.add_parser("serve", help="serve the skill over HTTP for Alexa (self-hosting, behind TLS)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--path", default="/", help="the path Alexa POSTs to (default: /)")
    serve.add_argument("--skill-id", help="the skill id requests must carry (default: CLOSER_SKILL_ID)")
    serve.add_argument("--db", type=Path, help="the SQLite file to keep households in (default: CLOSER_DB)")
    serve.add_argument("--no-verify", action="store_true",
                       help="accept unsigned requests: local testing only, never on a public endpoint")
    serve.add_argument("--debug", action="store_true", help="Flask's development server instead of waitress")
    replay = commands.add_parser("replay", help="run dialog scripts (YAML) against the skill; exit 1 on a failure")
    replay.add_argument("files", nargs="+", type=Path, help="script files, or folders of *.yaml scripts")
    replay.add_argument("--url", help="replay against a running endpoint (e.g. closer serve --no-verify)")
    replay.add_argument("--db", type=Path, help="the SQLite file of the households: in-process, where to keep them "
                                                "(default: a temporary file); with --url, the server's, to check "
                                                "the household expectations")
    replay.add_argument("--skill-id", default=os.environ.get("CLOSER_SKILL_ID") or LOCAL_SKILL_ID,
                        help="the skill id the requests carry (default: CLOSER_SKILL_ID, else a local id)")
    replay.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for --url to answer")
    replay.add_argument("-v", "--transcripts", action="store_true", help="print every conversation, not just failures")
    replay.add_argument("--explain", action="store_true", help="print transcripts with the intents each line could be")
    lint = commands.add_parser("lint", help="check the skill package against Alexa's certification rules")
    lint.add_argument("--package", type=Path, help="the skill-package folder (default: the project's)")
    from . import bundle as bundling  # standard library only: hooks/build.sh runs it without the venv
    bundling.add_arguments(commands.add_parser("bundle", help="build the Lambda zip for the stack's runtime and CPU"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "bundle":
        return bundling.main_bundle(args)
    if args.command == "chat":
        return _chat(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "replay":
        from .replay import main_replay
        return main_replay(args.files, url=args.url, db=args.db, skill_id=args.skill_id, timeout=args.timeout,
                           transcripts=args.transcripts, explained=args.explain)
    if args.command == "lint":
        from .lint import main_lint
        return main_lint(args.package)
    return 2


def _chat(args: argparse.Namespace) -> int:
    from ..config import Settings
    from ..skill import build_skill
    from .chat import main_chat

    settings = Settings.from_env()
    if args.db:
        settings = replace(settings, db_path=args.db)
    endpoint: Endpoint
    if args.url:
        try:
            endpoint = HttpEndpoint(args.url, args.timeout)
        except ValueError as err:
            logging.error("%s", err)
            return 2
    else:
        endpoint = build_skill(settings).handle
    clock: Callable[[], datetime] = (lambda: args.at.astimezone(UTC)) if args.at else (lambda: datetime.now(UTC))
    # The device settings and reminders APIs, answered locally: reminders work without an Echo.
    with running(time_zone=args.time_zone) as standin:
        def on_consent(status: str) -> None:
            standin.reminders_allowed = standin.reminders_allowed or status == "ACCEPTED"

        alexa = LocalAlexa(endpoint, Resolver(InteractionModel.load(args.locale)), user_id=args.user,
                           locale=args.locale, skill_id=settings.skill_id or LOCAL_SKILL_ID, clock=clock,
                           api_endpoint=standin.url)
        return main_chat(alexa, on_consent, explain=args.explain)


def _local_time_zone() -> str:
    """This machine's IANA time zone name (TZ, /etc/timezone or the /etc/localtime link), else UTC."""
    if os.environ.get("TZ", "").count("/") >= 1:
        return os.environ["TZ"].lstrip(":")
    try:
        return Path("/etc/timezone").read_text().strip() or "UTC"
    except OSError:
        pass
    link = Path("/etc/localtime")
    if link.is_symlink() and "zoneinfo/" in str(link.resolve()):
        return str(link.resolve()).split("zoneinfo/", 1)[1]
    return "UTC"


def _serve(args: argparse.Namespace) -> int:
    from ..config import Settings
    from ..skill import build_skill
    from ..web import create_app, serve

    logging.getLogger().setLevel(logging.INFO)
    settings = Settings.from_env()
    settings = replace(settings, skill_id=args.skill_id or settings.skill_id, db_path=args.db or settings.db_path)
    verifier = None
    if not args.no_verify:
        if not settings.skill_id:
            logging.error("request verification needs the skill id: pass --skill-id or set CLOSER_SKILL_ID "
                          "(or --no-verify for local testing)")
            return 2
        from ..verify import AlexaVerifier
        verifier = AlexaVerifier(settings.skill_id)
    try:
        app = create_app(build_skill(settings), verifier, path=args.path)
    except ValueError as err:
        logging.error("%s", err)
        return 2
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, use_reloader=False)
    else:
        serve(app, args.host, args.port)
    return 0
