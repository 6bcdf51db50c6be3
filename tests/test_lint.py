"""`closer lint`: our skill package passes, and a deliberately broken copy is caught, rule by rule."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from closer.devtools.cli import main
from closer.devtools.lint import Finding, Handled, lint, main_lint
from closer.devtools.model import SKILL_PACKAGE

GB_MODEL = "interactionModels/custom/en-GB.json"
GB_SHOWN = f"skill-package/{GB_MODEL}"  # findings name files as seen from the folder above the package


def errors(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.level == "error"]


def test_our_skill_package_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert errors(lint()) == []
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "closer lint: 0 errors" in out
    # The placeholder privacy policy is a warning to replace it before publishing, not an error.
    assert "warning: en-US: privacyPolicyUrl" in out and "placeholder" in out


@pytest.fixture
def package(tmp_path: Path) -> Path:
    copy = tmp_path / "skill-package"
    shutil.copytree(SKILL_PACKAGE, copy)
    return copy


def edit(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def language(data: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = data["interactionModel"]["languageModel"]
    return model


def intent(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in language(data)["intents"] if i["name"] == name)


def slot_value(data: dict[str, Any], type_name: str, value_id: str) -> dict[str, Any]:
    slot_type = next(t for t in language(data)["types"] if t["name"] == type_name)
    return next(v for v in slot_type["values"] if v["id"] == value_id)


def add_sample(name: str, sample: str) -> Callable[[dict[str, Any]], object]:
    return lambda data: intent(data, name)["samples"].append(sample)


def published(data: dict[str, Any], locale: str = "en-GB") -> dict[str, Any]:
    info: dict[str, Any] = data["manifest"]["publishingInformation"]["locales"][locale]
    return info


# (what breaks, the file it breaks, the edit, what the message must say)
MODEL_CASES = [
    ("invocation name with digits", lambda d: language(d).update(invocationName="closer 2gether"),
     'invocation name "closer 2gether" has digits'),
    ("invocation name in capitals", lambda d: language(d).update(invocationName="Closer Together"),
     "must be lowercase"),
    ("one-word invocation name", lambda d: language(d).update(invocationName="closer"), "at least two words"),
    ("launch word in the invocation name", lambda d: language(d).update(invocationName="open closer together"),
     'a launch word, "open"'),
    ("connecting word in the invocation name", lambda d: language(d).update(invocationName="closer for us"),
     'a connecting word, "for"'),
    ("reserved word in the invocation name", lambda d: language(d).update(invocationName="closer together skill"),
     'a reserved word, "skill"'),
    ("period outside an abbreviation", lambda d: language(d).update(invocationName="closer.together now"),
     "periods only in spaced abbreviations"),
    ("apostrophe that is no possessive", lambda d: language(d).update(invocationName="clo'ser together"),
     "apostrophes only for possessives"),
    ("a required built-in intent missing",
     lambda d: language(d).update(intents=[i for i in language(d)["intents"] if i["name"] != "AMAZON.StopIntent"]),
     "the required built-in intent AMAZON.StopIntent is missing"),
    ("custom intent without samples", lambda d: intent(d, "ProgressIntent").update(samples=[]),
     "custom intent ProgressIntent has no sample utterances"),
    ("sample with a digit", add_sample("StartExerciseIntent", "start 2 {exercise}"),
     'StartExerciseIntent sample "start 2 {exercise}" has characters samples may not hold: 2 (spell numbers out)'),
    ("sample with punctuation", add_sample("ListExercisesIntent", "what's on offer?"),
     'ListExercisesIntent sample "what\'s on offer?" has characters samples may not hold: ?'),
    ("unbalanced braces", add_sample("StartExerciseIntent", "begin {exercise now"),
     'StartExerciseIntent sample "begin {exercise now" has unbalanced or nested braces'),
    ("undeclared slot", add_sample("StartExerciseIntent", "play {game}"),
     'StartExerciseIntent sample "play {game}" uses the slot {game}, which StartExerciseIntent does not declare'),
    ("duplicate within an intent", add_sample("StartExerciseIntent", "Start  {exercise}"),
     'StartExerciseIntent sample "Start  {exercise}" duplicates "start {exercise}" in the same intent'),
    ("duplicate across intents, slots treated alike", add_sample("SetNamesIntent", "start {first}"),
     'SetNamesIntent sample "start {first}" conflicts with StartExerciseIntent sample "start {exercise}"'),
    ("wake word in a sample", add_sample("ListExercisesIntent", "alexa list the choices"),
     'ListExercisesIntent sample "alexa list the choices" contains the wake word "alexa"'),
    ("invocation name in a sample", add_sample("ListExercisesIntent", "what does closer together offer"),
     'sample "what does closer together offer" contains the invocation name "closer together"'),
    ("slot of an undefined type",
     lambda d: intent(d, "StartExerciseIntent").update(slots=[{"name": "exercise", "type": "GameName"}]),
     "StartExerciseIntent slot {exercise} has the type GameName, which the model does not define"),
    ("slot type without values",
     lambda d: next(t for t in language(d)["types"] if t["name"] == "ExerciseName").update(values=[]),
     "slot type ExerciseName has no values"),
    ("synonym shared by two values",
     lambda d: slot_value(d, "ExerciseName", "appreciation")["name"]["synonyms"].append("listening"),
     'slot type ExerciseName: the synonym "listening" of "appreciation" duplicates one of "active listening"'),
    ("value ids not unique", lambda d: slot_value(d, "ExerciseName", "small-wins").update(id="appreciation"),
     'slot type ExerciseName: values "appreciation" and "small wins" share the id "appreciation"'),
    ("intent without a handler",
     lambda d: language(d)["intents"].append({"name": "JokeIntent", "samples": ["tell us a joke"]}),
     "intent JokeIntent has no handler (only the catch-all Unhandled would answer it)"),
    ("handled intent missing from a model",
     lambda d: language(d).update(intents=[i for i in language(d)["intents"] if i["name"] != "AMAZON.PauseIntent"]),
     "Conversation.pause handles AMAZON.PauseIntent, which this model does not define"),
]


@pytest.mark.parametrize("change, message", [pytest.param(c, m, id=i) for i, c, m in MODEL_CASES])
def test_each_model_rule_is_caught_in_a_broken_copy(package: Path, change: Callable[[dict[str, Any]], object],
                                                     message: str) -> None:
    edit(package / GB_MODEL, change)
    found = errors(lint(package))
    assert any(f.startswith(f"{GB_SHOWN}: error: ") and message in f for f in found), found
    assert not any("en-US.json" in f for f in found)  # the message names the file that is wrong


MANIFEST_CASES = [
    ("no model for a published locale",
     lambda d: d["manifest"]["publishingInformation"]["locales"].update({"en-NZ": published(d)}),
     "publishingInformation lists en-NZ but there is no interactionModels/custom/en-NZ.json"),
    ("example phrase matching no sample",
     lambda d: published(d)["examplePhrases"].append("Alexa, ask closer together to juggle"),
     'en-GB: example phrase "Alexa, ask closer together to juggle" matches no sample utterance of the model'),
    ("example phrase with an unknown slot value",
     lambda d: published(d).update(examplePhrases=["Alexa, open closer together",
                                                   "Alexa, ask closer together to start yoga"]),
     'example phrase "Alexa, ask closer together to start yoga": exercise is not a value of its slot type'),
    ("first example phrase without the wake word",
     lambda d: published(d).update(examplePhrases=["open closer together"]),
     'the first example phrase starts with the wake word, "Alexa, ..."'),
    ("too many example phrases",
     lambda d: published(d)["examplePhrases"].append("Alexa, ask closer together how are we doing"),
     "en-GB: 4 example phrases; at most 3"),
    ("no privacy policy for a locale",
     lambda d: d["manifest"]["privacyAndCompliance"]["locales"]["en-GB"].pop("privacyPolicyUrl"),
     "en-GB: no privacyPolicyUrl (the skill stores personal data)"),
    ("privacy policy not over https",
     lambda d: d["manifest"]["privacyAndCompliance"]["locales"]["en-GB"].update(
         privacyPolicyUrl="http://closer.example.org/privacy"), "is not an https URL"),
    ("no disclaimer in the description",
     lambda d: published(d).update(description="Closer Together guides the two of you through short exercises."),
     "en-GB: the description needs a disclaimer"),
]


@pytest.mark.parametrize("change, message", [pytest.param(c, m, id=i) for i, c, m in MANIFEST_CASES])
def test_each_manifest_rule_is_caught_in_a_broken_copy(package: Path, change: Callable[[dict[str, Any]], object],
                                                        message: str) -> None:
    edit(package / "skill.json", change)
    found = errors(lint(package))
    assert any(f.startswith("skill-package/skill.json: error: ") and message in f for f in found), found


def test_a_model_that_is_not_json_is_named(package: Path) -> None:
    (package / GB_MODEL).write_text('{"interactionModel": ', encoding="utf-8")
    assert any(f.startswith(f"{GB_SHOWN}: error: not valid JSON") for f in errors(lint(package)))


def test_handlers_are_read_from_what_they_declare(package: Path) -> None:
    class Remind:
        intents = ("RemindMeIntent",)

    class Launch:
        request_type = "LaunchRequest"

        def can_handle(self, handler_input: object) -> bool:
            return False

    handled = Handled.of([Remind(), Launch()])
    assert handled.catch_all is None
    found = errors(lint(package, handled))
    assert f"{GB_SHOWN}: error: Remind handles RemindMeIntent, which this model does not define" in found
    # without a catch-all, nothing answers the fallback intent either
    assert f"{GB_SHOWN}: error: intent AMAZON.FallbackIntent has no handler" in found


def test_errors_fail_the_command_and_warnings_do_not(package: Path) -> None:
    out = io.StringIO()
    assert main_lint(package, out) == 0  # the copy as it is: warnings only
    edit(package / GB_MODEL, add_sample("StartExerciseIntent", "start {exercise"))
    out = io.StringIO()
    assert main_lint(package, out) == 1
    assert "closer lint: 1 error," in out.getvalue()
