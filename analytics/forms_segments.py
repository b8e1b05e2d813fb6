"""Forms of the segment pages: a segment and its ordered rules (an inline formset)."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from analytics.models import SegmentDefinition, SegmentRule
from analytics.models.segments import AGING_BUCKET_CHOICES
from core.money import CURRENCIES
from portfolio.models import Country, Product


class SegmentForm(forms.ModelForm):
    class Meta:
        model = SegmentDefinition
        fields = ["creditor", "code", "name", "strategy", "priority", "field_visits", "is_active"]
        widgets = {"strategy": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, creditors, allow_global: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].required = not allow_global
        self.fields["creditor"].empty_label = _("All creditors") if allow_global else None
        self.allow_global = allow_global
        if self.instance.is_catch_all:
            for name in ("creditor", "code", "priority", "is_active"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        creditor, code = data.get("creditor"), data.get("code")
        if code:
            clash = SegmentDefinition.objects.filter(creditor=creditor, code=code).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("code", _("Another segment already uses this code."))
        return data


class CommaListField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [part.strip() for part in (value or "").split(",") if part.strip()]


class SegmentRuleForm(forms.ModelForm):
    aging_buckets = forms.MultipleChoiceField(
        choices=AGING_BUCKET_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Aging buckets"),
    )
    products = forms.MultipleChoiceField(
        choices=Product.choices, required=False, label=_("Products")
    )
    countries = forms.MultipleChoiceField(
        choices=Country.choices, required=False, label=_("Countries")
    )
    regions = CommaListField(
        required=False, max_length=500, label=_("Regions"), help_text=_("Comma-separated.")
    )

    class Meta:
        model = SegmentRule
        fields = [
            "position",
            "aging_buckets",
            "currency",
            "balance_min",
            "balance_max",
            "products",
            "countries",
            "regions",
            "payment_behaviour",
            "score_min",
            "score_max",
        ]

    def clean_currency(self):
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if value and value not in CURRENCIES:
            raise forms.ValidationError(_("Unknown currency (use an ISO 4217 code)."))
        return value

    def clean(self):
        data = super().clean()
        low, high = data.get("balance_min"), data.get("balance_max")
        if (low is not None or high is not None) and not data.get("currency"):
            self.add_error("currency", _("A balance band needs its currency."))
        for name in ("balance_min", "balance_max"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("The balance cannot be negative."))
        if low is not None and high is not None and low > high:
            self.add_error("balance_max", _("The band ends below where it starts."))
        smin, smax = data.get("score_min"), data.get("score_max")
        for name in ("score_min", "score_max"):
            if data.get(name) is not None and data[name] > 100:
                self.add_error(name, _("The score goes from 0 to 100."))
        if smin is not None and smax is not None and smin > smax:
            self.add_error("score_max", _("The range ends below where it starts."))
        return data


SegmentRuleFormSet = inlineformset_factory(
    SegmentDefinition,
    SegmentRule,
    form=SegmentRuleForm,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)
