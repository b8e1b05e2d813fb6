"""Forms of analytics: the dashboard's filters (shared by the page and `GET /api/v1/kpis/`)
and the segment pages (a segment and its ordered rules, an inline formset)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from analytics.models import SegmentDefinition, SegmentRule
from analytics.models.segments import AGING_BUCKET_CHOICES
from collections_app.models import Interaction
from core.forms import BoundedDateField
from core.money import CURRENCIES
from core.roles import COLLECTOR
from portfolio.models import Country, Debt, Portfolio, Product
from portfolio.selectors import creditor_list

MAX_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class KpiFilters:
    creditor_ids: tuple[int, ...]  # what the user may see, narrowed by the creditor filter
    date_from: datetime.date
    date_to: datetime.date
    portfolio_id: int | None = None
    segment_id: int | None = None
    collector_id: int | None = None
    currency: str = ""
    channel: str = ""  # a contact channel (Interaction.Channel): contact figures only

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous(self) -> tuple[datetime.date, datetime.date]:
        """The period of the same length just before this one."""
        end = self.date_from - datetime.timedelta(days=1)
        return end - datetime.timedelta(days=self.days - 1), end


class SafeModelChoiceField(forms.ModelChoiceField):
    """A model choice that refuses text the database cannot even compare (NUL, huge input)."""

    def to_python(self, value):
        if isinstance(value, str) and ("\x00" in value or len(value) > 100):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class KpiFilterForm(forms.Form):
    creditor = SafeModelChoiceField(
        queryset=None, required=False, to_field_name="code", label=_("Creditor")
    )
    portfolio = SafeModelChoiceField(queryset=None, required=False, label=_("Portfolio"))
    segment = SafeModelChoiceField(queryset=None, required=False, label=_("Segment"))
    collector = SafeModelChoiceField(queryset=None, required=False, label=_("Collector"))
    currency = forms.CharField(
        required=False,
        max_length=3,
        label=_("Currency"),
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("A three-letter currency code."))],
    )
    channel = forms.ChoiceField(
        required=False,
        label=_("Contact channel"),
        choices=[("", _("All")), *Interaction.Channel.choices],
    )
    date_from = BoundedDateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, default_to: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.default_to = default_to
        creditors = creditor_list(user=user).order_by("name")
        self.creditors = creditors
        self.fields["creditor"].queryset = creditors
        # Real labels: "All" for no filter, people by name, the currencies of the books.
        for name in ("creditor", "portfolio", "segment", "collector"):
            self.fields[name].empty_label = _("All")
        self.fields["collector"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["portfolio"].queryset = Portfolio.objects.filter(
            creditor__in=creditors
        ).select_related("creditor")
        self.fields["segment"].queryset = SegmentDefinition.objects.filter(
            models_q_creditor(creditors)
        )
        # Collectors with open debts of these creditors in the latest snapshot, or who logged
        # contacts on their debts in the last year: a manager does not get a list of every
        # agency's staff (and the snapshots are small to read).
        from analytics.models import AgingSnapshot, ContactDay

        latest = (
            AgingSnapshot.objects.filter(creditor__in=creditors)
            .order_by("-as_of")
            .values("as_of")[:1]
        )
        working = AgingSnapshot.objects.filter(
            creditor__in=creditors, as_of__in=latest, collector__isnull=False
        ).values("collector_id")
        contacting = ContactDay.objects.filter(
            creditor__in=creditors, as_of__gte=default_to - datetime.timedelta(days=MAX_DAYS)
        ).values("collector_id")
        self.fields["currency"].widget = forms.Select(
            choices=[("", _("All")), *((c, c) for c in self._currencies(creditors, latest))]
        )
        self.fields["collector"].queryset = (
            get_user_model()
            .objects.filter(Q(id__in=working) | Q(id__in=contacting), groups__name=COLLECTOR)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )

    @staticmethod
    def _currencies(creditors, latest) -> list[str]:
        """The currencies of the books: the latest snapshot's (a small read), or the debts'
        before the first nightly run. The field still takes any well-formed code (the API's
        contract); the select only offers these."""
        from analytics.models import AgingSnapshot

        found = (
            AgingSnapshot.objects.filter(creditor__in=creditors, as_of__in=latest)
            .order_by("currency")
            .values_list("currency", flat=True)
            .distinct()
        )
        currencies = list(found)
        if not currencies:
            currencies = list(
                Debt.objects.filter(creditor__in=creditors)
                .order_by("currency")
                .values_list("currency", flat=True)
                .distinct()
            )
        return currencies

    def clean(self):
        data = super().clean()
        date_to = data.get("date_to") or self.default_to
        date_from = data.get("date_from") or date_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            self.add_error("date_from", _("The start date is after the end date."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("At most %(days)s days at a time.") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> KpiFilters:
        data = self.cleaned_data
        if data.get("creditor"):
            creditor_ids = (data["creditor"].id,)
        else:
            creditor_ids = tuple(self.creditors.values_list("id", flat=True))
        return KpiFilters(
            creditor_ids=creditor_ids,
            date_from=data["date_from"],
            date_to=data["date_to"],
            portfolio_id=data["portfolio"].id if data.get("portfolio") else None,
            segment_id=data["segment"].id if data.get("segment") else None,
            collector_id=data["collector"].id if data.get("collector") else None,
            currency=(data.get("currency") or "").upper(),
            channel=data.get("channel") or "",
        )


def models_q_creditor(creditors):
    return Q(creditor__isnull=True) | Q(creditor__in=creditors)


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
