"""DRF parsers. Kept apart from core.api: settings name this class, and rest_framework.views
resolves DEFAULT_PARSER_CLASSES while core.api is still importing it."""

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, refusing bodies it could parse but nobody could store or echo back."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("JSON parse error: the body is nested too deeply.")
            ) from exc
        try:
            # "\ud800" is valid JSON but a lone surrogate: PostgreSQL cannot store it and the
            # renderer cannot even echo it back in an error message.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise exceptions.ParseError(
                _("JSON parse error: the body contains text that is not valid Unicode.")
            ) from exc
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("JSON parse error: the body is nested too deeply.")
            ) from exc
        return data
