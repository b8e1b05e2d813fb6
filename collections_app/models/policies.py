"""Escalation: policies (versioned), holds, the stage-change record, cycle runs, contact actions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from portfolio.models import MONEY, Channel, Creditor, Product, Stage

# Ordered ladder of the stages the daily cycle moves debts through by days past due.
LADDER = (
    Stage.CURRENT,
    Stage.FRIENDLY_REMINDER,
    Stage.FIRM_NOTICE,
    Stage.PRE_LEGAL,
    Stage.LEGAL,
)
# The stages the reminder cadence runs in. A debt in `legal` is in court: outside counsel
# speaks for the creditor and no automatic reminder goes, whatever a policy's cadence lists
# under "legal" (still accepted, so stored policies stay valid). The notices the law requires
# (e.g. the credit bureau's prior notice) are planned apart and still go.
CADENCE_STAGES = tuple(stage for stage in LADDER if stage != Stage.LEGAL)


def default_cadence() -> dict:
    """The reminder cadence of PRODUCT.md's default policy.

    Keys are stages; each rule says when (`dpd` list, `on_entry`, `every_days` since entry, or
    `days_before_due` for the pre-due reminder), on which channels and with which template code.
    """
    return {
        Stage.CURRENT: [
            {"days_before_due": [3], "channels": ["email", "sms"], "template": "pre_due_reminder"},
        ],
        Stage.FRIENDLY_REMINDER: [
            {"dpd": [1, 5, 10], "channels": ["email", "sms", "whatsapp"], "template": "friendly"},
        ],
        Stage.FIRM_NOTICE: [
            {"on_entry": True, "channels": ["email", "letter"], "template": "firm_notice"},
            {"every_days": 7, "channels": ["sms", "whatsapp"], "template": "firm_weekly"},
            {"on_entry": True, "channels": ["voice"], "template": "firm_call"},
        ],
        Stage.PRE_LEGAL: [
            {"on_entry": True, "channels": ["email", "letter"], "template": "pre_legal_notice"},
            {"every_days": 7, "channels": ["voice"], "template": "pre_legal_call"},
        ],
        Stage.LEGAL: [],
    }


CADENCE_KEYS = {"dpd", "on_entry", "every_days", "days_before_due", "channels", "template"}


class EscalationPolicy(TimeStampedModel):
    """Which strategy applies to which debts of a creditor; the rules live in its versions."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="escalation_policies"
    )
    name = models.CharField(_("name"), max_length=120)
    product = models.CharField(
        _("product"), max_length=20, choices=Product, blank=True, help_text=_("Empty: any product.")
    )
    segment = models.CharField(
        _("segment code"), max_length=40, blank=True, help_text=_("Empty: any segment.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "EscalationPolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["creditor_id", "product", "segment", "id"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "product", "segment"],
                condition=Q(is_active=True),
                name="one_active_policy_per_scope",
            ),
        ]

    def __str__(self):
        return f"{self.creditor.code}: {self.name}"

    @property
    def specificity(self) -> int:
        """More specific policies win: product+segment > segment > product > creditor default."""
        return (2 if self.segment else 0) + (1 if self.product else 0)


