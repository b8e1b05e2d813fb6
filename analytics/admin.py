"""Admin of segmentation and the KPI snapshot tables (snapshots are read-only)."""

from django.contrib import admin

from analytics.models import (
    AgingSnapshot,
    AgreementSpan,
    BehaviourScore,
    BucketTransition,
    CollectionDay,
    ContactDay,
    DebtMonthOpening,
    DebtSegment,
    InstalmentDay,
    MessageDay,
    NightlyRun,
    PromiseDay,
    SegmentChange,
    SegmentDefinition,
    SegmentRule,
    SuppressionDay,
)


class SegmentRuleInline(admin.TabularInline):
    model = SegmentRule
    extra = 0


@admin.register(SegmentDefinition)
class SegmentDefinitionAdmin(admin.ModelAdmin):
    list_display = ("priority", "name", "code", "creditor", "is_catch_all", "is_active")
    list_display_links = ("name",)
    list_filter = ("is_active", "is_catch_all", "creditor")
    search_fields = ("name", "code")
    inlines = [SegmentRuleInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_catch_all:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(SegmentRule)
class SegmentRuleAdmin(admin.ModelAdmin):
    list_display = ("segment", "position", "currency", "payment_behaviour")
    list_filter = ("segment", "payment_behaviour")
    search_fields = ("segment__name", "segment__code")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the nightly job only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BehaviourScore)
class BehaviourScoreAdmin(ReadOnlyAdmin):
    list_display = ("debtor", "score", "reasons", "as_of")
    list_filter = ("as_of",)
    search_fields = ("debtor__full_name", "debtor__debtor_ref")
    raw_id_fields = ("debtor",)


@admin.register(DebtSegment)
class DebtSegmentAdmin(ReadOnlyAdmin):
    list_display = ("debt", "segment", "assigned_on")
    list_filter = ("segment", "assigned_on")
    search_fields = ("debt__debt_ref",)
    raw_id_fields = ("debt",)
    list_select_related = ("debt", "segment")


@admin.register(SegmentChange)
class SegmentChangeAdmin(ReadOnlyAdmin):
    list_display = ("debt", "from_segment", "to_segment", "as_of")
    list_filter = ("as_of", "to_segment")
    search_fields = ("debt__debt_ref",)
    raw_id_fields = ("debt",)
    list_select_related = ("debt", "from_segment", "to_segment")


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "status", "debts", "segment_changes", "scores_written", "seconds")
    list_filter = ("status",)
    search_fields = ("error",)


@admin.register(AgingSnapshot)
class AgingSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "bucket", "debts", "balance")
    list_filter = ("as_of", "currency", "bucket")
    search_fields = ("creditor__name",)


@admin.register(CollectionDay)
class CollectionDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "collected", "payments", "debts_closed")
    list_filter = ("as_of", "currency")
    search_fields = ("creditor__name",)


@admin.register(DebtMonthOpening)
class DebtMonthOpeningAdmin(ReadOnlyAdmin):
    list_display = ("month", "debt", "currency", "bucket", "balance")
    list_filter = ("month", "bucket")
    search_fields = ("debt__debt_ref",)
    raw_id_fields = ("debt",)


@admin.register(BucketTransition)
class BucketTransitionAdmin(ReadOnlyAdmin):
    list_display = ("month", "creditor", "currency", "from_bucket", "to_state", "balance_start")
    list_filter = ("month", "currency", "from_bucket")
    search_fields = ("creditor__name",)


@admin.register(PromiseDay)
class PromiseDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "made", "due", "kept", "broken", "awaiting")
    list_filter = ("as_of", "currency")
    search_fields = ("creditor__name",)


@admin.register(InstalmentDay)
class InstalmentDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "due", "kept", "partial", "awaiting")
    list_filter = ("as_of", "currency")
    search_fields = ("creditor__name",)


@admin.register(AgreementSpan)
class AgreementSpanAdmin(ReadOnlyAdmin):
    list_display = (
        "agreement_id",
        "creditor",
        "currency",
        "active_from",
        "active_until",
        "broken_on",
    )
    list_filter = ("currency",)
    search_fields = ("creditor__name",)


@admin.register(MessageDay)
class MessageDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "channel", "template", "delivered", "followed")
    list_filter = ("as_of", "channel", "currency")
    search_fields = ("template", "creditor__name")


@admin.register(SuppressionDay)
class SuppressionDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "channel", "rule", "messages")
    list_filter = ("as_of", "rule", "channel")
    search_fields = ("rule", "creditor__name")


@admin.register(ContactDay)
class ContactDayAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "creditor", "currency", "collector", "channel", "attempts", "rpc")
    list_filter = ("as_of", "channel", "currency")
    search_fields = ("creditor__name",)
