"""The texts a complaint sends (acknowledgement, requests, extensions, answers), es and en.

Staff start an answer from one of these and edit it before sending; what went out is kept on
the complaint's step exactly as sent.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date, locale_for

# code -> (label for staff, subject, body). The body's %(...)s fields come from `text_context`.
TEMPLATES = {
    "acknowledgement": (
        _("Acknowledgement"),
        _("We received your request %(number)s"),
        _(
            "Dear %(name)s,\n\nWe received your request on %(received)s and registered it with "
            "number %(number)s. We will answer by %(due)s at the latest. You can follow it in "
            "the portal with this number.\n\n%(creditor)s"
        ),
    ),
    "info_request": (
        _("Ask for more information"),
        _("We need more information about request %(number)s"),
        _(
            "Dear %(name)s,\n\nTo answer your request %(number)s we need the following:\n\n"
            "%(details)s\n\nYou can reply in the portal with this number.\n\n%(creditor)s"
        ),
    ),
    "extension": (
        _("Extension of the term"),
        _("Request %(number)s: new answer date"),
        _(
            "Dear %(name)s,\n\nWe need more time to answer your request %(number)s properly: "
            "%(details)s\n\nWe will answer by %(new_due)s at the latest.\n\n%(creditor)s"
        ),
    ),
    "answer_upheld": (
        _("Answer: you are right"),
        _("Answer to your request %(number)s"),
        _(
            "Dear %(name)s,\n\nWe reviewed your request %(number)s and you are right. "
            "%(details)s\n\nWe apologise for the inconvenience.\n\n%(creditor)s"
        ),
    ),
    "answer_rejected": (
        _("Answer: the debt stands"),
        _("Answer to your request %(number)s"),
        _(
            "Dear %(name)s,\n\nWe reviewed your request %(number)s. %(details)s\n\n"
            "If you disagree you may contact us again or go to the competent authority.\n\n"
            "%(creditor)s"
        ),
    ),
    "answer_information": (
        _("Answer: information or documents"),
        _("Answer to your request %(number)s"),
        _("Dear %(name)s,\n\nIn answer to your request %(number)s: %(details)s\n\n%(creditor)s"),
    ),
    "verification": (
        _("Verification of the debt"),
        _("Verification of the debt you disputed (%(number)s)"),
        _(
            "Dear %(name)s,\n\nYou disputed the debt %(debt)s. Here is its verification: "
            "%(details)s\n\nCollection of this debt was paused while we verified it.\n\n"
            "%(creditor)s"
        ),
    ),
}

ANSWER_TEMPLATES = ("answer_upheld", "answer_rejected", "answer_information", "verification")


def template_choices(codes=ANSWER_TEMPLATES):
    return [(code, TEMPLATES[code][0]) for code in codes]


def text_context(complaint, *, details: str = "", new_due=None) -> dict:
    """The fields a template fills, written in the complaint's language."""
    locale = locale_for(language=complaint.language, country=complaint.country)
    with translation.override(complaint.language):
        return {
            "name": complaint.debtor.full_name,
            "number": complaint.number,
            "creditor": complaint.creditor.name,
            "debt": complaint.debt.debt_ref if complaint.debt_id else "",
            "received": format_date(complaint.received_on, locale),
            "due": format_date(complaint.answer_due_on, locale),
            "new_due": format_date(new_due, locale) if new_due else "",
            "details": details,
        }


def text_render(code: str, complaint, *, details: str = "", new_due=None) -> tuple[str, str]:
    """(subject, body) of template `code` for this complaint, in the complaint's language."""
    _label, subject, body = TEMPLATES[code]
    context = text_context(complaint, details=details, new_due=new_due)
    with translation.override(complaint.language):
        return str(subject) % context, str(body) % context
