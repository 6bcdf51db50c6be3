"""The one place where the handlers, the turn interceptors, the content and the store are wired together.

`build_skill()` is called once per process (a Lambda container, a web server, a chat session); `Skill.handle`
then serves each request: JSON event in, JSON response out.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from . import handlers, render
from .config import Settings, open_store
from .domain.catalogue import DEFAULT_LOCALE, Catalogue, load_catalogue
from .domain.speech import Say
from .handlers.errors import Apologise
from .store.base import HouseholdStore
from .store.keeper import HouseholdKeeper
from .turn import CloseTurn, OpenTurn

log = logging.getLogger(__name__)


class Skill:
    """The built skill: the SDK's dispatcher plus the JSON in and out around it."""

    def __init__(self, custom: CustomSkill, catalogue: Catalogue) -> None:
        self.custom = custom
        self.catalogue = catalogue
        self.serializer = DefaultSerializer()

    def handle(self, event: Any, context: Any = None) -> dict[str, Any]:
        try:
            envelope = self.serializer.deserialize(json.dumps(event), RequestEnvelope)
        except Exception as err:  # noqa: BLE001 - a malformed event still gets a spoken answer
            log.warning("malformed request: %r", err)
            return self._apology()
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None or envelope.context is None:
            log.warning("request without request or context")
            return self._apology()
        return cast(dict[str, Any], self.serializer.serialize(self.custom.invoke(envelope, context)))

    def _apology(self) -> dict[str, Any]:
        say = Say.ask(self.catalogue.line("error_apology", DEFAULT_LOCALE),
                      reprompt=self.catalogue.line("error_reprompt", DEFAULT_LOCALE))
        return cast(dict[str, Any], self.serializer.serialize({"version": "1.0", "response": render.response(say)}))


def build_skill(settings: Settings | None = None, store: HouseholdStore | None = None) -> Skill:
    settings = settings or Settings.from_env()
    catalogue = load_catalogue()
    keeper = HouseholdKeeper(store or open_store(settings))
    builder = CustomSkillBuilder()
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # the SDK types it as None
    for handler in handlers.ALL:
        builder.add_request_handler(handler)
    builder.add_global_request_interceptor(OpenTurn(keeper, catalogue, settings.api_timeout))
    builder.add_global_response_interceptor(CloseTurn(keeper, catalogue))
    builder.add_exception_handler(Apologise(catalogue))
    return Skill(builder.create(), catalogue)
