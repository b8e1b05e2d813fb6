from django.contrib import admin

from experiments.models import Arm, Assignment, Experiment, ExperimentChange


class ArmInline(admin.TabularInline):
    model = Arm
    extra = 0
    fields = ["code", "name", "role", "weight", "bucket_from", "bucket_to", "status"]
    readonly_fields = ["bucket_from", "bucket_to", "status"]
    show_change_link = True


class ChangeInline(admin.TabularInline):
    model = ExperimentChange
    extra = 0
    fields = ["changed_at", "action", "arm", "note", "changed_by"]
    readonly_fields = fields
    can_delete = False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["name", "creditor", "subject", "primary_metric", "status", "starts_on"]
    list_filter = ["status", "subject", "primary_metric"]
    search_fields = ["name"]
    list_select_related = ["creditor"]
    raw_id_fields = ["creditor", "segment", "winner", "created_by"]
    # The status moves through the services only (start, stop, promote record who and why).
    readonly_fields = [
        "status",
        "hash_key",
        "started_at",
        "ended_at",
        "winner",
        "promoted_version_id",
    ]
    inlines = [ArmInline, ChangeInline]


@admin.register(Arm)
class ArmAdmin(admin.ModelAdmin):
    list_display = ["experiment", "code", "name", "role", "weight", "status"]
    list_filter = ["role", "status"]
    list_select_related = ["experiment"]
    raw_id_fields = ["experiment", "policy_version", "template_version"]
    readonly_fields = ["status", "bucket_from", "bucket_to", "stopped_at", "stopped_reason"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["experiment", "arm", "debtor", "bucket", "assigned_on", "left_on"]
    list_filter = ["left_on"]
    raw_id_fields = ["experiment", "arm", "creditor", "debtor"]
    list_select_related = ["experiment", "arm"]


@admin.register(ExperimentChange)
class ExperimentChangeAdmin(admin.ModelAdmin):
    list_display = ["experiment", "action", "arm", "changed_by", "changed_at"]
    list_filter = ["action"]
    raw_id_fields = ["experiment", "arm", "changed_by"]
