"""Experiments for the demo: one running policy experiment and one draft template experiment.

Banco Andino tests an earlier firm notice (day 11 instead of 16) on 20 % of its book against its
default policy, started on the demo's date so every debtor is already in an arm; a second
experiment, still a draft, would test a shorter friendly SMS. Both go through the experiments'
own services, as a manager would create them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Max
from django.utils.translation import gettext as _

from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from collections_app.services.policies import policy_ensure_defaults
from experiments.models import ArmRole, Experiment, Metric, Subject
from experiments.services.lifecycle import ArmSpec, experiment_create, experiment_start
from messaging.models import MessageTemplate, MessageTemplateVersion
from portfolio.models import Creditor

CREDITOR = "banco-andino"
MANAGER = "gerente"
# The challenger's firm notice (the default policy's is at 16 days past due).
CHALLENGER_FIRM_DPD = 11
# Marks the challenger SMS text the demo adds to the shipped default template (inactive, so
# never sent outside the experiment); a rebuilt demo reuses it.
TEMPLATE_NOTE = "demo experiment: shorter friendly SMS"
GUARDRAILS = {
    "complaints_per_1000": 5,
    "opt_out_pct": 2,
    "suppressed_pct": 30,
    "contacts_per_payment": 40,
}


@dataclass
class DemoExperiments:
    running: Experiment
    draft: Experiment | None
    assigned: int


def _policy_challenger(champion: EscalationPolicyVersion, *, user) -> EscalationPolicyVersion:
    """A new, non-current version of the policy: the champion with an earlier firm notice."""
    number = champion.policy.versions.aggregate(n=Max("number"))["n"] + 1
    return EscalationPolicyVersion.objects.create(
        policy=champion.policy,
        number=number,
        friendly_dpd=champion.friendly_dpd,
        firm_dpd=CHALLENGER_FIRM_DPD,
        pre_legal_dpd=champion.pre_legal_dpd,
        legal_dpd=champion.legal_dpd,
        legal_min_balance=champion.legal_min_balance,
        legal_notice_days=champion.legal_notice_days,
        grace_days=champion.grace_days,
        cadence=champion.cadence,
        created_by=user,
        change_note=_("Challenger: firm notice from day %(dpd)s") % {"dpd": CHALLENGER_FIRM_DPD},
    )


def _template_arms() -> tuple[MessageTemplateVersion, MessageTemplateVersion] | None:
    """The friendly SMS in Spanish (shipped default) and a shorter challenger text of it."""
    template = MessageTemplate.objects.filter(
        creditor__isnull=True, code="friendly", channel="sms", language="es"
    ).first()
    if template is None:
        return None
    champion = template.versions.filter(is_active=True).order_by("-number").first()
    if champion is None:
        return None
    challenger = template.versions.filter(change_note=TEMPLATE_NOTE).first()
    if challenger is None:
        number = template.versions.aggregate(n=Max("number"))["n"] + 1
        challenger = MessageTemplateVersion.objects.create(
            template=template,
            number=number,
            body=(
                "{{ creditor_name }}: paga hoy tu saldo de {{ amount }} en {{ portal_link }}. "
                "Responde STOP para no recibir más mensajes."
            ),
            is_active=False,
            change_note=TEMPLATE_NOTE,
        )
    return champion, challenger


def demo_experiments(*, as_of: datetime.date) -> DemoExperiments:
    """The demo's experiments on Banco Andino (after its default policy exists)."""
    creditor = Creditor.objects.get(code=CREDITOR)
    user = User.objects.get(username=MANAGER)
    policy_ensure_defaults(creditors=[creditor])
    champion = EscalationPolicy.objects.get(
        creditor=creditor, product="", segment="", is_active=True
    ).current_version
    challenger = _policy_challenger(champion, user=user)
    running = experiment_create(
        user=user,
        creditor=creditor,
        name=_("Earlier firm notice"),
        hypothesis=_(
            "A firm notice from day 11 instead of 16 cures more accounts without more "
            "complaints or opt-outs."
        ),
        subject=Subject.POLICY,
        primary_metric=Metric.CURE_RATE,
        starts_on=as_of,
        ends_on=as_of + datetime.timedelta(days=90),
        baseline_rate=Decimal("20.00"),
        minimum_lift=Decimal("3.00"),
        guardrails=GUARDRAILS,
        arms=[
            ArmSpec("champion", _("Default policy"), ArmRole.CHAMPION, 80, policy_version=champion),
            ArmSpec(
                "firm-day-11",
                _("Firm notice from day 11"),
                ArmRole.CHALLENGER,
                20,
                policy_version=challenger,
            ),
        ],
    )
    counts = experiment_start(user=user, experiment=running, as_of=as_of)
    running.refresh_from_db()
    draft = None
    versions = _template_arms()
    if versions is not None:
        draft = experiment_create(
            user=user,
            creditor=creditor,
            name=_("Shorter friendly SMS"),
            hypothesis=_("A shorter friendly SMS with the payment link first gets more payments."),
            subject=Subject.TEMPLATE,
            primary_metric=Metric.COLLECTED_PER_ACCOUNT,
            starts_on=as_of + datetime.timedelta(days=91),
            ends_on=as_of + datetime.timedelta(days=151),
            guardrails=GUARDRAILS,
            arms=[
                ArmSpec(
                    "champion",
                    _("Current text"),
                    ArmRole.CHAMPION,
                    50,
                    template_version=versions[0],
                ),
                ArmSpec(
                    "short", _("Shorter text"), ArmRole.CHALLENGER, 50, template_version=versions[1]
                ),
            ],
        )
    return DemoExperiments(running=running, draft=draft, assigned=counts["joined"])
