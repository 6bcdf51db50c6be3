"""What to say: a value object the domain returns and the renderer turns into an Alexa response.

Speech is a sequence of plain-text pieces, timed silences and chimes. The domain never writes SSML; the renderer
(`closer.render`) does, in one place, and enforces the platform limits there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pause:
    """A stretch of quiet, in whole seconds (the couple talk to each other meanwhile)."""

    seconds: int


@dataclass(frozen=True)
class Chime:
    """A soft chime that marks the end of a quiet, timed turn."""


Segment = str | Pause | Chime


@dataclass(frozen=True)
class Card:
    """A home card in the Alexa app: a title and plain text."""

    title: str
    text: str


@dataclass(frozen=True)
class Consent:
    """Hand the conversation to Alexa to ask for a permission by voice; the answer comes back with `token`."""

    scope: str
    token: str


@dataclass(frozen=True)
class Say:
    """One answer: speech, the reprompt (required while the session stays open), an optional card.

    With `consent`, Alexa itself asks the couple for a permission after the speech, and the session waits for
    its answer (a Connections.Response request) instead of reprompting.
    """

    speech: tuple[Segment, ...]
    reprompt: tuple[Segment, ...] = ()
    end_session: bool = False
    card: Card | None = None
    consent: Consent | None = None

    @classmethod
    def ask(cls, *speech: Segment | Iterable[Segment], reprompt: Segment | Iterable[Segment],
            card: Card | None = None) -> Say:
        """An answer that keeps the microphone open and reprompts if nobody answers."""
        return cls(_flatten(speech), _flatten((reprompt,)), end_session=False, card=card)

    @classmethod
    def tell(cls, *speech: Segment | Iterable[Segment], card: Card | None = None) -> Say:
        """An answer that ends the session."""
        return cls(_flatten(speech), (), end_session=True, card=card)

    @classmethod
    def ask_consent(cls, *speech: Segment | Iterable[Segment], consent: Consent) -> Say:
        """Say something, then let Alexa ask for the permission."""
        return cls(_flatten(speech), (), end_session=False, consent=consent)

    @classmethod
    def nothing(cls) -> Say:
        """No speech at all (the answer to a SessionEndedRequest)."""
        return cls((), (), end_session=True)

    def text(self) -> str:
        """The spoken words alone, for logs, cards and tests."""
        return " ".join(s for s in self.speech if isinstance(s, str))

    def to_json(self) -> dict[str, Any]:
        return {"speech": _segments_to_json(self.speech), "reprompt": _segments_to_json(self.reprompt),
                "end": self.end_session}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Say:
        return cls(_segments_from_json(data.get("speech", [])), _segments_from_json(data.get("reprompt", [])),
                   end_session=bool(data.get("end", False)))


def _flatten(parts: Iterable[Segment | Iterable[Segment]]) -> tuple[Segment, ...]:
    flat: list[Segment] = []
    for part in parts:
        if isinstance(part, str | Pause | Chime):
            if part != "":
                flat.append(part)
        else:
            flat.extend(_flatten(part))
    return tuple(flat)


def _segments_to_json(segments: tuple[Segment, ...]) -> list[Any]:
    out: list[Any] = []
    for s in segments:
        if isinstance(s, str):
            out.append(s)
        elif isinstance(s, Pause):
            out.append({"pause": s.seconds})
        else:
            out.append({"chime": True})
    return out


def _segments_from_json(items: list[Any]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for item in items:
        if isinstance(item, str):
            segments.append(item)
        elif isinstance(item, dict) and "pause" in item:
            segments.append(Pause(int(item["pause"])))
        elif isinstance(item, dict) and "chime" in item:
            segments.append(Chime())
    return tuple(segments)
