"""Sandboxed rendering of message templates.

Templates use Django template syntax on a dedicated Engine: no loaders (so `{% include %}` and
`{% extends %}` cannot read files), no tag libraries to `{% load %}`, and a context made only
of plain strings and numbers (no model instances, so no method can be reached from a template).
E-mail HTML is rendered with autoescape on; plain-text channels with it off.
"""

from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

# Tags a message template may not use: they read files, dump the context or loop the engine.
FORBIDDEN_TAGS = ("include", "extends", "load", "debug", "ssi", "block", "csrf_token", "url")

TEXT_ENGINE = Engine(
    dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False, string_if_invalid=""
)
HTML_ENGINE = Engine(
    dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True, string_if_invalid=""
)

# The documented context: every name a template may use, with what it holds.
CONTEXT_DOC = {
    "first_name": _("Debtor's first name"),
    "full_name": _("Debtor's full name (letters)"),
    "creditor_name": _("Creditor's name"),
    "amount": _("Total balance of the debts covered, formatted in the debtor's currency"),
    "currency": _("ISO 4217 currency code"),
    "debt_count": _("How many debts the message covers"),
    "debt_refs": _("References of the debts covered, comma separated"),
    "debts": _("List of debts: each has ref, product, amount, due_date, days_past_due"),
    "due_date": _("Oldest due date among the debts covered, in the debtor's language"),
    "days_past_due": _("Days past due of the oldest debt covered"),
    "portal_link": _("Link to the debtor portal (how to pay)"),
    "optout_link": _("Unsubscribe link for this channel (electronic messages)"),
    "contact_phone": _("Phone number where the debtor reaches a person"),
    "collector_name": _("Name of the assigned collector, or the creditor's team"),
    "business_date": _("Date of the message, in the debtor's language"),
}


class TemplateRenderError(Exception):
    pass


def _check_tags(source: str) -> None:
    for tag in FORBIDDEN_TAGS:
        if f"{{% {tag}" in source or f"{{%{tag}" in source:
            raise TemplateRenderError(
                _("The tag {%% %(tag)s %%} is not allowed in message templates.") % {"tag": tag}
            )


def compile_source(source: str, *, html: bool = False):
    """Compile a template source on the sandboxed engine (TemplateRenderError if invalid)."""
    _check_tags(source)
    try:
        return (HTML_ENGINE if html else TEXT_ENGINE).from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(str(exc)) from exc


def render_source(source: str, context: dict, *, html: bool = False) -> str:
    template = compile_source(source, html=html)
    try:
        return template.render(Context(context, autoescape=html)).strip()
    except Exception as exc:  # a filter on a bad value: report, never crash a dispatch
        raise TemplateRenderError(str(exc)) from exc


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str = ""


def render_version(version, context: dict, *, channel: str) -> Rendered:
    """Subject and body of a template version for one message; e-mail also gets its HTML."""
    subject = render_source(version.subject or "", context) if version.subject else ""
    body = render_source(version.body, context)
    html = ""
    if channel == "email":
        html = render_source(version.body, context, html=True)
    return Rendered(subject=" ".join(subject.split()), body=body, html=html)
