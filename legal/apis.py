"""REST `legal-cases`: thin views over legal.selectors and legal.services.cases.

Every lookup goes through `cases_for_user`: another firm's case is a 404, exactly like one that
does not exist. A collector (no case is theirs) lists nothing, like in the complaints API. Each
court step is its own action, `POST /legal-cases/{id}/{transition}/`.
"""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsManagerOrAdmin
from core.dates import business_today
from core.filters import DateFilter, IdFilter
from core.roles import user_role
from legal import serializers as s
from legal.forms.kpis import LegalKpisFilterForm
from legal.models import CASE_TRANSITIONS, CaseState, LegalCase, LegalCaseChange
from legal.selectors.cases import cases_for_user
from legal.selectors.kpis import legal_kpis
from legal.services.cases import case_transition, case_update
from portfolio.models import Payment


class HasStaffRole(BasePermission):
    """Staff with a role only: a signed-in user without one gets a 403."""

    message = gettext_lazy("Only staff may use the legal cases API.")

    def has_permission(self, request, view):
        return user_role(request.user) is not None


class LegalCaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CaseState.choices)
    firm = IdFilter(field_name="firm_id", label=gettext_lazy("Law firm id"))
    creditor = IdFilter(field_name="creditor_id", label=gettext_lazy("Creditor id"))
    next_action_before = DateFilter(
        field_name="next_action_on",
        lookup_expr="lte",
        label=gettext_lazy("Next action on or before"),
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=200,
        label=gettext_lazy("Case number, debt reference, debtor's name or court"),
    )

    class Meta:
        model = LegalCase
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "").replace("-", "")
        return queryset.filter(
            Q(case_number__icontains=compact)
            | Q(debt__debt_ref__icontains=value)
            | Q(debt__debtor__full_name__icontains=value)
            | Q(court__icontains=value)
        )


def _transition_schema(name: str):
    serializer = s.transition_input(name)
    doc = (getattr(LegalCase, name).__doc__ or "").strip()
    return extend_schema(
        summary=f"Court step `{name}`: {doc}",
        description=(
            "Recorded with who and why (`note`). A step the case's state does not allow is a "
            "400 naming it under `transition`."
        ),
        request=serializer,
        responses={
            200: OpenApiResponse(
                s.LegalCaseDetailOutputSerializer, description="The case after the step."
            )
        },
    )


def _make_transition_action(name: str):
    def step(self, request, pk=None):
        case = self._case(pk)
        serializer = s.transition_input(name)(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        note = data.pop("note")
        as_of = data.pop("as_of", None) or business_today()
        case_transition(
            user=request.user, case=case, transition=name, note=note, as_of=as_of, **data
        )
        return self._detail(case.pk)

    step.__name__ = name
    step.__doc__ = f"Court step `{name}`."
    return _transition_schema(name)(action(detail=True, methods=["post"], url_path=name)(step))


@extend_schema_view(
    list=extend_schema(
        summary="Legal cases visible to you, by next action date",
        responses=s.LegalCaseOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A legal case with its debt, documents, record and payments since hand-off",
        responses=s.LegalCaseDetailOutputSerializer,
    ),
    partial_update=extend_schema(
        summary="Update the court details and the next action or hearing",
        request=s.LegalCaseUpdateInputSerializer,
        responses=s.LegalCaseDetailOutputSerializer,
    ),
)
class LegalCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Legal cases a lawyer's firm holds, or a manager's creditors handed over."""

    permission_classes = [IsAuthenticated, HasStaffRole]
    serializer_class = s.LegalCaseOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LegalCaseFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return cases_for_user(self.request.user).order_by("next_action_on", "id")

    def get_serializer_class(self):
        if self.action == "list":
            return s.LegalCaseOutputSerializer
        return s.LegalCaseDetailOutputSerializer

    def _case(self, pk) -> LegalCase:
        return get_object_or_404(cases_for_user(self.request.user), pk=pk)

    def _detail(self, pk) -> Response:
        queryset = cases_for_user(self.request.user).prefetch_related(
            "documents",
            Prefetch("changes", queryset=LegalCaseChange.objects.select_related("changed_by")),
        )
        case = get_object_or_404(queryset, pk=pk)
        # Payments still land through the ledger; the case shows those since the hand-off.
        case.payments_since_handover = list(
            Payment.objects.filter(
                debt_id=case.debt_id, paid_at__date__gte=case.handed_over_on
            ).order_by("-paid_at", "-id")
        )
        return Response(s.LegalCaseDetailOutputSerializer(case).data)

    def retrieve(self, request, pk=None):
        return self._detail(pk)

    def partial_update(self, request, pk=None):
        case = self._case(pk)
        serializer = s.LegalCaseUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        case_update(user=request.user, case=case, **serializer.validated_data)
        return self._detail(case.pk)


for _name in CASE_TRANSITIONS:
    setattr(LegalCaseViewSet, _name, _make_transition_action(_name))


class LegalKpisApi(APIView):
    """The legal stage's KPIs per creditor and per creditor and firm (managers and admins)."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]

    @extend_schema(
        summary="Legal KPIs: recovered net of costs, days to payment order and to recovery",
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: a year before `to`)"
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
            OpenApiParameter("creditor", str, description="Creditor code"),
            OpenApiParameter("firm", int, description="Law firm id"),
        ],
        responses=s.LegalKpisOutputSerializer,
        description=(
            "Amounts per currency, never added across currencies, as decimal strings. At most "
            "five years at a time. Unknown or unreadable parameters are a 400 naming the field."
        ),
    )
    def get(self, request):
        form = LegalKpisFilterForm(request.query_params, user=request.user, as_of=business_today())
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        report = legal_kpis(user=request.user, **form.selector_arguments())
        return Response(s.LegalKpisOutputSerializer(report).data)
