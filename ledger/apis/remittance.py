"""REST `remittances` and `commission-rates`: thin over ledger.services.remittance and its
selectors.

Managers and administrators only (anyone else gets a 403); each sees the statements and rates
of the creditors they manage: a statement of another creditor is a 404, exactly like one that
does not exist. A refusal of a service (an overlapping or future period, a step the status does
not allow) is a 400 naming the field, and changes nothing.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import IsManagerOrAdmin
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import DateFilter, IdFilter
from core.forms import ID_MAX, InputWindowValidator
from ledger.files import statement_csv_response, statement_pdf_response
from ledger.models import CommissionBasis, CommissionRate, Remittance, RemittanceStatus
from ledger.selectors import remittance as selectors
from ledger.services import remittance as services
from ledger.services.remittance import VOID_REASON_MAX
from portfolio.models import Stage
from portfolio.selectors import creditor_list

# --- payloads ----------------------------------------------------------------------------------


class RemittanceOutputSerializer(serializers.ModelSerializer):
    """A statement as the list shows it: whose, which period and currency, its totals."""

    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    created_by_username = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )
    issued_by_username = serializers.CharField(
        source="issued_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Remittance
        fields = [
            "id",
            "creditor",
            "creditor_code",
            "currency",
            "period_start",
            "period_end",
            "status",
            "collected",
            "reversed",
            "commission",
            "net",
            "created_by_username",
            "created_at",
            "issued_by_username",
            "issued_at",
            "void_reason",
            "pdf_sha256",
        ]
        read_only_fields = fields


class RemittanceLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entry = serializers.IntegerField(source="entry_id")
    debt = serializers.IntegerField(source="debt_id")
    debt_ref = serializers.CharField(source="debt.debt_ref")
    debtor_name = serializers.CharField(source="debt.debtor.full_name")
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    kind = serializers.CharField()
    posted_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    stage = serializers.CharField()
    days_past_due = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    commission = serializers.DecimalField(max_digits=18, decimal_places=2)
    carried_from = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy(
            "A reversal carried in: the issued statement its payment was remitted in."
        ),
    )
    no_rate = serializers.BooleanField(
        help_text=gettext_lazy("No commission rate matched: 0 % was applied (a warning).")
    )


class RemittanceDetailOutputSerializer(RemittanceOutputSerializer):
    """A statement with its lines by debt and how many of them matched no commission rate."""

    warnings = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()

    class Meta(RemittanceOutputSerializer.Meta):
        fields = [*RemittanceOutputSerializer.Meta.fields, "warnings", "lines"]
        read_only_fields = fields

    def get_warnings(self, remittance) -> int:
        return len(self.context["no_rate"])

    @extend_schema_field(RemittanceLineOutputSerializer(many=True))
    def get_lines(self, remittance):
        no_rate = self.context["no_rate"]
        lines = list(selectors.remittance_lines(remittance=remittance))
        for line in lines:
            line.no_rate = line.pk in no_rate
        return RemittanceLineOutputSerializer(lines, many=True).data


class RemittanceInputSerializer(serializers.Serializer):
    creditor = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text=gettext_lazy("ISO 4217 code."))
    period_start = serializers.DateField(validators=[InputWindowValidator()])
    period_end = serializers.DateField(
        validators=[InputWindowValidator()],
        help_text=gettext_lazy("The period's last day; not later than today."),
    )


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=VOID_REASON_MAX)


class CommissionRateOutputSerializer(serializers.ModelSerializer):
    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    stage = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The stage of a rate by stage; empty by age.")
    )

    class Meta:
        model = CommissionRate
        fields = [
            "id",
            "creditor",
            "creditor_code",
            "basis",
            "stage",
            "min_dpd",
            "max_dpd",
            "percent",
            "valid_from",
            "created_at",
        ]
        read_only_fields = fields


class CommissionRateInputSerializer(serializers.Serializer):
    creditor = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    basis = serializers.ChoiceField(choices=CommissionBasis.choices)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, allow_blank=True)
    min_dpd = serializers.IntegerField(
        min_value=0, max_value=36_500, required=False, allow_null=True
    )
    max_dpd = serializers.IntegerField(
        min_value=0, max_value=36_500, required=False, allow_null=True
    )
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    valid_from = serializers.DateField(validators=[InputWindowValidator()])


# --- filters -----------------------------------------------------------------------------------


class RemittanceFilter(django_filters.FilterSet):
    """The list's filters, validated here (a bad value is a 400 on its name) and applied by
    `remittance_list`."""

    creditor = IdFilter(label=gettext_lazy("Creditor id"))
    status = django_filters.ChoiceFilter(choices=RemittanceStatus.choices)
    currency = django_filters.CharFilter(max_length=3)
    period_from = DateFilter(label=gettext_lazy("Statements whose period ends on or after"))
    period_to = DateFilter(label=gettext_lazy("Statements whose period starts on or before"))

    class Meta:
        model = Remittance
        fields = []

    def filter_queryset(self, queryset):
        filters = {name: value for name, value in self.form.cleaned_data.items() if value}
        if "creditor" in filters:
            filters["creditor"] = int(filters["creditor"])
        return selectors.remittance_list(user=self.request.user, filters=filters)


class CommissionRateFilter(django_filters.FilterSet):
    creditor = IdFilter(label=gettext_lazy("Creditor id"))

    class Meta:
        model = CommissionRate
        fields = []

    def filter_queryset(self, queryset):
        filters = {name: value for name, value in self.form.cleaned_data.items() if value}
        if "creditor" in filters:
            filters["creditor"] = int(filters["creditor"])
        return selectors.commission_rate_list(user=self.request.user, filters=filters)


class FileNegotiation(DefaultContentNegotiation):
    """A download answers with the file whatever the client accepts; an error is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


