"""Portal forms: every field labelled, every error said in plain words."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from complaints.models import ComplaintKind
from core.documents import document_normalise, document_numeric
from core.exceptions import ApplicationError
from core.money import format_money
from core.uploads import upload_validate
from portal.models import Dispute, PaymentIntent
from portal.payments import pse
from portal.services.ways_to_pay import online_method_choices
from portfolio.models import Channel, DocumentType


class StartForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("Document number"),
        # Room for separators: "900.123.456-7" is typed, "9001234567" is compared.
        max_length=48,
        help_text=_("With or without dots, dashes or spaces."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}
        ),
    )

    def clean(self):
        data = super().clean()
        if "document_number" in data:
            number = document_normalise(data.get("document_type"), data["document_number"])
            if not number:
                self.add_error("document_number", _("Enter your document number."))
            elif len(number) > 32:
                self.add_error("document_number", _("That is longer than any document number."))
            else:
                data["document_number"] = number
        return data


class DigitsForm(forms.Form):
    """The last four characters of the document, on the keyboard its type needs: a numeric
    keypad for numbers made of digits (CC, NIT, SSN, ITIN), letters for CURP, RFC and others."""

    digits = forms.CharField(
        label=_("Last 4 characters of your identity document"),
        min_length=4,
        max_length=4,
        strip=True,
        error_messages={
            "min_length": _("Enter exactly 4 characters."),
            "max_length": _("Enter exactly 4 characters."),
        },
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["digits"]
        attrs = {"autocomplete": "off", "autocorrect": "off", "spellcheck": "false"}
        if document_numeric(kind):
            self.pattern = r"[0-9]{4}"
            field.help_text = _("Digits only.")
            attrs.update(inputmode="numeric", pattern=self.pattern)
        else:
            self.pattern = r"[0-9A-Za-z]{4}"
            field.help_text = _("Letters and digits, as on your document.")
            attrs.update(inputmode="text", autocapitalize="characters", pattern=self.pattern)
        field.widget.attrs.update(attrs, maxlength="4")

    def clean_digits(self):
        value = self.cleaned_data["digits"]
        if not re.fullmatch(self.pattern, value):
            if self.pattern == r"[0-9]{4}":
                raise ValidationError(_("Enter the last 4 digits."))
            raise ValidationError(_("Enter exactly 4 letters or digits."))
        return value.upper()


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The 6-digit code we sent you"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}
        ),
    )


class PayForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to pay"), max_digits=18, decimal_places=2)
    method = forms.ChoiceField(
        label=_("How do you want to pay?"),
        choices=PaymentIntent.Method.choices,
        widget=forms.RadioSelect,
        initial=PaymentIntent.Method.CARD,
        error_messages={
            "invalid_choice": _(
                "That way to pay is not offered in your country. Choose one of the ways listed."
            )
        },
    )

    def __init__(self, *args, balance=None, country: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.balance = balance
        self.fields["method"].choices = online_method_choices(country)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("The amount must be greater than zero."))
        if self.balance is not None and amount > self.balance:
            raise ValidationError(
                _("The most you can pay is the balance, %(balance)s.") % {"balance": self.balance}
            )
        return amount

    def method_refused(self) -> bool:
        """A way to pay posted that the debtor's country does not have (not a typo: a 400)."""
        return self.has_error("method", "invalid_choice")


