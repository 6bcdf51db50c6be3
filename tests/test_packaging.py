"""The project's pieces agree: requirements and pyproject, the models of every locale, content and handlers."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from packaging.requirements import Requirement

from closer import handlers
from closer.devtools.model import SKILL_PACKAGE, InteractionModel
from closer.devtools.resolver import Resolver
from closer.domain.catalogue import load_catalogue
from closer.handlers.navigation import Unhandled

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
MANIFEST = json.loads((SKILL_PACKAGE / "skill.json").read_text())["manifest"]


def test_lambda_requirements_are_pinned_within_the_pyproject_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    pinned = [Requirement(line) for line in (ROOT / "lambda" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert {r.name for r in pinned} == set(declared)
    for requirement in pinned:
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{requirement} must be pinned for a repeatable bundle"
        assert declared[requirement.name].specifier.contains(spec.version), f"{requirement} outside pyproject"


def test_every_locale_shares_the_english_model() -> None:
    models = {locale: (SKILL_PACKAGE / "interactionModels" / "custom" / f"{locale}.json").read_text()
              for locale in LOCALES}
    assert len(set(models.values())) == 1
    assert set(MANIFEST["publishingInformation"]["locales"]) == set(LOCALES)


def test_the_exercise_slot_names_exactly_the_catalogue() -> None:
    model = InteractionModel.load()
    assert model.invocation_name == "closer together"
    assert {v.id for v in model.types["ExerciseName"]} == set(load_catalogue().exercises)


def _handled(intent: str) -> bool:
    event = {"version": "1.0", "request": {"type": "IntentRequest", "intent": {"name": intent}},
             "session": {"new": False}, "context": {"System": {}}}
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    handler_input = HandlerInput(request_envelope=envelope)
    return any(h.can_handle(handler_input) for h in handlers.ALL if not isinstance(h, Unhandled))


@pytest.mark.parametrize("intent", [i.name for i in InteractionModel.load().intents
                                    if i.name != "AMAZON.FallbackIntent"])
def test_every_intent_in_the_model_has_its_own_handler(intent: str) -> None:
    assert _handled(intent)


def test_the_manifest_is_ready_for_certification() -> None:
    resolver = Resolver(InteractionModel.load())
    for locale, info in MANIFEST["publishingInformation"]["locales"].items():
        assert info["name"] == "Closer Together"
        assert "not therapy" in info["description"]
        for phrase in info["examplePhrases"]:
            heard = resolver.resolve(phrase)
            assert heard.launch and heard.intent != "AMAZON.FallbackIntent", phrase
        privacy = MANIFEST["privacyAndCompliance"]["locales"][locale]
        assert privacy["privacyPolicyUrl"].startswith("https://")
        assert privacy["termsOfUseUrl"].startswith("https://")
    assert MANIFEST["privacyAndCompliance"]["usesPersonalInfo"] is True


def test_the_manifest_declares_the_reminders_permission_the_skill_asks_for() -> None:
    from closer.domain.reminders import PERMISSION_SCOPE

    assert {"name": PERMISSION_SCOPE} in MANIFEST["permissions"]