class EscalationPolicyVersion(models.Model):
    """An immutable set of thresholds and cadence; editing a policy creates a new version."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    friendly_dpd = models.PositiveIntegerField(_("friendly reminder from DPD"), default=1)
    firm_dpd = models.PositiveIntegerField(_("firm notice from DPD"), default=16)
    pre_legal_dpd = models.PositiveIntegerField(_("pre-legal from DPD"), default=46)
    legal_dpd = models.PositiveIntegerField(_("legal from DPD"), default=91)
    legal_min_balance = models.DecimalField(
        _("minimum balance for legal"), default=Decimal("0"), **MONEY
    )
    legal_notice_days = models.PositiveIntegerField(
        _("days between pre-legal notice and legal"), default=10
    )
    grace_days = models.PositiveIntegerField(
        _("grace days"), default=0, help_text=_("Days past due that do not count for the ladder.")
    )
    cadence = models.JSONField(_("reminder cadence"), default=default_cadence)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_note = models.CharField(_("change note"), max_length=255, blank=True)

    class Meta:
        ordering = ["policy_id", "-number"]
        verbose_name = _("escalation policy version")
        verbose_name_plural = _("escalation policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique"),
        ]

    def __str__(self):
        return f"{self.policy} v{self.number}"

    def thresholds(self) -> dict[str, int]:
        return {
            Stage.FRIENDLY_REMINDER: self.friendly_dpd,
            Stage.FIRM_NOTICE: self.firm_dpd,
            Stage.PRE_LEGAL: self.pre_legal_dpd,
            Stage.LEGAL: self.legal_dpd,
        }

    def clean(self):
        errors = {}
        if self.friendly_dpd < 1:
            errors["friendly_dpd"] = _("The friendly reminder starts at 1 day past due or later.")
        ordered = [
            ("firm_dpd", self.firm_dpd, self.friendly_dpd),
            ("pre_legal_dpd", self.pre_legal_dpd, self.firm_dpd),
            ("legal_dpd", self.legal_dpd, self.pre_legal_dpd),
        ]
        for field, value, previous in ordered:
            if value is not None and previous is not None and value <= previous:
                errors[field] = _(
                    "Thresholds must increase stage by stage (%(prev)s → %(value)s)."
                ) % {
                    "prev": previous,
                    "value": value,
                }
        if self.legal_min_balance is not None and self.legal_min_balance < 0:
            errors["legal_min_balance"] = _("The minimum balance cannot be negative.")
        cadence_errors = validate_cadence(self.cadence)
        if cadence_errors:
            errors["cadence"] = cadence_errors
        if errors:
            raise ValidationError(errors)


def validate_cadence(cadence) -> list[str]:
    """Every problem in a cadence definition, as messages for a form or the API."""
    problems: list[str] = []
    if not isinstance(cadence, dict):
        return [str(_("The cadence must be an object keyed by stage."))]
    channels = set(Channel.values)
    for stage, rules in cadence.items():
        if stage not in LADDER:
            problems.append(str(_("Unknown stage %(stage)s.") % {"stage": stage}))
            continue
        if not isinstance(rules, list):
            problems.append(str(_("Stage %(stage)s needs a list of rules.") % {"stage": stage}))
            continue
        for index, rule in enumerate(rules, start=1):
            where = f"{stage} #{index}"
            if not isinstance(rule, dict):
                problems.append(f"{where}: " + str(_("a rule must be an object.")))
                continue
            unknown = set(rule) - CADENCE_KEYS
            if unknown:
                problems.append(
                    f"{where}: " + str(_("unknown keys %(keys)s.") % {"keys": sorted(unknown)})
                )
            if not rule.get("template") or not isinstance(rule.get("template"), str):
                problems.append(f"{where}: " + str(_("a template code is required.")))
            rule_channels = rule.get("channels")
            if not isinstance(rule_channels, list) or not rule_channels:
                problems.append(f"{where}: " + str(_("at least one channel is required.")))
            elif set(rule_channels) - channels:
                problems.append(
                    f"{where}: "
                    + str(
                        _("unknown channels %(c)s.") % {"c": sorted(set(rule_channels) - channels)}
                    )
                )
            triggers = [
                k for k in ("dpd", "on_entry", "every_days", "days_before_due") if k in rule
            ]
            if len(triggers) != 1:
                problems.append(
                    f"{where}: "
                    + str(_("exactly one of dpd, on_entry, every_days, days_before_due."))
                )
                continue
            trigger = triggers[0]
            value = rule[trigger]
            if trigger in ("dpd", "days_before_due"):
                if not isinstance(value, list) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
                ):
                    problems.append(
                        f"{where}: "
                        + str(_("%(key)s must be a list of days >= 0.") % {"key": trigger})
                    )
            elif trigger == "every_days":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    problems.append(
                        f"{where}: " + str(_("every_days must be a whole number >= 1."))
                    )
            elif value is not True:
                problems.append(f"{where}: " + str(_("on_entry must be true.")))
    return problems
