"""The household record: round trips, a bounded size, and a merge that never loses a finished exercise."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from closer.domain.household import HISTORY_LIMIT, Household, Progress, merge

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)


def household() -> Household:
    return Household.new("amzn1.ask.account.TEST", NOW, random.Random(7))


def test_a_record_survives_the_round_trip() -> None:
    h = replace(household(), names=("Sam", "Alex"), names_asked=True,
                progress=Progress("active-listening", "check", 1, 2), preferences=(("reminder", "20:00"),))
    h = h.complete("appreciation", NOW)
    assert Household.from_dict(json.loads(json.dumps(h.to_dict()))) == h


@pytest.mark.parametrize("broken", [{}, {"user_id": "u", "prompts": [1, 2]}, {"user_id": "u", "prompts": "x"},
                                    {"user_id": "u", "prompts": [1, 0, -1, None], "history": [["a"]]}])
def test_a_malformed_record_is_refused_whole(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Household.from_dict(broken)


def test_a_year_of_daily_use_stays_small() -> None:
    h = replace(household(), names=("Alexandria", "Bartholomew"), names_asked=True)
    for day in range(365):
        h = h.complete("boundaries-and-promises", NOW + timedelta(days=day))
    assert len(h.history) == HISTORY_LIMIT and h.completed == 365
    assert len(json.dumps(h.to_dict(), separators=(",", ":"))) < 4096


def test_merge_keeps_both_devices_completions_and_our_newer_progress() -> None:
    base = replace(household(), names=("Sam", "Alex"), version=3)
    ours = base.complete("appreciation", NOW + timedelta(minutes=1))
    ours = replace(ours, progress=Progress("small-wins", "share"))
    theirs = replace(base.complete("active-listening", NOW), version=4)
    merged = merge(base, ours, theirs)
    assert {c.exercise for c in merged.history} == {"appreciation", "active-listening"}
    assert merged.completed == 2
    assert merged.progress == Progress("small-wins", "share")
    assert merged.version == 4


def test_merge_keeps_their_change_where_we_changed_nothing() -> None:
    base = household()
    theirs = replace(base, names=("Sam", "Alex"), names_asked=True, version=2)
    ours = replace(base, progress=Progress("appreciation", "think"))
    merged = merge(base, ours, theirs)
    assert merged.names == ("Sam", "Alex") and merged.progress == Progress("appreciation", "think")


def test_merge_counts_a_completion_the_store_already_holds_only_once() -> None:
    # Our earlier write landed but its answer was lost: the store already has our completion.
    base = replace(household(), version=3)
    ours = base.complete("appreciation", NOW)
    theirs = replace(ours, version=4)
    merged = merge(base, ours, theirs)
    assert merged.completed == 1 and [c.exercise for c in merged.history] == ["appreciation"]
