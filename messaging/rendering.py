"""Sandboxed rendering of message templates, and the one place e-mail HTML is made.

Templates use Django template syntax on a dedicated engine whose only library is an allow-list of
Django's built-in tags and filters: no loaders and no `{% include %}`/`{% extends %}` (nothing
reads a file), no `{% load %}`, `{% url %}`, `{% debug %}` or `{% csrf_token %}`, and nothing
that turns escaping off (`{% autoescape %}`, `|safe`, `|safeseq`). The context holds only plain
strings and numbers (no model instances, so no method can be reached from a template). E-mail
HTML is rendered with autoescape on, then cleaned by an allow-list sanitiser whatever the
template itself holds (`Rendered` sanitises its `html` on construction, so no path skips it);
plain-text channels are rendered with autoescape off.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from django.template import Context, Engine, Library, TemplateSyntaxError
from django.template.base import Lexer, TokenType, filter_re
from django.template.defaultfilters import register as default_filters
from django.template.defaulttags import register as default_tags
from django.utils.translation import gettext_lazy as _

# The built-in tags a message template may use: control flow and text helpers. Everything else
# (`include`, `extends`, `block`, `load`, `url`, `debug`, `csrf_token`, `autoescape`,
# `querystring`, and any tag a future Django adds) is simply not in the engine.
ALLOWED_TAGS = (
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "lorem",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
# Built-in filters are pure functions of plain values, except these: `safe` and `safeseq` would
# put a debtor's imported data into the HTML unescaped, `pprint` dumps Python reprs.
FORBIDDEN_FILTERS = ("safe", "safeseq", "pprint")

SANDBOX_LIBRARY = Library()
SANDBOX_LIBRARY.tags.update({name: default_tags.tags[name] for name in ALLOWED_TAGS})
SANDBOX_LIBRARY.filters.update(
    {n: f for n, f in default_filters.filters.items() if n not in FORBIDDEN_FILTERS}
)

# Tags that only close or continue an allowed tag: not reported as forbidden.
_COMPANION_TAG = re.compile(r"^(end\w+|else|elif|empty)$")


class SandboxEngine(Engine):
    """A template engine whose only built-ins are SANDBOX_LIBRARY (no file, URL or debug access)."""

    def __init__(self, *, autoescape: bool):
        super().__init__(
            dirs=[],
            app_dirs=False,
            loaders=[],
            libraries={},
            autoescape=autoescape,
            string_if_invalid="",
        )

    def get_template_builtins(self, builtins):
        return [SANDBOX_LIBRARY]


TEXT_ENGINE = SandboxEngine(autoescape=False)
HTML_ENGINE = SandboxEngine(autoescape=True)

# What an e-mail body may hold once rendered: formatting for a letter-like collection message,
# links (web, mail, phone) and simple tables. No scripts, styles, frames, forms, images or event
# attributes: whatever a template holds, anything else is stripped (with the content, for the
# tags in EMAIL_DROPPED_WITH_CONTENT).
EMAIL_TAGS = {
    "a", "b", "blockquote", "br", "caption", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "small", "span", "strong", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
EMAIL_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}
EMAIL_URL_SCHEMES = {"http", "https", "mailto", "tel"}
EMAIL_DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "title",
}  # fmt: skip
_EMAIL_CLEANER = nh3.Cleaner(
    tags=EMAIL_TAGS,
    clean_content_tags=EMAIL_DROPPED_WITH_CONTENT,
    attributes=EMAIL_ATTRIBUTES,
    url_schemes=EMAIL_URL_SCHEMES,
    strip_comments=True,
    link_rel="noopener noreferrer",
)


def sanitize_email_html(html: str) -> str:
    """`html` keeping only the allow-listed tags, attributes and URL schemes (nh3)."""
    return _EMAIL_CLEANER.clean(html)


def _paragraphs(rendered: str) -> str:
    html = rendered.replace("\r\n", "\n").replace("\n\n", "</p><p>").replace("\n", "<br>")
    return f"<p>{html}</p>"


# The documented context: every name a template may use, with what it holds.
CONTEXT_DOC = {
    "first_name": _("Debtor's first name"),
    "full_name": _("Debtor's full name (letters)"),
    "creditor_name": _("Creditor's name"),
    "amount": _("Total balance of the debts covered, formatted in the debtor's currency"),
    "currency": _("ISO 4217 currency code"),
    "debt_count": _("How many debts the message covers"),
    "debt_refs": _("References of the debts covered, comma separated"),
    "debts": _(
        "List of debts: each has ref, product, amount, due_date, days_past_due, "
        "itemization_date, principal, interest, fees"
    ),
    "due_date": _("Oldest due date among the debts covered, in the debtor's language"),
    "days_past_due": _("Days past due of the oldest debt covered"),
    "portal_link": _("Link to the debtor portal (how to pay)"),
    "optout_link": _("Unsubscribe link for this channel (electronic messages)"),
    "contact_phone": _("Phone number where the debtor reaches a person"),
    "collector_name": _("Name of the assigned collector, or the creditor's team"),
    "business_date": _("Date of the message, in the debtor's language"),
    "itemization_date": _(
        "Validation notice: the itemization date (the oldest due date); each debt has its own"
    ),
    "principal": _("Outstanding principal of the debts covered (each debt has its own too)"),
    "interest": _("Outstanding interest of the debts covered (each debt has its own too)"),
    "fees": _("Outstanding fees of the debts covered (each debt has its own too)"),
    "validation_end_date": _(
        "Validation notice: the end of the validation period (sent today, received 5 business "
        "days later, plus 30 days)"
    ),
    "dispute_address": _("Postal address for disputes and requests for the original creditor"),
}


class TemplateRenderError(Exception):
    pass


def _check_source(source: str) -> None:
    """Name the first tag or filter the sandbox refuses (a clearer error than the engine's)."""
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            if name and name not in ALLOWED_TAGS and not _COMPANION_TAG.match(name):
                raise TemplateRenderError(
                    _("The tag {%% %(tag)s %%} is not allowed in message templates.")
                    % {"tag": name}
                )
            # `{% filter safe %}` applies its argument as a filter chain
            expression = "x|" + " ".join(bits[1:]) if name == "filter" else token.contents
        elif token.token_type == TokenType.VAR:
            expression = token.contents
        else:
            continue
        for match in filter_re.finditer(expression):
            if match.group("filter_name") in FORBIDDEN_FILTERS:
                raise TemplateRenderError(
                    _("The filter |%(filter)s is not allowed in message templates.")
                    % {"filter": match.group("filter_name")}
                )


def compile_source(source: str, *, html: bool = False):
    """Compile a template source on the sandboxed engine (TemplateRenderError if invalid)."""
    _check_source(source)
    try:
        return (HTML_ENGINE if html else TEXT_ENGINE).from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(str(exc)) from exc


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool):
    # A dispatch batch renders the same few template versions hundreds of times: compile each
    # once per worker (a compiled Template holds no per-render state).
    return compile_source(source, html=html)


