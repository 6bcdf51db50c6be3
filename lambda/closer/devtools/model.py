"""Reading the skill package: the interaction model of a locale, as plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The skill package sits beside lambda/ in the repository; a checkout is needed for the dev tools.
SKILL_PACKAGE = Path(__file__).resolve().parents[3] / "skill-package"


@dataclass(frozen=True)
class SlotValue:
    id: str
    name: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Intent:
    name: str
    samples: tuple[str, ...]
    slots: dict[str, str]  # slot name -> slot type


@dataclass(frozen=True)
class InteractionModel:
    invocation_name: str
    intents: tuple[Intent, ...]
    types: dict[str, tuple[SlotValue, ...]]

    @classmethod
    def load(cls, locale: str = "en-US", package: Path = SKILL_PACKAGE) -> InteractionModel:
        path = package / "interactionModels" / "custom" / f"{locale}.json"
        return cls.parse(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def parse(cls, data: dict[str, Any]) -> InteractionModel:
        language = data["interactionModel"]["languageModel"]
        intents = tuple(
            Intent(i["name"], tuple(i.get("samples", [])), {s["name"]: s["type"] for s in i.get("slots", [])})
            for i in language["intents"])
        types = {
            t["name"]: tuple(SlotValue(v.get("id") or v["name"]["value"], v["name"]["value"],
                                       tuple(v["name"].get("synonyms", []))) for v in t["values"])
            for t in language.get("types", [])}
        return cls(language["invocationName"], intents, types)

    def intent(self, name: str) -> Intent | None:
        return next((i for i in self.intents if i.name == name), None)
