"""The legal stage in Django's admin: firms are kept here too; cases, their record and the
prescription clock are read-only (they change through their services, so every step is on
record)."""

from django.contrib import admin

from legal.models import (
    LawFirm,
    LegalCase,
    LegalCaseChange,
    LegalDocument,
    LegalSettings,
    PrescriptionAlert,
    PrescriptionInterruption,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LawFirm)
class LawFirmAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "city", "tax_id", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "tax_id", "city")
    filter_horizontal = ("lawyers", "creditors")


class LegalCaseChangeInline(admin.TabularInline):
    model = LegalCaseChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_state", "to_state", "transition", "changed_by", "note")
    readonly_fields = fields


class LegalDocumentInline(admin.TabularInline):
    model = LegalDocument
    extra = 0
    can_delete = False
    fields = ("uploaded_at", "kind", "name", "content_type", "size", "sha256", "uploaded_by")
    readonly_fields = fields


@admin.register(LegalCase)
class LegalCaseAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "creditor", "firm", "lawyer", "state", "handed_over_on")
    list_filter = ("state", "firm")
    search_fields = ("case_number", "debt__debt_ref", "debt__debtor__full_name")
    raw_id_fields = ("debt",)
    inlines = [LegalCaseChangeInline, LegalDocumentInline]


@admin.register(LegalSettings)
class LegalSettingsAdmin(admin.ModelAdmin):
    list_display = ("creditor", "cost_approval_limit", "chargeable_ceiling_pct", "costs_disclosed")


@admin.register(PrescriptionInterruption)
class PrescriptionInterruptionAdmin(ReadOnlyAdmin):
    list_display = ("debt", "kind", "on", "source", "created_by", "created_at")
    list_filter = ("kind", "source")
    search_fields = ("debt__debt_ref",)


@admin.register(PrescriptionAlert)
class PrescriptionAlertAdmin(ReadOnlyAdmin):
    list_display = ("debt", "months", "due_on", "created_on", "seen_by", "seen_at")
    list_filter = ("months",)
    search_fields = ("debt__debt_ref",)
