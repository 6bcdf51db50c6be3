"""Today's appreciation prompt: the same one all day, a new one each day, no repeat until the bank is done.

Each household walks its own shuffled order of the bank (seeded by the household's random seed and the cycle
number), so two couples rarely hear the same prompt on the same day.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from .catalogue import Catalogue, Prompt
from .household import Household, PromptRotation


def todays_prompt(household: Household, catalogue: Catalogue, today: date) -> tuple[Household, Prompt]:
    """The prompt for `today`, and the household with its rotation moved on if today is a new day."""
    rotation = household.prompts
    bank = {p.id: p for p in catalogue.prompts}
    if rotation.day != today.isoformat() or rotation.position < 0:
        position, cycle = rotation.position + 1, rotation.cycle
        if position >= len(bank):
            position, cycle = 0, cycle + 1
        rotation = PromptRotation(rotation.seed, cycle, position, today.isoformat())
        household = replace(household, prompts=rotation)
    prompt_id = _order(rotation.seed, rotation.cycle, sorted(bank))[rotation.position % len(bank)]
    return household, bank[prompt_id]


def _order(seed: int, cycle: int, ids: list[str]) -> list[str]:
    order = list(ids)
    random.Random(f"{seed}:{cycle}").shuffle(order)
    if cycle > 0 and len(order) > 1:
        # Never hear the same prompt twice in a row across the end of one cycle and the start of the next.
        last_of_previous = _order(seed, cycle - 1, ids)[-1]
        if order[0] == last_of_previous:
            order[0], order[1] = order[1], order[0]
    return order
