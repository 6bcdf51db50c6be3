"""Today's prompt: one per local day, a different order per household, no repeat before the bank is done."""

from __future__ import annotations

import random
from datetime import date, timedelta

from closer.domain.catalogue import load_catalogue
from closer.domain.household import Household
from closer.domain.prompts import todays_prompt

CATALOGUE = load_catalogue()
DAY = date(2026, 11, 27)


def new_household(seed: int) -> Household:
    from datetime import UTC, datetime

    return Household.new(f"user-{seed}", datetime(2026, 11, 27, tzinfo=UTC), random.Random(seed))


def prompts_over(household: Household, days: int) -> list[str]:
    heard = []
    for offset in range(days):
        household, prompt = todays_prompt(household, CATALOGUE, DAY + timedelta(days=offset))
        heard.append(prompt.id)
    return heard


def test_same_prompt_all_day() -> None:
    h, first = todays_prompt(new_household(1), CATALOGUE, DAY)
    h2, again = todays_prompt(h, CATALOGUE, DAY)
    assert again == first and h2 == h  # hearing it again changes nothing to store


def test_three_cycles_without_a_repeat_inside_a_cycle_or_across_its_edge() -> None:
    size = len(CATALOGUE.prompts)
    heard = prompts_over(new_household(2), 3 * size)
    for cycle in range(3):
        assert len(set(heard[cycle * size:(cycle + 1) * size])) == size
    assert all(a != b for a, b in zip(heard, heard[1:], strict=False))


def test_each_household_has_its_own_order() -> None:
    orders = {tuple(prompts_over(new_household(seed), 10)) for seed in range(5)}
    assert len(orders) == 5
