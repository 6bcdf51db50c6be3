"""`closer chat`: talk to the skill from a terminal, as you would to an Echo.

Type what you would say ("open closer together", "start active listening", "next"). The text is resolved to an
Alexa request with the skill's own interaction model and handed to the real skill in-process; what Alexa would say
is printed readably, with reprompts, cards and the end of the session marked. It reads standard input, so
`printf 'open closer together\\nhelp\\n' | closer chat` works in scripts. Commands: /wait (stay silent until
Alexa gives up), /quit. When the skill asks for a permission, Alexa's own question is shown and the next line
answers it.
"""

from __future__ import annotations

import contextlib
import html
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from .alexa import LocalAlexa
from .explain import explain as explain_lines
from .remote import EndpointError

CONSENT_QUESTION = ("Do you give Closer Together permission to create reminders? "
                    "You can say: I approve, or no.")
APPROVALS = {"yes", "i approve", "approve", "yes i approve", "sure", "ok", "okay", "yes please"}
REFUSALS = {"no", "no thanks", "i don't approve", "don't", "nope", "no thank you"}
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
    if any(d.get("type") == "Connections.SendRequest" for d in body.get("directives") or []):
        lines.append("       (Alexa asks for a permission; the session waits for the answer)")
    elif body.get("shouldEndSession", True) is not False:
        lines.append("       (session ended)")
    return lines


def run(alexa: LocalAlexa, lines: TextIO, out: TextIO, interactive: bool,
        on_consent: Callable[[str], None] = lambda status: None, explain: bool = False) -> int:
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
        try:
            response = _turn(alexa, text, on_consent, out if explain else None)
        except EndpointError as err:  # `--url`: the server is down or refused the request; the chat goes on
            print(f"       (no answer: {err})", file=out)
            continue
        if text == "/wait":
            print("       (silence: Alexa reprompts once, then closes the session)" if response is not None
                  else "       (nothing is listening)", file=out)
            continue
        if response is None:
            print('       (the skill is not open: say "open closer together", '
                  'or "ask closer together to ...")', file=out)
            continue
        for printed in describe(response):
            print(printed, file=out)
        if alexa.consent is not None:
            print(f"Alexa: {CONSENT_QUESTION}", file=out)
    if alexa.in_session:
        with contextlib.suppress(EndpointError):
            alexa.end("USER_INITIATED")
    return 0


def _turn(alexa: LocalAlexa, text: str, on_consent: Callable[[str], None],
          explained_to: TextIO | None) -> dict[str, Any] | None:
    """Hand one typed line to Alexa: silence for /wait, the answer to a permission question, or speech."""
    if text == "/wait":
        return alexa.end("EXCEEDED_MAX_REPROMPTS")
    if alexa.consent is not None and not text.startswith("/"):
        status = "ACCEPTED" if text.lower() in APPROVALS else "DENIED" if text.lower() in REFUSALS \
            else "NOT_ANSWERED"
        on_consent(status)
        return alexa.answer_consent(status)
    if explained_to is not None and alexa.resolver is not None:
        for line in explain_lines(alexa.resolver, text):
            print(f"       (explain) {line}", file=explained_to)
    return alexa.say(text)


def main_chat(alexa: LocalAlexa, on_consent: Callable[[str], None] = lambda status: None,
              explain: bool = False) -> int:
    return run(alexa, sys.stdin, sys.stdout, interactive=sys.stdin.isatty(), on_consent=on_consent,
               explain=explain)
