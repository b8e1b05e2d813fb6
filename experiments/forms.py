"""Forms of the experiments pages: the list's filters, the experiment with its arms (a
formset: champion, challengers, an optional hold-out), and the actions' reasons."""

from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField
from experiments.models import ArmRole, ExperimentStatus, Metric, Subject

ANY = [("", _("Any"))]
PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal("99.99"),
}
# The thresholds a strategist may change when drafting a policy challenger.
THRESHOLDS = ("friendly_dpd", "firm_dpd", "pre_legal_dpd", "legal_dpd")


class DateInput(forms.DateInput):
    """A browser date picker: its value is always ISO, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class ExperimentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Experiment name")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *ExperimentStatus.choices]
    )
    creditor = forms.TypedChoiceField(label=_("Creditor"), required=False, coerce=int)
    subject = forms.ChoiceField(
        label=_("What is tested"), required=False, choices=[*ANY, *Subject.choices]
    )

    def __init__(self, *args, creditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].choices = [*ANY, *[(c.pk, c.name) for c in creditors]]


class ExperimentForm(forms.Form):
    """What is tested, on whom, for how long, how it is judged."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=None,
        required=False,
        empty_label=_("Every open debt of the creditor"),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    subject = forms.ChoiceField(label=_("What is tested"), choices=Subject.choices)
    primary_metric = forms.ChoiceField(label=_("Primary metric"), choices=Metric.choices)
    starts_on = BoundedDateField(label=_("Starts on"), widget=DateInput)
    ends_on = BoundedDateField(label=_("Ends on"), widget=DateInput)
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you expect the challenger to change, and why."),
    )
    baseline_rate = forms.DecimalField(
        label=_("Today's rate (%)"),
        required=False,
        help_text=_("The primary metric today, e.g. 12 when 12 in 100 accounts cure."),
        **PCT,
    )
    minimum_lift = forms.DecimalField(
        label=_("Lift to detect (points)"),
        required=False,
        help_text=_("The smallest improvement worth acting on, in percentage points."),
        **PCT,
    )
    complaints_per_1000 = forms.DecimalField(
        label=_("Complaints per 1,000 accounts, at most"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    opt_out_pct = forms.DecimalField(
        label=_("Opt-outs (%), at most"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    suppressed_pct = forms.DecimalField(
        label=_("Suppressed messages (%), at most"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    contacts_per_payment = forms.DecimalField(
        label=_("Contacts per payment, at most"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )

    GUARDRAIL_FIELDS = (
        "complaints_per_1000",
        "opt_out_pct",
        "suppressed_pct",
        "contacts_per_payment",
    )

    def __init__(self, *args, creditors, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["segment"].queryset = segments
        refresh = {
            "hx-get": reverse("experiments:new"),
            "hx-trigger": "change",
            "hx-target": "#experiment-form",
            "hx-select": "#experiment-form",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
        for name in ("creditor", "segment", "subject"):
            self.fields[name].widget.attrs.update(refresh)
        calculate = {
            "hx-get": reverse("experiments:calculator"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#calculator",
            "hx-include": "closest form",
        }
        for name in ("baseline_rate", "minimum_lift"):
            self.fields[name].widget.attrs.update(calculate)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The experiment must end after it starts."))
        segment, creditor = data.get("segment"), data.get("creditor")
        if segment and creditor and segment.creditor_id != creditor.pk:
            self.add_error("segment", _("The segment belongs to another creditor."))
        return data

    def guardrails(self) -> dict:
        return {
            name: str(self.cleaned_data[name])
            for name in self.GUARDRAIL_FIELDS
            if self.cleaned_data.get(name) is not None
        }

    def add_service_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        template = getattr(obj, "template", None)
        if template is not None:
            owner = _("default") if template.creditor_id is None else _("own text")
            where = f"{template.code} · {template.channel} · {template.language}"
            return f"{where} v{obj.number} ({owner})"
        return f"{obj.policy.name} v{obj.number}" + (
            f" · {obj.change_note}" if obj.change_note else ""
        )


class ArmForm(forms.Form):
    """One arm; a row without a share is left out (the spare challenger, the hold-out)."""

    code = forms.SlugField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Arm name"), max_length=120)
    role = forms.ChoiceField(label=_("Role"), choices=ArmRole.choices)
    weight = forms.IntegerField(label=_("Share (%)"), required=False, min_value=1, max_value=99)
    policy_version = VersionChoiceField(label=_("Policy version"), queryset=None, required=False)
    template_version = VersionChoiceField(
        label=_("Template version"), queryset=None, required=False
    )
    max_instalments = forms.IntegerField(
        label=_("Maximum instalments"), required=False, min_value=1, max_value=360
    )
    min_down_pct = forms.DecimalField(
        label=_("Minimum down payment (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    early_payment_discount_pct = forms.DecimalField(
        label=_("Early-payment discount (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    send_from_hour = forms.IntegerField(
        label=_("Send from (hour)"), required=False, min_value=0, max_value=23
    )
    send_to_hour = forms.IntegerField(
        label=_("Send until (hour)"), required=False, min_value=1, max_value=24
    )
    text_subject = forms.CharField(label=_("Subject (e-mail)"), max_length=255, required=False)
    text_body = forms.CharField(
        label=_("Or a new text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    friendly_dpd = forms.IntegerField(label=_("Friendly from DPD"), required=False, min_value=1)
    firm_dpd = forms.IntegerField(label=_("Firm notice from DPD"), required=False, min_value=1)
    pre_legal_dpd = forms.IntegerField(label=_("Pre-legal from DPD"), required=False, min_value=1)
    legal_dpd = forms.IntegerField(label=_("Legal from DPD"), required=False, min_value=1)

    def __init__(self, *args, policy_versions, template_versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_version"].queryset = policy_versions
        self.fields["template_version"].queryset = template_versions
        self.fields["weight"].widget.attrs.update(
            {
                "hx-get": reverse("experiments:calculator"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#calculator",
                "hx-include": "closest form",
            }
        )

    @property
    def in_use(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("weight"))

    def thresholds(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in THRESHOLDS
            if self.cleaned_data.get(name) is not None
        }

    def offer(self) -> dict:
        return {
            name: str(self.cleaned_data[name])
            for name in ("max_instalments", "min_down_pct", "early_payment_discount_pct")
            if self.cleaned_data.get(name) is not None
        }


class BaseArmFormSet(forms.BaseFormSet):
    def __init__(self, *args, policy_versions, template_versions, **kwargs):
        self.choices = {"policy_versions": policy_versions, "template_versions": template_versions}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self.choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            **self.choices,
        )
        self.add_fields(form, None)
        return form


ArmFormSet = forms.formset_factory(
    ArmForm, formset=BaseArmFormSet, extra=0, max_num=8, absolute_max=8, validate_max=True
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ArmReasonForm(ReasonForm):
    arm = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PromoteForm(forms.Form):
    arm = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Why this arm wins"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
