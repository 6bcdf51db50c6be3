"""The last line of defence: any exception becomes a short spoken apology, and the session stays usable.

Because the turn's response interceptor does not run after an exception, nothing the failed turn changed is
stored, and the session attributes the request arrived with are sent back unchanged.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import render
from ..domain.catalogue import Catalogue
from ..domain.speech import Say
from ..turn import locale_of
from .navigation import SILENT_REQUESTS

log = logging.getLogger(__name__)


class Apologise(AbstractExceptionHandler):
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        log.error("turn failed on %s: %r", getattr(request, "object_type", "?"), exception, exc_info=exception)
        if getattr(request, "object_type", None) in SILENT_REQUESTS:
            return Response()
        locale = locale_of(handler_input)
        return render.response(Say.ask(self.catalogue.line("error_apology", locale),
                                       reprompt=self.catalogue.line("error_reprompt", locale)))
