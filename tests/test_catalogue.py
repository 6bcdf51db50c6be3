"""The content catalogue: the real content is valid, and broken content is caught with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from closer.domain.catalogue import CONTENT_DIR, MIN_PROMPTS, CatalogueError, load_catalogue


def test_the_shipped_content_is_complete() -> None:
    catalogue = load_catalogue()
    assert {e.section for e in catalogue.exercises.values()} == set(range(1, 9))
    assert {"active-listening", "appreciation", "small-wins"} <= set(catalogue.exercises)
    assert len(catalogue.prompts) >= MIN_PROMPTS
    assert len({p.text for p in catalogue.prompts}) == len(catalogue.prompts)


def test_active_listening_has_the_reflect_and_confirm_loop() -> None:
    exercise = load_catalogue().exercise("active-listening")
    check = exercise.step("check")
    assert check.yes_no and check.no_goto == "clarify"
    assert exercise.step("clarify").detour and exercise.step("clarify").goto == "check"
    assert exercise.rounds == 2


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    target = content / file
    text = target.read_text()
    assert old in text, f"{old!r} not in {file}"
    target.write_text(text.replace(old, new, 1))
    return content


@pytest.mark.parametrize("file, old, new, message", [
    ("exercises/active-listening.toml", 'id = "floor"', 'id = "floor"\ncolour = "blue"', "unknown field 'colour'"),
    ("exercises/active-listening.toml", "{listener}, in your own words", "{listenr}, in your own words",
     "unknown placeholder {listenr}"),
    ("exercises/active-listening.toml", 'no_goto = "clarify"', 'no_goto = "clarfy"', "unknown step 'clarfy'"),
    ("exercises/active-listening.toml", 'id = "empathy"', 'id = "empathy"\ndetour = true',
     "step 'empathy' can never be reached"),
    ("exercises/active-listening.toml", "timed = 60\n", "timed = 600\n", "'timed' must be a whole number"),
    ("exercises/active-listening.toml", 'id = "active-listening"', 'id = "listening"', "id must be"),
    ("exercises/active-listening.toml", "\nclosing = ", "\nclosed = ", "closing: missing text"),
    ("exercises/active-listening.toml", 'after = "When you have something in mind, say next."\n', "",
     "a timed step needs 'after'"),
    ("exercises/active-listening.toml", "section = 3", "section = 9", "'section' must be"),
    ("strings.toml", "goodbye = ", "farewell = ", "missing 'goodbye'"),
    ("strings.toml", 'names_saved = ["Lovely to meet you, {names}."', 'names_saved = ["Hi {couple}."',
     "unknown placeholder {couple}"),
    ("prompts.toml", "[[prompt]]\nid = ", "[[prompt]]\nid = \"kind-moment\"\nuid = ", "unknown field 'uid'"),
])
def test_broken_content_is_reported(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    content = broken_copy(tmp_path, file, old, new)
    with pytest.raises(CatalogueError) as error:
        load_catalogue.__wrapped__(content)
    assert message in str(error.value)


def test_a_missing_guide_section_and_a_thin_prompt_bank_are_errors(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "exercises" / "weekly-check-in.toml").unlink()
    prompts = (content / "prompts.toml").read_text().split("[[prompt]]")
    (content / "prompts.toml").write_text("[[prompt]]".join(prompts[:10]))
    with pytest.raises(CatalogueError) as error:
        load_catalogue.__wrapped__(content)
    assert "guide section 8 has no exercise" in str(error.value)
    assert f"the bank needs at least {MIN_PROMPTS}" in str(error.value)
