"""Writes of message templates: the seeded defaults and new versions made by managers."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.rendering import TemplateRenderError, render_source
from messaging.services.context import SAMPLE_MARKERS, sample_context
from messaging.services.default_texts import CHANNELS, default_text

ELECTRONIC = ("email", "sms", "whatsapp")
OPTOUT_WORDS = ("STOP", "BAJA")


def template_problems(*, channel: str, subject: str, body: str, language: str = "es") -> dict:
    """Field errors of a template text: it must compile, render and state what the law asks."""
    errors: dict[str, list[str]] = {}
    context = sample_context(language)
    rendered = {}
    for field, source in (("subject", subject), ("body", body)):
        try:
            rendered[field] = render_source(source or "", context)
        except TemplateRenderError as exc:
            errors.setdefault(field, []).append(
                _("The template does not compile: %(error)s") % {"error": exc}
            )
    if errors:
        return errors
    if channel in ("email", "letter") and not (subject or "").strip():
        errors.setdefault("subject", []).append(_("E-mails and letters need a subject."))
    if not (body or "").strip():
        errors.setdefault("body", []).append(_("The body cannot be empty."))
        return errors
    text = rendered["subject"] + "\n" + rendered["body"]
    required = {
        "amount": _("the amount owed ({{ amount }})"),
        "creditor_name": _("the creditor ({{ creditor_name }})"),
    }
    if channel != "voice":
        required["portal_link"] = _("how to pay ({{ portal_link }})")
        required["contact_phone"] = _("how to reach a person ({{ contact_phone }})")
    missing = [label for name, label in required.items() if SAMPLE_MARKERS[name] not in text]
    if channel == "email" and SAMPLE_MARKERS["optout_link"] not in text:
        missing.append(_("the opt-out link ({{ optout_link }})"))
    if channel in ("sms", "whatsapp") and not (
        SAMPLE_MARKERS["optout_link"] in text or any(w in text.upper() for w in OPTOUT_WORDS)
    ):
        missing.append(_("the opt-out instruction (“Responde STOP” or {{ optout_link }})"))
    if missing:
        errors.setdefault("body", []).append(
            _("The message must state %(items)s.") % {"items": "; ".join(str(m) for m in missing)}
        )
    return errors


@transaction.atomic
def template_version_create(
    *, template: MessageTemplate, subject: str, body: str, author=None, change_note: str = ""
) -> MessageTemplateVersion:
    """Store a new version of the template (validated); older versions are kept."""
    errors = template_problems(
        channel=template.channel, subject=subject, body=body, language=template.language
    )
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(" ".join(messages), field=field, extra={"errors": errors})
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return MessageTemplateVersion.objects.create(
        template=template,
        number=number,
        subject=(subject or "").strip(),
        body=body.strip(),
        author=author,
        change_note=change_note[:255],
    )


def templates_ensure_defaults() -> int:
    """Create every default template that is missing (idempotent); returns how many were made."""
    existing = set(MessageTemplate.objects.values_list("code", "channel", "language"))
    created = 0
    for code, channels in CHANNELS.items():
        for channel in channels:
            for language in ("es", "en"):
                if (code, channel, language) in existing:
                    continue
                subject, body = default_text(code, channel, language)
                with transaction.atomic():
                    template, made = MessageTemplate.objects.get_or_create(
                        code=code, channel=channel, language=language
                    )
                    if made or not template.versions.exists():
                        MessageTemplateVersion.objects.create(
                            template=template,
                            number=1,
                            subject=subject if channel in ("email", "letter", "voice") else "",
                            body=body,
                            change_note="default",
                        )
                        created += 1
    return created


def active_versions() -> dict[tuple[str, str, str], MessageTemplateVersion]:
    """(code, channel, language) -> the newest active version of every active template."""
    result = {}
    versions = (
        MessageTemplateVersion.objects.filter(is_active=True, template__is_active=True)
        .select_related("template")
        .order_by("template_id", "-number")
    )
    for version in versions:
        t = version.template
        result.setdefault((t.code, t.channel, t.language), version)
    return result