def render_source(source: str, context: dict, *, html: bool = False) -> str:
    template = _compiled(source, html)
    try:
        return template.render(Context(context, autoescape=html)).strip()
    except Exception as exc:  # a filter on a bad value: report, never crash a dispatch
        raise TemplateRenderError(str(exc)) from exc


@dataclass(frozen=True)
class Rendered:
    """A rendered message; `html` (e-mail only) is the finished, sanitised HTML part.

    `content_sid` (WhatsApp outside the service window): the provider sends that approved
    template with `content_variables` ("1" -> text) instead of the body.
    """

    subject: str
    body: str
    html: str = ""
    content_sid: str = ""
    content_variables: dict = field(default_factory=dict)

    def __post_init__(self):
        # The one place an e-mail's HTML is finished: whoever builds a Rendered, and whatever
        # the template held, channels only ever see HTML that went through the allow-list.
        if self.html:
            object.__setattr__(self, "html", sanitize_email_html(self.html))


def render_version(version, context: dict, *, channel: str) -> Rendered:
    """Subject and body of a template version for one message; e-mail also gets its HTML."""
    subject = render_source(version.subject or "", context) if version.subject else ""
    body = render_source(version.body, context)
    html = ""
    if channel == "email":
        html = _paragraphs(render_source(version.body, context, html=True))
    return Rendered(subject=" ".join(subject.split()), body=body, html=html)
