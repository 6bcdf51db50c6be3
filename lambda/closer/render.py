"""The one way to build an answer: turns a `Say` into the Alexa response, and enforces the platform limits here.

Text is escaped into SSML; quiet turns become runs of `<break>` (10 s at most each); the chime comes from the
Alexa sound library. Audio length is capped (240 s of speech, 90 s of reprompt) by shortening the quiet, never by
cutting words, and the SSML must stay under 8,000 characters.
"""

from __future__ import annotations

from html import escape

from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import Reprompt, SimpleCard, SsmlOutputSpeech

from .domain.speech import Chime, Pause, Say, Segment

CHIME = "soundbank://soundlibrary/musical/amzn_sfx_bell_short_chime_01"
CHIME_SECONDS = 2
MAX_BREAK = 10
MAX_SSML_CHARS = 8000
MAX_SPEECH_SECONDS = 240
MAX_REPROMPT_SECONDS = 90
WORDS_PER_SECOND = 2.5  # a generous estimate of Alexa's speaking rate; errs towards shorter silences


class SpeechTooLong(ValueError):
    """The words alone break a platform limit: the content must change."""


def ssml(segments: tuple[Segment, ...], max_seconds: int = MAX_SPEECH_SECONDS) -> str:
    """SSML for `segments`, with quiet shortened as needed to fit `max_seconds` of audio."""
    words = sum(len(s.split()) for s in segments if isinstance(s, str))
    fixed = words / WORDS_PER_SECOND + CHIME_SECONDS * sum(isinstance(s, Chime) for s in segments)
    quiet = sum(s.seconds for s in segments if isinstance(s, Pause))
    if fixed > max_seconds:
        raise SpeechTooLong(f"about {fixed:.0f} s of words; the limit is {max_seconds} s")
    scale = min(1.0, (max_seconds - fixed) / quiet) if quiet else 1.0
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            parts.append(escape(segment, quote=False))
        elif isinstance(segment, Pause):
            parts.append(_breaks(int(segment.seconds * scale)))
        else:
            parts.append(f'<audio src="{CHIME}"/>')
    out = "<speak>" + " ".join(p for p in parts if p) + "</speak>"
    if len(out) > MAX_SSML_CHARS:
        raise SpeechTooLong(f"{len(out)} characters of SSML; the limit is {MAX_SSML_CHARS}")
    return out


def _breaks(seconds: int) -> str:
    full, rest = divmod(max(0, seconds), MAX_BREAK)
    return "".join([f'<break time="{MAX_BREAK}s"/>'] * full + ([f'<break time="{rest}s"/>'] if rest else []))


def response(say: Say) -> Response:
    """The response object for `say` (session attributes are added by the SDK from the attributes manager)."""
    if not say.speech:
        return Response()
    reprompt = None
    if not say.end_session and not say.consent:
        if not say.reprompt:
            raise ValueError("an answer that keeps the session open needs a reprompt")
        reprompt = Reprompt(output_speech=SsmlOutputSpeech(ssml=ssml(say.reprompt, MAX_REPROMPT_SECONDS)))
    card = SimpleCard(title=say.card.title, content=say.card.text) if say.card else None
    if say.consent:  # Alexa asks next; the session neither ends nor reprompts meanwhile
        directive = SendRequestDirective(name="AskFor", token=say.consent.token, payload={
            "@type": "AskForPermissionsConsentRequest", "@version": "2",
            "permissionScopes": [{"permissionScope": say.consent.scope, "consentLevel": "ACCOUNT"}]})
        return Response(output_speech=SsmlOutputSpeech(ssml=ssml(say.speech)), card=card, directives=[directive])
    return Response(output_speech=SsmlOutputSpeech(ssml=ssml(say.speech)), reprompt=reprompt, card=card,
                    should_end_session=say.end_session)
