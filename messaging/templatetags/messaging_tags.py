from django import template
from django.utils import timezone

from core.roles import user_role
from messaging.delivery import message_stuck, notice_failed
from messaging.forms.proofs import LetterProofForm
from messaging.models.templates import template_label as _template_label
from messaging.selectors import letter_proofs_for_debt, messages_for_debt
from messaging.services.compliance.certified import certified_required
from messaging.services.proofs import PROOF_STATUSES, RECORDING_ROLES

register = template.Library()


@register.filter
def template_label(code: str) -> str:
    """A message template code as the name people read, in the active language."""
    return _template_label(code)


@register.inclusion_tag("messaging/_debt_messages.html", takes_context=True)
def debt_messages_panel(context, debt, user):
    """The messages covering a debt (newest first) with every suppression and its rule; the
    notices that failed or bounced, the messages stuck without delivery news, and the
    certified letters waiting for their proof of receipt (with its upload form)."""
    items = messages_for_debt(user=user, debt=debt)
    suppressed = sum(1 for m in items if m.status in ("suppressed", "cancelled"))
    proofs = letter_proofs_for_debt(debt=debt, message_ids=[m.pk for m in items])
    country = debt.debtor.country
    now = timezone.now()
    may_record = user_role(user) in RECORDING_ROLES
    awaiting = []
    for m in items:
        m.stuck = message_stuck(m, now=now, country=country)
        m.certified = certified_required(country=country, template=m.template, channel=m.channel)
        m.proof = proofs.get(m.pk)
        if m.certified and m.proof is None and m.status in PROOF_STATUSES:
            if may_record:
                m.proof_form = LetterProofForm(auto_id=f"proof-{m.pk}-%s")
            awaiting.append(m)
    request = context.get("request")
    return {
        "debt": debt,
        "items": items,
        "suppressed": suppressed,
        "failed_notices": [m for m in items if notice_failed(m)],
        "stuck": sum(1 for m in items if m.stuck),
        "awaiting_proof": awaiting,
        "next": request.get_full_path() if request is not None else "",
    }
