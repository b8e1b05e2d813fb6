from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from collections_app.models import (
    ContactAction,
    CycleRun,
    EscalationPolicy,
    EscalationPolicyVersion,
    Hold,
    StageChange,
    Task,
)
from collections_app.models_workspace import Assignment, Interaction
from collections_app.services.policies import VERSION_FIELDS, policy_update


class VersionInline(admin.TabularInline):
    model = EscalationPolicyVersion
    extra = 0
    can_delete = False
    fields = ("number", *VERSION_FIELDS[:-1], "created_by", "created_at", "change_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "creditor", "product", "segment", "is_active", "current_version")
    list_filter = ("is_active", "creditor", "product")
    search_fields = ("name", "creditor__name", "creditor__code", "segment")
    readonly_fields = ("current_version",)
    inlines = [VersionInline]


@admin.register(EscalationPolicyVersion)
class EscalationPolicyVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: saving an edited version stores it as the policy's next one."""

    list_display = ("policy", "number", "friendly_dpd", "firm_dpd", "pre_legal_dpd", "legal_dpd")
    list_filter = ("policy__creditor",)
    search_fields = ("policy__name", "policy__creditor__name")
    readonly_fields = ("policy", "number", "created_by", "created_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in VERSION_FIELDS}
        try:
            new = policy_update(
                policy=obj.policy,
                values=values,
                user=request.user,
                note=form.cleaned_data.get("change_note") or "admin",
            )
        except ValidationError as exc:  # pragma: no cover - full_clean ran in the form
            messages.error(request, exc)
            return
        obj.pk, obj.number = new.pk, new.number
        messages.info(request, f"Saved as version {new.number}.")


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
    raw_id_fields = ("debt", "actor", "policy_version", "cycle_run")
    date_hierarchy = "business_date"

    def has_change_permission(self, request, obj=None):
        return False  # the record is append-only


@admin.register(CycleRun)
class CycleRunAdmin(admin.ModelAdmin):
    list_display = (
        "business_date",
        "status",
        "debts_evaluated",
        "debts_moved",
        "debts_held",
        "actions_planned",
        "started_at",
        "finished_at",
    )
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactAction)
class ContactActionAdmin(admin.ModelAdmin):
    list_display = ("business_date", "debt", "stage", "channel", "template_code", "status")
    list_filter = ("business_date", "channel", "stage", "template_code", "status")
    search_fields = ("debt__debt_ref", "debt__debtor__full_name")
    raw_id_fields = ("debt", "policy_version", "cycle_run")
    date_hierarchy = "business_date"


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "debt", "assigned_to", "due_at", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "debt__debt_ref", "source_key")
    raw_id_fields = ("debt", "assigned_to", "created_by")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "channel", "outcome", "debt", "collector")
    list_filter = ("channel", "outcome")
    search_fields = ("debt__debt_ref", "debtor__full_name", "note")
    raw_id_fields = ("debt", "debtor", "collector", "promise", "task", "hold")
    date_hierarchy = "occurred_at"


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "debt", "from_user", "to_user", "assigned_by", "reason")
    search_fields = ("debt__debt_ref", "reason")
    raw_id_fields = ("debt", "from_user", "to_user", "assigned_by")

    def has_change_permission(self, request, obj=None):
        return False
