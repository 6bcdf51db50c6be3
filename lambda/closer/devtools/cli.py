"""The `closer` command: developer tools around the skill."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .alexa import LOCAL_SKILL_ID, LOCAL_USER_ID, LocalAlexa
from .model import InteractionModel
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "chat":
        return _chat(args)
    return 2


def _chat(args: argparse.Namespace) -> int:
    from ..config import Settings
    from ..skill import build_skill
    from .chat import main_chat

    settings = Settings.from_env()
    if args.db:
        settings = Settings(skill_id=settings.skill_id, db_path=args.db)
    skill = build_skill(settings)
    clock: Callable[[], datetime] = (lambda: args.at.astimezone(UTC)) if args.at else (lambda: datetime.now(UTC))
    alexa = LocalAlexa(skill.handle, Resolver(InteractionModel.load(args.locale)), user_id=args.user,
                       locale=args.locale, skill_id=settings.skill_id or LOCAL_SKILL_ID, clock=clock)
    return main_chat(alexa)
