"""The OpenAPI schema states every error an operation can answer, not only its success.

drf-spectacular documents the success response of each operation. The error answers come from
machinery every API view shares (authentication, permissions, parsers, pagination, the
exception handler in `core.api`), so they are declared here once, read from the view itself,
instead of repeated by hand on each endpoint and forgotten on the next one.
"""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from core.forms import InputWindowValidator

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NO_NUL_PATTERN = r"^[^\x00]*$"

# DRF's own errors (401, 403, 404, 405, 415, 429) and the handler's 409 say it in `detail`.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A 400 names each field that is wrong with its messages (nested like the request body for
# lists and objects); an error not tied to one field comes under `detail`.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the error responses the view can give."""

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            # An optional query parameter sent empty (`?as_of=`, what a form sends for a field
            # left blank) means the same as leaving it out, everywhere in the API.
            if not parameter.get("required") and schema.get("type") != "array":
                parameter["allowEmptyValue"] = True
            # Free text in a query (a search, a code) is refused when it holds a NUL character,
            # which PostgreSQL cannot store or compare: the forms and serializers that read
            # every query parameter say so with a 400.
            if schema.get("type") == "string" and not schema.keys() & {"enum", "format", "pattern"}:
                schema["pattern"] = NO_NUL_PATTERN
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(self._error_responses())
        for code in sorted(errors.keys() | {c for c in responses if c.startswith(("4", "5"))}):
            declared = responses.get(code)
            if declared is not None and "content" in declared:
                continue  # declared by hand on the endpoint, body and all
            body = self._get_response_for_code(
                self._error_component(code).ref, code, direction=direction
            )
            # A description given by hand on the endpoint says more than the general one.
            body["description"] = declared["description"] if declared else str(errors[code])
            responses[code] = body
        return responses

    def _error_component(self, code: str) -> ResolvedComponent:
        if code == "400":
            name, schema = "ValidationError", VALIDATION_ERROR_SCHEMA
        else:
            name, schema = "Error", ERROR_SCHEMA
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component

    def _error_responses(self) -> list[tuple[str, str]]:
        view, method = self.view, self.method.upper()
        has_body = method in ("POST", "PUT", "PATCH")
        permissions = view.get_permissions()
        authenticators = view.get_authenticators()
        role_checked = any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions)
        # A session (a logged-in browser) must send its CSRF token with a write, whatever the
        # view's permissions: DRF refuses it with a 403 otherwise.
        csrf_checked = method in UNSAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        paginated = self._is_list_view() and self._get_paginator() is not None
        has_path_parameters = "{" in self.path

        errors = []
        if has_body or self._get_parameters() or has_path_parameters:
            errors.append(("400", _("Invalid input: the messages per field; nothing written.")))
        if authenticators:
            # No credentials where they are needed, or invalid ones (a bad token) anywhere.
            errors.append(("401", _("Not authenticated: no credentials, or invalid ones.")))
        if role_checked or csrf_checked:
            errors.append(
                (
                    "403",
                    _("Your role may not do this (or a session request lacks its CSRF token)."),
                ),
            )
        if has_path_parameters or paginated:
            errors.append(("404", _("Not found, or not visible to you (or a page past the end).")))
        if method in UNSAFE_METHODS:
            errors.append(("409", _("Conflicts with a concurrent change; reload and try again.")))
        if has_body:
            errors.append(("415", _("Unsupported content type for the request body.")))
        if view.get_throttles():
            errors.append(("429", _("Too many requests; try again later.")))
        return errors


# The years a bounded date filter takes (core.forms.InputWindowValidator: 1900 to 2199).
INPUT_WINDOW_PATTERN = r"^(?:19|2[01])\d\d-"


class BoundedDjangoFilterExtension(DjangoFilterExtension):
    """django-filter parameters with the bounds their filters enforce (a 400 outside them).

    drf-spectacular maps `NumberFilter(min_value=1)` to a bare integer, so a client (or a fuzzer)
    reading the schema would take `?debtor=0` for valid and be surprised by the 400.
    """

    priority = 1  # over drf-spectacular's own extension for django-filter

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        extra = filter_field.extra
        # The form field's validators: the filter's own bounds and django-filter's (a number
        # filter refuses more than 1e50); the tightest of each kind is the one that holds.
        validators = filter_field.field.validators
        limits = {
            "minimum": (MinValueValidator, max),
            "maximum": (MaxValueValidator, min),
            "maxLength": (MaxLengthValidator, min),
        }
        bounds = {}
        for key, (kind, tightest) in limits.items():
            values = [v.limit_value for v in validators if isinstance(v, kind)]
            if values:
                bounds[key] = tightest(values)
        window = any(isinstance(v, InputWindowValidator) for v in validators)
        for parameter in parameters:
            schema = parameter["schema"]
            schema = schema.get("items", schema)
            schema.update(bounds)
            if window:
                # A date (or date and time) inside the input window: years 1900 to 2199.
                schema["pattern"] = INPUT_WINDOW_PATTERN
            places = extra.get("decimal_places")
            if extra.get("max_digits") is None or places is None:
                continue
            if places == 0:
                # A whole number (an id, a count of days): an integer within its bounds.
                schema.pop("format", None)
                schema.pop("pattern", None)
                schema["type"] = "integer"
                continue
            # An exact amount, as the API writes money: a decimal string, not a float.
            whole = extra["max_digits"] - places
            sign = "" if bounds.get("minimum", -1) >= 0 else "-?"
            for key in ("type", "minimum", "maximum"):
                schema.pop(key, None)
            schema.update(
                type="string",
                format="decimal",
                pattern=rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$",
            )
        return parameters
