from django.contrib import admin

from agreements.models import (
    AgreementChange,
    AgreementDebt,
    Forgiveness,
    Instalment,
    NegotiationPolicy,
    PaymentAgreement,
    PromiseToPay,
)


class AgreementDebtInline(admin.TabularInline):
    model = AgreementDebt
    extra = 0
    can_delete = False
    raw_id_fields = ("debt",)
    readonly_fields = ("debt", "stage_at_start", "balance_at_start", "share", "is_open")

    def has_add_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    can_delete = False
    readonly_fields = ("number", "due_date", "amount", "paid_amount", "paid_at", "status")

    def has_add_permission(self, request, obj=None):
        return False


class ChangeInline(admin.TabularInline):
    model = AgreementChange
    extra = 0
    can_delete = False
    readonly_fields = (
        "from_status",
        "to_status",
        "actor",
        "reason",
        "business_date",
        "occurred_at",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentAgreement)
class PaymentAgreementAdmin(admin.ModelAdmin):
    # Agreements change only through their services (limits, locks, the change record).
    list_display = ("id", "kind", "status", "debtor", "creditor", "agreed_total", "currency")
    list_filter = ("status", "kind", "creditor", "frequency")
    search_fields = ("debtor__full_name", "debtor__debtor_ref", "lines__debt__debt_ref")
    inlines = [AgreementDebtInline, InstalmentInline, ChangeInline]
    raw_id_fields = ("debtor", "proposed_by", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AgreementDebt)
class AgreementDebtAdmin(admin.ModelAdmin):
    list_display = ("agreement", "debt", "stage_at_start", "balance_at_start", "share", "is_open")
    list_filter = ("is_open", "stage_at_start")
    search_fields = ("debt__debt_ref",)
    raw_id_fields = ("agreement", "debt")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Instalment)
class InstalmentAdmin(admin.ModelAdmin):
    list_display = ("agreement", "number", "due_date", "amount", "paid_amount", "status")
    list_filter = ("status",)
    search_fields = ("agreement__debtor__full_name",)
    raw_id_fields = ("agreement",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AgreementChange)
class AgreementChangeAdmin(admin.ModelAdmin):
    list_display = ("agreement", "from_status", "to_status", "actor", "business_date")
    list_filter = ("to_status",)
    search_fields = ("reason",)
    raw_id_fields = ("agreement", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Forgiveness)
class ForgivenessAdmin(admin.ModelAdmin):
    list_display = ("agreement", "debt", "amount", "currency", "approved_by", "business_date")
    list_filter = ("currency",)
    search_fields = ("debt__debt_ref",)
    raw_id_fields = ("agreement", "debt", "approved_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PromiseToPay)
class PromiseToPayAdmin(admin.ModelAdmin):
    list_display = ("debt", "amount", "currency", "promised_date", "status", "created_by")
    list_filter = ("status", "channel")
    search_fields = ("debt__debt_ref", "debtor__full_name")
    raw_id_fields = ("debt", "debtor", "created_by")


@admin.register(NegotiationPolicy)
class NegotiationPolicyAdmin(admin.ModelAdmin):
    # ModelAdmin runs the model's clean(): inconsistent limits are a form error.
    list_display = (
        "creditor",
        "collector_max_discount_pct",
        "collector_max_instalments",
        "collector_min_down_pct",
        "early_payment_discount_pct",
        "early_payment_days",
    )
    list_filter = ("creditor",)
    search_fields = ("creditor__name", "creditor__code")