class PseBankForm(forms.Form):
    """PSE's first page: the payer's bank, person type and document (sent on to PSE)."""

    bank = forms.ChoiceField(label=_("Your bank"))
    person_type = forms.ChoiceField(
        label=_("You pay as"),
        choices=pse.PERSON_TYPES,
        widget=forms.RadioSelect,
        initial="natural",
    )
    document_type = forms.ChoiceField(label=_("Document type"), choices=pse.DOCUMENT_TYPES)
    document_number = forms.CharField(
        label=_("Document number of the account holder"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [("", _("Choose your bank")), *banks]

    def clean_document_number(self):
        number = re.sub(r"[\s.\-]", "", self.cleaned_data["document_number"])
        if not re.fullmatch(r"[0-9A-Za-z]{4,15}", number):
            raise ValidationError(_("Write the document number with its digits only."))
        return number


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why do you dispute this debt?"), choices=Dispute.Reason)
    text = forms.CharField(
        label=_("Tell us more"), max_length=2000, required=False, widget=forms.Textarea
    )
    attachment = forms.FileField(
        label=_("Attach a document (PDF, PNG or JPG, 5 MB at most)"), required=False
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return upload
        try:
            return upload_validate(upload)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc


PREFERENCE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP, Channel.VOICE)


class PreferencesForm(forms.Form):
    preferred_from = forms.TimeField(
        label=_("Contact me from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    preferred_to = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = list(channels)
        hours = {name: self.fields.pop(name) for name in ("preferred_from", "preferred_to")}
        for channel, label, allowed in self.channels:
            self.fields[f"allow_{channel}"] = forms.BooleanField(
                label=label, required=False, initial=allowed
            )
        self.fields.update(hours)  # channels first, then the hours

    def channel_fields(self):
        return [self[name] for name in self.fields if name.startswith("allow_")]

    def hour_fields(self):
        return [self["preferred_from"], self["preferred_to"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("preferred_from"), data.get("preferred_to")
        if bool(start) != bool(end):
            raise ValidationError(_("Give both times, or neither."))
        if start and end and start >= end:
            raise ValidationError(_("The start time must be before the end time."))
        return data


class CallbackForm(forms.Form):
    when = forms.DateTimeField(
        label=_("When should we call you?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Anything we should know?"), max_length=500, required=False)


def pct_format(value) -> str:
    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True)


class PlanForm(forms.Form):
    option = forms.ChoiceField(label=_("Choose a plan"), widget=forms.RadioSelect)
    down_payment = forms.DecimalField(
        label=_("Down payment (paid first)"),
        max_digits=18,
        decimal_places=2,
        required=False,
        min_value=0,
    )
    accept = forms.BooleanField(
        label=_("I have read the schedule and accept these terms"), required=False
    )

    def __init__(self, *args, limits, debt, **kwargs):
        super().__init__(*args, **kwargs)
        count = limits["max_instalments"]
        choices = [
            (
                "settle",
                _("Pay everything now with a %(pct)s%% discount")
                % {"pct": pct_format(limits["early_pct"])},
            )
        ]
        choices += [
            (str(n), _("%(n)s monthly instalments after a down payment") % {"n": n})
            for n in range(2, count + 1)
        ]
        choices.append(
            ("more", _("More than %(n)s instalments (a collector calls you)") % {"n": count})
        )
        self.fields["option"].choices = choices
        help_text = _("At least %(pct)s%% of the balance: %(amount)s.")
        self.fields["down_payment"].help_text = help_text % {
            "pct": pct_format(limits["min_down_pct"]),
            "amount": format_money(limits["min_down"], debt.currency),
        }


# What a debtor files, in their words (staff see the complaint kinds' own labels).
REQUEST_KINDS = (
    (ComplaintKind.PETITION, _("A request (petition)")),
    (ComplaintKind.COMPLAINT, _("A complaint about how I was treated")),
    (ComplaintKind.CLAIM, _("A claim: something about my debt or a payment is wrong")),
    (ComplaintKind.QUERY, _("A question")),
    (ComplaintKind.DOCUMENTS, _("Copies of documents or information about my debt")),
    (ComplaintKind.BUREAU_QUERY, _("What you report about me to the credit bureaus")),
    (ComplaintKind.BUREAU_CLAIM, _("Correct what you report about me to the credit bureaus")),
    (ComplaintKind.DISPUTE, _("I dispute this debt")),
    (ComplaintKind.ORIGINAL_CREDITOR, _("Tell me who the original creditor is")),
)
REQUEST_KIND_WORDS = dict(REQUEST_KINDS)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; their type and size are checked by the complaints service
    (core.uploads), which names this field in its error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


ATTACHMENTS_HELP = _("PDF, PNG or JPG, 5 MB at most each; up to 5 files.")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you want to do?"), choices=REQUEST_KINDS)
    debt = forms.ChoiceField(label=_("Which debt is it about?"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Tell us what happened and what you ask for"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(
        label=_("Attach documents (optional)"), required=False, help_text=ATTACHMENTS_HELP
    )

    def __init__(self, *args, debts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.debts = {str(d.pk): d for d in debts}
        self.fields["debt"].choices = [("", _("It is not about one debt"))] + [
            (key, f"{d.get_product_display()} · {d.debt_ref}") for key, d in self.debts.items()
        ]

    def clean_debt(self):
        return self.debts.get(self.cleaned_data.get("debt") or "")


class InformationForm(forms.Form):
    text = forms.CharField(
        label=_("The information we asked for"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(
        label=_("Attach documents (optional)"), required=False, help_text=ATTACHMENTS_HELP
    )
