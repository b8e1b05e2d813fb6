"""Output serializers of the portfolio domain shared by its APIs (money is always a string)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.dates import business_today
from portfolio.models import ContactPoint, Debt, Debtor, Portfolio
from portfolio.selectors import open_holds_for_debt


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class PortfolioRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Portfolio
        fields = ["id", "name"]


class DebtorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Debtor
        fields = ["id", "full_name"]


class ContactPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPoint
        fields = [
            "id",
            "channel",
            "value",
            "is_primary",
            "verified",
            "consent_granted",
            "consent_changed_at",
            "consent_source",
            "invalid_at",
            "invalid_reason",
        ]


class DebtorListSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code", read_only=True)
    document_number = serializers.CharField(
        source="masked_document",
        read_only=True,
        help_text=_("Masked: only the last four characters are shown."),
    )

    class Meta:
        model = Debtor
        fields = [
            "id",
            "creditor",
            "debtor_ref",
            "document_type",
            "document_number",
            "full_name",
            "city",
            "region",
            "country",
            "timezone",
            "language",
            "created_at",
            "updated_at",
        ]


class DebtorDetailSerializer(DebtorListSerializer):
    contact_points = ContactPointSerializer(many=True, read_only=True)
    debts = serializers.SerializerMethodField(help_text=_("Ids of the debts visible to you."))

    class Meta(DebtorListSerializer.Meta):
        fields = [
            *DebtorListSerializer.Meta.fields,
            "address_line",
            "postal_code",
            "contact_points",
            "debts",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_debts(self, obj) -> list[int]:
        # The view prefetches only the debts the user may see into `visible_debts`.
        return [debt.id for debt in getattr(obj, "visible_debts", [])]


class DebtorDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Debtor
        fields = ["id", "document_type", "document_number"]


class OpenHoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    scope = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()

    def get_scope(self, obj) -> str:
        return "debt" if obj.debt_id else "debtor"


class DebtSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code", read_only=True)
    portfolio = PortfolioRefSerializer(read_only=True, allow_null=True)
    debtor = DebtorRefSerializer(read_only=True)
    assigned_to = UserRefSerializer(read_only=True, allow_null=True)
    days_past_due = serializers.SerializerMethodField(
        help_text=_("Days past due on the `as_of` business date (default: today).")
    )
    holds = serializers.SerializerMethodField(
        help_text=_(
            "Holds in force on the debt (its own and its debtor's): escalation and contact stop."
        )
    )
    time_barred = serializers.SerializerMethodField(
        help_text=_(
            "US only: the debtor's state's limitation period has run out on the `as_of` date "
            "(messages carry the time-barred disclosure; never sued)."
        )
    )

    class Meta:
        model = Debt
        fields = [
            "id",
            "debt_ref",
            "creditor",
            "portfolio",
            "debtor",
            "product",
            "currency",
            "original_amount",
            "principal",
            "interest",
            "fees",
            "balance",
            "due_date",
            "opened_date",
            "stage",
            "stage_entered_at",
            "days_past_due",
            "time_barred",
            "validation_notice_sent_at",
            "validation_period_ends_on",
            "holds",
            "assigned_to",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_days_past_due(self, obj) -> int:
        as_of = self.context.get("as_of") or business_today()
        return obj.days_past_due(as_of)

    def get_time_barred(self, obj) -> bool:
        return obj.is_time_barred(self.context.get("as_of") or business_today())

    @extend_schema_field(OpenHoldSerializer(many=True))
    def get_holds(self, obj) -> list:
        # Prefetched by the view (debt_queryset_with_holds); falls back to a query otherwise.
        own = getattr(obj, "open_own_holds", None)
        debtor_wide = getattr(obj.debtor, "open_debtor_holds", None)
        if own is None or debtor_wide is None:
            holds = list(open_holds_for_debt(debt=obj))
        else:
            holds = [*own, *debtor_wide]
        return OpenHoldSerializer(holds, many=True).data


class DebtAssignSerializer(serializers.Serializer):
    # An IntegerField (not a PrimaryKeyRelatedField) so 1e400 or a 30-digit id is a field error
    # instead of an overflow deep in the ORM.
    assigned_to = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Id of a user in the collector group, or null to unassign."),
    )


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class HistoryRecordSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(
        choices=[("+", _("Created")), ("~", _("Changed")), ("-", _("Deleted"))]
    )
    history_user = UserRefSerializer(allow_null=True)
    history_change_reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)


def history_value(value) -> str | None:
    """A history value as text: exact for money, ISO for dates, None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)
