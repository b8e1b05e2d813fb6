from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from collections_app.models import (
    CycleRun,
    CycleRunCreditor,
    EscalationPolicy,
    EscalationPolicyVersion,
)
from collections_app.models.workspace import Assignment, Interaction
from collections_app.services.cadence import cadence_problems
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CadenceCheckedForm(form):
            # The cadence typed as JSON passes the same checks as the cadence form's rows.
            def clean_cadence(self):
                cadence = self.cleaned_data.get("cadence")
                if isinstance(cadence, dict) and self.instance.policy_id:
                    problems = cadence_problems(cadence, creditor=self.instance.policy.creditor)
                    if problems:
                        raise ValidationError(problems)
                return cadence

        return CadenceCheckedForm

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


@admin.register(CycleRunCreditor)
class CycleRunCreditorAdmin(admin.ModelAdmin):
    list_display = (
        "run",
        "creditor",
        "debts_evaluated",
        "debts_moved",
        "debts_held",
        "actions_planned",
    )
    list_filter = ("creditor",)
    list_select_related = ("run", "creditor")

    def has_change_permission(self, request, obj=None):
        return False


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
