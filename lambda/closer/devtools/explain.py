"""Why the resolver heard what it heard: the `--explain` lines of `closer chat` and `closer replay`.

For one utterance: whether a launch phrase opened the skill, every sample (or built-in phrase) that matched with its
score and how the score is made up, and why the winner beat the runner-up. Scores count the characters a match
pins down: the sample's own words plus custom slot values that resolved; the highest wins, and a tie goes to the
sample that comes first in the model.
"""

from __future__ import annotations

from .resolver import FALLBACK, Resolution, Resolver, SlotFill, normalise

SHOWN = 5  # candidates listed; the rest are counted


def explain(resolver: Resolver, text: str, shown: int = SHOWN) -> list[str]:
    heard = resolver.resolve(text)
    lines: list[str] = []
    if "please" in normalise(text).split() and "please" not in (heard.sample or heard.words).split():
        lines.append('"please" let go: the words without it are understood better')
    if heard.launch and heard.intent is None:
        return [*lines, f'launch phrase "{heard.sample}": a LaunchRequest opens the skill']
    if heard.launch:
        lines.append(f'launch phrase with a request: "{heard.words}" is matched against the samples '
                     "(an IntentRequest in a new session)")
    ranked = resolver.candidates(heard.words)
    for candidate in ranked[:shown]:
        lines.append(f"{candidate.score:>4}  {candidate.intent}  \"{candidate.sample}\"{_slots(candidate)}"
                     f"  ({_breakdown(candidate)})")
    if len(ranked) > shown:
        lines.append(f"      and {len(ranked) - shown} more")
    lines.append(_why(heard, ranked))
    return lines


def _why(heard: Resolution, ranked: list[Resolution]) -> str:
    if heard.intent in (FALLBACK, None):
        outcome = FALLBACK if heard.intent == FALLBACK else "nothing (the model has no AMAZON.FallbackIntent)"
        if not ranked:
            return f"why: no sample or built-in phrase matches, so {outcome}"
        return (f"why: every match leaves a custom slot unresolved and pins nothing down, so {outcome}")
    winners = [c for c in ranked if c.score > 0]
    winner = winners[0]
    rivals = [c for c in winners[1:] if c.intent != winner.intent]
    if not rivals:
        return f"why: {winner.intent} is the only intent that matches"
    rival = rivals[0]
    if rival.score == winner.score:
        return (f"why: tied at {winner.score} with {rival.intent} (\"{rival.sample}\"); "
                "the sample that comes first in the model wins")
    return (f"why: {winner.intent} pins down the most characters, {winner.score} against {rival.score} "
            f"for {rival.intent} (\"{rival.sample}\")")


def _slots(candidate: Resolution) -> str:
    return "".join(f"  {name}={_slot(fill)}" for name, fill in candidate.slots.items())


def _slot(fill: SlotFill) -> str:
    if not fill.custom:
        return f'"{fill.value}"'
    if fill.resolved_id is None:
        return f'"{fill.value}" (no {fill.type} value: ER_SUCCESS_NO_MATCH)'
    return f'"{fill.value}" -> {fill.resolved_id}'


def _breakdown(candidate: Resolution) -> str:
    values = candidate.score - candidate.literal
    if candidate.score == 0:
        return "pins nothing down: never chosen"
    return f"{candidate.literal} literal" + (f" + {values} slot value" if values else "")
