from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.documents import document_normalise
from core.http import client_ip
from portfolio.hooks import creditor_created
from portfolio.models import (
    ConsentEvent,
    ContactPoint,
    Creditor,
    Debt,
    Debtor,
    DebtorDataAccess,
    Hold,
    Payment,
    PaymentReference,
    Portfolio,
    StageChange,
    Task,
)
from portfolio.services.data_access import debtor_data_access_record


class RecordsDebtorDataMixin:
    """Showing a debtor's document or contact points here is recorded like anywhere else."""

    data_seen: tuple[str, ...] = ()

    def _seen(self, request, debtor_ids, purpose):
        for data in self.data_seen:
            debtor_data_access_record(
                user=request.user,
                debtor_ids=debtor_ids,
                data=data,
                via=DebtorDataAccess.Via.ADMIN,
                ip_address=client_ip(request),
                purpose=purpose,
            )

    def debtor_id_of(self, obj) -> int:
        return obj.debtor_id

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            self._seen(request, [self.debtor_id_of(obj)], f"admin {request.path}")
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "country", "is_active")
    list_filter = ("kind", "country", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("managers",)
    prepopulated_fields = {"code": ("name",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # E.g. every creditor starts with the default escalation policy of PRODUCT.md.
            creditor_created.call_all(creditors=[obj])


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("name", "creditor", "assigned_on")
    list_filter = ("creditor", "assigned_on")
    search_fields = ("name", "creditor__name")
    date_hierarchy = "assigned_on"


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ("channel", "value", "is_primary", "verified", "consent_granted", "consent_source")
    readonly_fields = ("consent_granted", "consent_source")


class DebtorAdminForm(forms.ModelForm):
    """The document is kept compact, as the import and the portal keep and compare it."""

    class Meta:
        model = Debtor
        fields = [
            "creditor",
            "debtor_ref",
            "document_type",
            "document_number",
            "full_name",
            "address_line",
            "city",
            "region",
            "postal_code",
            "country",
            "timezone",
            "language",
        ]

    def clean_document_number(self):
        kind = self.cleaned_data.get("document_type")
        number = document_normalise(kind, self.cleaned_data.get("document_number"))
        if not number:
            raise forms.ValidationError(_("Enter the document number."))
        return number


@admin.register(Debtor)
class DebtorAdmin(RecordsDebtorDataMixin, SimpleHistoryAdmin):
    form = DebtorAdminForm
    data_seen = (DebtorDataAccess.Data.DOCUMENT, DebtorDataAccess.Data.CONTACTS)

    def debtor_id_of(self, obj) -> int:
        return obj.pk

    list_display = ("full_name", "debtor_ref", "document_type", "creditor", "country", "language")
    list_filter = ("creditor", "country", "language", "document_type")
    search_fields = (
        "full_name",
        "debtor_ref",
        "document_number",
        "document_number__compact",
    )
    inlines = [ContactPointInline]
    list_select_related = ("creditor",)


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("granted", "occurred_at", "source", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ContactPoint)
class ContactPointAdmin(RecordsDebtorDataMixin, SimpleHistoryAdmin):
    data_seen = (DebtorDataAccess.Data.CONTACTS,)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page lists contact values; the page's rows are read here once, and the template
        # reuses them.
        debtor_ids = [point.debtor_id for point in changelist.result_list]
        self._seen(request, debtor_ids, f"admin {request.path}")
        return changelist

    list_display = (
        "value",
        "channel",
        "debtor",
        "is_primary",
        "verified",
        "consent_granted",
        "invalid_at",
    )
    # An address a provider reported dead (hard bounce) is found here and, once corrected,
    # made usable again by clearing "invalid since".
    list_filter = ("channel", "consent_granted", "verified", "consent_source", "invalid_at")
    search_fields = ("value", "debtor__full_name", "debtor__debtor_ref")
    raw_id_fields = ("debtor",)
    inlines = [ConsentEventInline]


@admin.register(Debt)
class DebtAdmin(SimpleHistoryAdmin):
    list_display = (
        "debt_ref",
        "debtor",
        "creditor",
        "product",
        "currency",
        "balance",
        "due_date",
        "stage",
        "assigned_to",
    )
    list_filter = ("stage", "creditor", "product", "currency")
    search_fields = (
        "debt_ref",
        "debtor__full_name",
        "debtor__document_number",
        "debtor__document_number__compact",
    )
    raw_id_fields = ("debtor", "portfolio", "assigned_to")
    list_select_related = ("debtor", "creditor", "assigned_to")
    date_hierarchy = "due_date"
    # The stage moves only through the state machine's services, never by hand here.
    readonly_fields = ("stage", "stage_entered_at", "stage_entered_on", "balance")


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "debt", "amount", "currency", "paid_at", "method", "source")
    list_filter = ("method", "source", "currency", "creditor")
    search_fields = ("reference", "debt__debt_ref")
    raw_id_fields = ("debt", "recorded_by")
    list_select_related = ("debt",)
    date_hierarchy = "paid_at"

    def has_change_permission(self, request, obj=None):
        return False  # the ledger is append-only: payments are recorded by the services

    def has_add_permission(self, request):
        return False


@admin.register(DebtorDataAccess)
class DebtorDataAccessAdmin(admin.ModelAdmin):
    """Who saw which debtor's full document or contact data: browsed, never edited."""

    list_display = ("accessed_at", "user", "debtor", "data", "via", "ip_address", "purpose")
    list_filter = ("data", "via", "accessed_at", ("user", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "accessed_at"
    search_fields = ("debtor__full_name", "debtor__debtor_ref", "user__username", "purpose")
    list_select_related = ("user", "debtor")
    readonly_fields = ("debtor", "user", "accessed_at", "data", "via", "ip_address", "purpose")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ("contact_point", "granted", "occurred_at", "source", "actor")
    list_filter = ("granted", "source")
    search_fields = ("contact_point__value", "contact_point__debtor__full_name")
    raw_id_fields = ("contact_point", "actor")


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("kind", "debtor", "debt", "source", "opened_by", "opened_at", "closed_at")
    list_filter = ("kind", "source", ("closed_at", admin.EmptyFieldListFilter))
    search_fields = ("debtor__full_name", "debtor__document_number", "debt__debt_ref", "reason")
    raw_id_fields = ("debtor", "debt", "opened_by", "closed_by")
    date_hierarchy = "opened_at"


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("debt", "from_stage", "to_stage", "transition", "actor", "business_date")
    list_filter = ("to_stage", "transition", "business_date")
    search_fields = ("debt__debt_ref", "reason")
    raw_id_fields = ("debt", "actor")
    date_hierarchy = "business_date"

    def has_change_permission(self, request, obj=None):
        return False  # the record is append-only


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "debt", "assigned_to", "due_at", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "debt__debt_ref", "source_key")
    raw_id_fields = ("debt", "assigned_to", "created_by")


@admin.register(PaymentReference)
class PaymentReferenceAdmin(admin.ModelAdmin):
    """Written by the portal when a debtor asks how to pay by transfer; the admin looks."""

    list_display = ("reference", "debt", "created_at")
    search_fields = ("reference", "debt__debt_ref")
    raw_id_fields = ("debt",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
