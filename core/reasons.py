"""Reasons the code writes (why a debt moved, why a message was stopped): a code and its params.

A reason stored as a sentence stays in the language of whoever wrote it (a cycle run under
Spanish, a manager browsing in English). So records keep a stable code and a dict of
parameters, and the sentence is made when shown, in the viewer's language.

Each app registers its codes (`reason_register`) at import time of the module that writes
them; `reason_text` renders one. A parameter named in `labels` holds a code (a stage, a
channel): it is shown through that mapping's translated label, never raw.

The free-text `reason` columns stay for what a person typed and for rows written before codes.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.functional import Promise


@dataclass(frozen=True)
class ReasonKind:
    code: str
    template: Promise | str  # gettext_lazy text with %(name)s placeholders
    labels: Mapping[str, Mapping] = field(default_factory=dict)  # param -> {code: lazy label}
    formats: Mapping[str, object] = field(default_factory=dict)  # param -> callable(value) -> str
    render: object = None  # optional callable(params) -> str, for reasons made of a list


_REGISTRY: dict[str, ReasonKind] = {}


def reason_register(
    code: str,
    template,
    *,
    labels: Mapping[str, object] | None = None,
    formats: Mapping[str, object] | None = None,
    render=None,
) -> str:
    """Declare a reason code and its message template; returns the code (for a module constant).

    `labels` maps a parameter to the choices that label its value (a TextChoices class or a
    {code: label} dict); `formats` maps a parameter to a function writing its stored value
    for the reader (a date, in the active language); `render(params)`, when given, makes the
    text instead of the template.
    """
    resolved = {}
    for name, choices in (labels or {}).items():
        resolved[name] = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)
    kind = ReasonKind(
        code=code, template=template, labels=resolved, formats=dict(formats or {}), render=render
    )
    existing = _REGISTRY.get(code)
    if existing is not None and str(existing.template) != str(template):
        raise ValueError(f"reason code {code!r} registered twice with different texts")
    _REGISTRY[code] = kind
    return code


def reason_codes() -> set[str]:
    return set(_REGISTRY)


def reason_text(code: str, params: Mapping | None = None, fallback: str = "") -> str:
    """The reason in the active language; `fallback` (the stored text) when there is no code."""
    if not code:
        return fallback or ""
    kind = _REGISTRY.get(code)
    if kind is None:
        return fallback or code
    if kind.render is not None:
        return str(kind.render(params or {}))
    values = {}
    for name, value in (params or {}).items():
        if name in kind.formats:
            values[name] = kind.formats[name](value)
            continue
        label = kind.labels.get(name, {}).get(value)
        if label is None and isinstance(value, Mapping) and "code" in value:
            # A reason inside a reason (e.g. the rule's own message in a suppression).
            value = reason_text(value["code"], value.get("params"))
        values[name] = str(label) if label is not None else value
    try:
        return str(kind.template) % values
    except (KeyError, TypeError, ValueError):
        return str(kind.template)


@dataclass(frozen=True)
class Reason:
    """A reason to store: its code and JSON-able params. str() renders it in the active language."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return reason_text(self.code, self.params)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params}

    def in_language(self, language: str) -> str:
        with translation.override(language):
            return str(self)


def reason_split(reason) -> tuple[str, dict, str]:
    """(code, params, free text) for storing `reason`: a Reason, or text a person typed."""
    if isinstance(reason, Reason):
        return reason.code, _jsonable(reason.params), ""
    return "", {}, str(reason or "")


_JSON_SCALARS = (str, int, float, bool, type(None))


def _jsonable(params) -> dict:
    # Decimals and dates as JSON stores them (text), so the dict saved is the dict read back.
    params = dict(params or {})
    if all(type(key) is str for key in params) and all(
        type(value) in _JSON_SCALARS for value in params.values()
    ):
        # Already what JSON reads back (the usual case: message planning suppresses tens of
        # thousands of contacts a night, each with its reason's params).
        return params
    return json.loads(json.dumps(params, cls=DjangoJSONEncoder))


# simple-history keeps one free-text column (history_change_reason); a coded reason is stored
# there as this JSON form, so the history can render it in the viewer's language too.
_HISTORY_PREFIX = '{"code":'


def reason_encode(reason) -> str:
    """The text for a free-text reason column that must also carry codes (history rows)."""
    if isinstance(reason, Reason):
        data = {"code": reason.code, "params": _jsonable(reason.params)}
        return json.dumps(data, separators=(",", ":"))
    return str(reason or "")


def reason_decode(text: str | None) -> str:
    """What reason_encode wrote, rendered in the active language (free text as it is)."""
    if not text:
        return ""
    if text.startswith(_HISTORY_PREFIX):
        try:
            data = json.loads(text)
        except ValueError:
            return text
        return reason_text(data.get("code", ""), data.get("params"), fallback=text)
    return text
