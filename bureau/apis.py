"""REST `bureau`: furnishing runs and the notice ledger, thin over bureau.services.runs and the
selectors.

Managers and administrators only (a collector or a user without a role gets a 403); each sees
the runs and notices of the creditors they manage: a run of another creditor is a 404, exactly
like one that does not exist. A refusal of a service (a step the run's status does not allow, a
cut-off the rules refuse) is a 400 naming the field where it has one, and changes nothing.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bureau import serializers as s
from bureau.files import run_file_response
from bureau.models import FurnishingRun
from bureau.models.runs import Bureau, RunStatus
from bureau.selectors import notices, runs
from bureau.selectors.pages import run_counts
from bureau.services import runs as services
from core.api import IsManagerOrAdmin
from core.exceptions import ApplicationError
from core.filters import DateFilter, IdFilter
from messaging.models import MessageDebt
from portfolio.models import Channel
from portfolio.selectors import creditor_list


class RunFilter(django_filters.FilterSet):
    """The list's filters, validated here (a bad value is a 400 on its name) and applied by
    `run_list`, the one place that knows how runs are filtered and ordered."""

    creditor = IdFilter(label=gettext_lazy("Creditor id"))
    bureau = django_filters.ChoiceFilter(choices=Bureau.choices)
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = FurnishingRun
        fields = []

    def filter_queryset(self, queryset):
        filters = {name: value for name, value in self.form.cleaned_data.items() if value}
        if "creditor" in filters:
            filters["creditor"] = int(filters["creditor"])
        return runs(user=self.request.user, filters=filters).order_by("-cut_off", "-id")


class FileNegotiation(DefaultContentNegotiation):
    """A download answers with the file whatever the client accepts; an error is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


DONE = gettext_lazy("The run after the step, with its findings, counts and file.")


def _step_schema(summary: str):
    return extend_schema(
        summary=summary,
        request=None,
        responses={200: OpenApiResponse(s.RunDetailOutputSerializer, description=DONE)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the furnishing runs of your creditors, newest cut-off first",
        responses=s.RunOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A run with its findings, its accounts counted by action and status code, "
        "and its file's checksum",
        responses=s.RunDetailOutputSerializer,
    ),
)
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly furnishing runs: one creditor's file for one bureau at one cut-off."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    serializer_class = s.RunOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RunFilter

    def get_queryset(self):
        return runs(user=self.request.user).order_by("-cut_off", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return s.RunOutputSerializer
        return s.RunDetailOutputSerializer

    def _run(self, pk) -> FurnishingRun:
        # Scoped lookup: a run the user may not see is a 404, exactly like a missing one.
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _detail(self, run, *, code=status.HTTP_200_OK) -> Response:
        run = self._run(run.pk)  # read again: the step changed it
        context = {**self.get_serializer_context(), "counts": run_counts(run)}
        return Response(s.RunDetailOutputSerializer(run, context=context).data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self._run(pk))

    @extend_schema(
        summary="Start a run (a draft) for a creditor, a bureau and a cut-off",
        description="The draft holds what would be reported; check it, generate the file, "
        "download it and mark it submitted with the actions below.",
        request=s.RunInputSerializer,
        responses={
            201: OpenApiResponse(s.RunDetailOutputSerializer, description="The draft run."),
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        serializer = s.RunInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        creditor = creditor_list(user=request.user).filter(pk=data["creditor"]).first()
        if creditor is None:
            raise ApplicationError(_("Unknown creditor."), field="creditor")
        run = services.run_create(
            creditor=creditor, bureau=data["bureau"], cut_off=data["cut_off"], user=request.user
        )
        return self._detail(run, code=status.HTTP_201_CREATED)

    def _step(self, pk, service) -> Response:
        run = self._run(pk)
        service(run=run, user=self.request.user)
        return self._detail(run)

    @_step_schema("Check the run's accounts against the layout (findings kept on the run)")
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        return self._step(pk, services.run_validate)

    @_step_schema("Generate the file of a checked run (kept with its SHA-256)")
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        return self._step(pk, services.run_generate)

    @_step_schema("Mark a generated run as submitted to the bureau (cannot be undone)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(pk, services.run_submit)

    @_step_schema("Cancel a run not yet submitted (a new one may be made for its cut-off)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(pk, services.run_cancel)

    @extend_schema(
        summary="Download the run's file (its SHA-256 in the X-Checksum-SHA256 header)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as generated."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_name="download",
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=FileNegotiation,
    )
    def download(self, request, pk=None):
        return run_file_response(self._run(pk))


class NoticeFilter(django_filters.FilterSet):
    """The ledger's filters, validated here and applied by bureau.selectors.notices."""

    creditor = IdFilter(label=gettext_lazy("Creditor id"))
    debt = IdFilter(label=gettext_lazy("Debt id"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    # A choice, not a BooleanFilter: that one reads any other value as "no filter".
    delivery = django_filters.ChoiceFilter(
        choices=[
            ("delivered", gettext_lazy("Delivery confirmed")),
            ("unconfirmed", gettext_lazy("Delivery not confirmed")),
        ]
    )
    sent_from = DateFilter(label=gettext_lazy("Sent on or after (the debtor's day)"))
    sent_to = DateFilter(label=gettext_lazy("Sent on or before (the debtor's day)"))

    class Meta:
        model = MessageDebt
        fields = []

    def filter_queryset(self, queryset):
        filters = {
            name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")
        }
        if "delivery" in filters:
            filters["delivered"] = filters.pop("delivery") == "delivered"
        for name in ("creditor", "debt"):
            if name in filters:
                filters[name] = int(filters[name])
        return notices(user=self.request.user, filters=filters)


@extend_schema_view(
    list=extend_schema(
        summary="List the bureau prior notices sent about your creditors' debts, newest first",
        responses=s.NoticeOutputSerializer(many=True),
    ),
)
class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The notice ledger: each prior notice a debt received before a report, with its proof."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    serializer_class = s.NoticeOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NoticeFilter

    def get_queryset(self):
        return notices(user=self.request.user)
