"""Writes of message templates: the shipped defaults and the versions creditors' managers write.

A default (creditor NULL) is what every creditor sends until it has its own text; a manager's
edit always lands in their creditor's own template (made from the default on first edit), so
it reaches that creditor's debtors only. Only administrators change a default.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.roles import is_admin
from core.scoping import user_manages_creditor
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


def _owner_for_edit(*, user, template: MessageTemplate, creditor):
    """The creditor whose text the edit writes (None: the shipped default), if `user` may."""
    if template.creditor_id is not None:
        if creditor is not None and creditor.pk != template.creditor_id:
            raise ApplicationError(_("This text belongs to another creditor."), field="creditor")
        creditor_id = template.creditor_id
    elif creditor is not None:
        creditor_id = creditor.pk
    else:
        if not is_admin(user):
            raise ApplicationError(
                _(
                    "Choose the creditor this text is for: only administrators change the "
                    "shipped default."
                ),
                field="creditor",
            )
        return None
    if not user_manages_creditor(user=user, creditor_id=creditor_id):
        raise ApplicationError(_("You do not manage this creditor."), field="creditor")
    return creditor_id


@transaction.atomic
def template_version_create(
    *,
    template: MessageTemplate,
    user,
    subject: str,
    body: str,
    change_note: str = "",
    creditor=None,
    active: bool = True,
) -> MessageTemplateVersion:
    """Store a new version of a creditor's text, or of a default (admins); older ones are kept.

    `template` is the text being edited; editing a default for `creditor` writes that
    creditor's own template (created on first edit) and leaves the default untouched.
    `active=False` stores a draft that is not sent (an experiment's challenger text: only the
    debtors of its arm get it, until it wins and is promoted).
    """
    creditor_id = _owner_for_edit(user=user, template=template, creditor=creditor)
    errors = template_problems(
        channel=template.channel, subject=subject, body=body, language=template.language
    )
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(" ".join(messages), field=field, extra={"errors": errors})
    # Lock the edited row: two first edits of one default for one creditor make one copy.
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if template.creditor_id != creditor_id:
        template, _made = MessageTemplate.objects.get_or_create(
            creditor_id=creditor_id,
            code=template.code,
            channel=template.channel,
            language=template.language,
            defaults={"description": template.description},
        )
        template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return MessageTemplateVersion.objects.create(
        template=template,
        number=number,
        subject=(subject or "").strip(),
        body=body.strip(),
        author=user,
        change_note=change_note[:255],
        is_active=active,
    )


def templates_ensure_defaults() -> int:
    """Create every default template that is missing, with its first version (idempotent);
    returns how many were missing.

    A few statements whatever the number of codes (it runs after every migrate, and after each
    flush of a test database): the missing templates in one INSERT, their texts in another.
    Two seeds at once make each template once: the unique keys decide, and the loser's rows are
    skipped."""
    wanted = {
        (code, channel, language)
        for code, channels in CHANNELS.items()
        for channel in channels
        for language in ("es", "en")
    }
    defaults = MessageTemplate.objects.filter(creditor__isnull=True)
    missing = wanted - set(defaults.values_list("code", "channel", "language"))
    if not missing:
        return 0
    with transaction.atomic():
        MessageTemplate.objects.bulk_create(
            [
                MessageTemplate(creditor=None, code=code, channel=channel, language=language)
                for code, channel, language in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        # Those templates that have no text yet (a concurrent seed may have written some).
        bare = defaults.filter(versions__isnull=True).values_list(
            "pk", "code", "channel", "language"
        )
        versions = []
        for pk, code, channel, language in bare:
            if (code, channel, language) not in missing:
                continue
            subject, body = default_text(code, channel, language)
            versions.append(
                MessageTemplateVersion(
                    template_id=pk,
                    number=1,
                    subject=subject if channel in ("email", "letter", "voice") else "",
                    body=body,
                    change_note="default",
                )
            )
        MessageTemplateVersion.objects.bulk_create(versions, ignore_conflicts=True)
    return len(missing)


TemplateKey = tuple[int | None, str, str, str]


def active_versions() -> dict[TemplateKey, MessageTemplateVersion]:
    """(creditor id or None, code, channel, language) -> newest active version of each template."""
    result = {}
    versions = (
        MessageTemplateVersion.objects.filter(is_active=True, template__is_active=True)
        .select_related("template")
        .order_by("template_id", "-number")
    )
    for version in versions:
        t = version.template
        result.setdefault((t.creditor_id, t.code, t.channel, t.language), version)
    return result


def version_resolve(
    versions: dict[TemplateKey, MessageTemplateVersion],
    *,
    creditor_id: int,
    code: str,
    channel: str,
    language: str,
) -> MessageTemplateVersion | None:
    """The version a creditor's message uses: its own text, else the shipped default.

    The debtor's language comes first (a creditor's Spanish text never replaces the English
    default); without any text in that language, Spanish, the creditor's before the default.
    """
    for lang in dict.fromkeys((language, "es")):
        for owner in (creditor_id, None):
            version = versions.get((owner, code, channel, lang))
            if version is not None:
                return version
    return None