def _creditor(request, pk):
    creditor = creditor_list(user=request.user).filter(pk=pk).first()
    if creditor is None:
        raise ApplicationError(_("Unknown creditor."), field="creditor")
    return creditor


# --- views -------------------------------------------------------------------------------------

DONE = gettext_lazy("The statement after the step, with its lines.")


def _step_schema(summary: str, request=None):
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            200: OpenApiResponse(RemittanceDetailOutputSerializer, description=DONE),
            400: OpenApiResponse(description="Refused; nothing changed."),
        },
    )


def _file_schema(summary: str, media_type: str):
    return extend_schema(
        summary=summary,
        responses={(200, media_type): OpenApiResponse(OpenApiTypes.BINARY)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the remittance statements of your creditors, latest period first",
        responses=RemittanceOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A statement with its totals and its lines by debt",
        responses=RemittanceDetailOutputSerializer,
    ),
)
class RemittanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What was collected for a creditor in a period, by debt, net of the agency's commission."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    serializer_class = RemittanceOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RemittanceFilter

    def get_queryset(self):
        return selectors.remittance_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return RemittanceOutputSerializer
        return RemittanceDetailOutputSerializer

    def _remittance(self, pk) -> Remittance:
        # Scoped lookup: a statement the user may not see is a 404, like a missing one.
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _detail(self, remittance, *, code=status.HTTP_200_OK) -> Response:
        remittance = self._remittance(remittance.pk)  # read again: the step changed it
        context = {
            **self.get_serializer_context(),
            "no_rate": selectors.lines_without_rate(remittance),
        }
        data = RemittanceDetailOutputSerializer(remittance, context=context).data
        return Response(data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self._remittance(pk))

    @extend_schema(
        summary="Prepare a draft statement for a creditor, a currency and a period",
        description="The lines are the creditor's payments, recoveries and reversals of the "
        "period from the ledger, each with its commission. A period that overlaps a statement "
        "that is not void, or ends after today, is refused.",
        request=RemittanceInputSerializer,
        responses={
            201: OpenApiResponse(RemittanceDetailOutputSerializer, description="The draft."),
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        serializer = RemittanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        remittance = services.remittance_prepare(
            creditor=_creditor(request, data["creditor"]),
            currency=data["currency"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            user=request.user,
            as_of=business_today(),
        )
        return self._detail(remittance, code=status.HTTP_201_CREATED)

    @_step_schema("Issue a draft statement (final; its PDF's SHA-256 is kept)")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        remittance = self._remittance(pk)
        services.remittance_issue(remittance=remittance, user=request.user)
        return self._detail(remittance)

    @_step_schema(
        "Void a draft statement, saying why (its entries are free again)", VoidInputSerializer
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        remittance = self._remittance(pk)
        serializer = VoidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.remittance_void(
            remittance=remittance, user=request.user, reason=serializer.validated_data["reason"]
        )
        return self._detail(remittance)

    @_file_schema("The statement's lines as CSV (formula-safe)", "text/csv")
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=FileNegotiation,
    )
    def csv(self, request, pk=None):
        return statement_csv_response(request, self._remittance(pk))

    @_file_schema(
        "The statement as PDF (an issued one's SHA-256 in the X-Checksum-SHA256 header)",
        "application/pdf",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=FileNegotiation,
    )
    def pdf(self, request, pk=None):
        return statement_pdf_response(request, self._remittance(pk))


@extend_schema_view(
    list=extend_schema(
        summary="List the commission rates of your creditors, latest set first",
        responses=CommissionRateOutputSerializer(many=True),
    ),
)
class CommissionRateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The agency's commission per creditor: by stage or by days-past-due bucket, from a date."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    serializer_class = CommissionRateOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CommissionRateFilter

    def get_queryset(self):
        return selectors.commission_rate_list(user=self.request.user)

    @extend_schema(
        summary="Add a commission rate to a creditor's rate set valid from a date",
        request=CommissionRateInputSerializer,
        responses={
            201: CommissionRateOutputSerializer,
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        serializer = CommissionRateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["creditor"] = _creditor(request, data["creditor"])
        rate = services.commission_rate_create(user=request.user, **data)
        return Response(CommissionRateOutputSerializer(rate).data, status=status.HTTP_201_CREATED)
