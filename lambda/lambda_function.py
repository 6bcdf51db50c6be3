"""AWS Lambda entry point: hands each Alexa event to the skill, built once per container."""

from typing import Any

from closer.skill import build_skill

skill = build_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return skill.handle(event, context)
