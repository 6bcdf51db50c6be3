"""`closer chat`: talk to the skill from a terminal, as you would to an Echo.

Type what you would say ("open closer together", "start active listening", "next"). The text is resolved to an
Alexa request with the skill's own interaction model and handed to the real skill in-process; what Alexa would say
is printed readably, with reprompts, cards and the end of the session marked. It reads standard input, so
`printf 'open closer together\\nhelp\\n' | closer chat` works in scripts. Commands: /wait (stay silent until
Alexa gives up), /quit.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from .alexa import LocalAlexa

SILENCE = re.compile(r'(?:<break time="\d+(?:\.\d+)?m?s"/>\s*)+')


def readable(ssml: str) -> str:
    """SSML as a person would hear it: words, "[quiet 60 s]" for silences, "[chime]" for sounds."""
    def quiet(match: re.Match[str]) -> str:
        seconds = sum(float(t) / (1000 if unit == "ms" else 1)
                      for t, unit in re.findall(r'time="(\d+(?:\.\d+)?)(m?s)"', match.group(0)))
        return f" [quiet {seconds:g} s] "

    text = SILENCE.sub(quiet, ssml)
    text = re.sub(r"<audio [^>]*/>", " [chime] ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).split())


def describe(response: dict[str, Any]) -> list[str]:
    """The lines `closer chat` prints for one response."""
    body = response.get("response") or {}
    lines: list[str] = []
    speech = (body.get("outputSpeech") or {}).get("ssml") or (body.get("outputSpeech") or {}).get("text")
    if speech:
        lines.append(f"Alexa: {readable(speech)}")
    reprompt = ((body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    if reprompt:
        lines.append(f"       (reprompt) {readable(reprompt)}")
    card = body.get("card")
    if card:
        lines.append(f"       [card] {card.get('title', '')}: {card.get('content') or card.get('text', '')}")
    if body.get("shouldEndSession", True) is not False:
        lines.append("       (session ended)")
    return lines


def run(alexa: LocalAlexa, lines: TextIO, out: TextIO, interactive: bool,
        clock_hint: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    if interactive:
        print('Talk to Closer Together as you would to an Echo. Start with "open closer together"; '
              "/wait stays silent, /quit leaves.", file=out)
    while True:
        if interactive:
            print("you> ", end="", file=out, flush=True)
        line = lines.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if not interactive:
            print(f"you> {text}", file=out)
        if text in ("/quit", "/exit"):
            break
        if text == "/wait":
            response = alexa.end("EXCEEDED_MAX_REPROMPTS")
            print("       (silence: Alexa reprompts once, then closes the session)" if response is not None
                  else "       (nothing is listening)", file=out)
            continue
        response = alexa.say(text)
        if response is None:
            print('       (the skill is not open: say "open closer together", '
                  'or "ask closer together to ...")', file=out)
            continue
        for printed in describe(response):
            print(printed, file=out)
    if alexa.in_session:
        alexa.end("USER_INITIATED")
    return 0


def main_chat(alexa: LocalAlexa) -> int:
    return run(alexa, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
