"""REST `experiments`: thin views over the experiments services and selectors.

Managers see their creditors' experiments, administrators all; anyone else gets a 403. An
experiment of a creditor the user does not manage is a 404, exactly like a missing one.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import IsManagerOrAdmin
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import IdFilter
from experiments import serializers as s
from experiments.models import Experiment, ExperimentStatus, Subject
from experiments.selectors.experiments import (
    arms_resolve,
    creditor_segments,
    experiment_get,
    experiment_list,
    experiments_visible,
    managed_creditors,
)
from experiments.services.calculator import days_to_supply, sample_size_per_arm
from experiments.services.lifecycle import (
    arm_stop,
    experiment_create,
    experiment_start,
    experiment_stop,
)
from experiments.services.promotion import experiment_promote


class ExperimentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ExperimentStatus.choices)
    subject = django_filters.ChoiceFilter(choices=Subject.choices)
    creditor = IdFilter(label=gettext_lazy("Creditor id"))
    q = django_filters.CharFilter(max_length=120, label=gettext_lazy("Name contains"))

    class Meta:
        model = Experiment
        fields = []

    def filter_queryset(self, queryset):
        filters = {name: value for name, value in self.form.cleaned_data.items() if value}
        if "creditor" in filters:
            filters["creditor"] = int(filters["creditor"])
        return experiment_list(user=self.request.user, filters=filters).prefetch_related("arms")


DONE = gettext_lazy("The experiment with its arms and history, after the action.")


def _action_schema(summary: str, request):
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            200: OpenApiResponse(s.ExperimentDetailOutputSerializer, description=DONE),
            400: OpenApiResponse(description=gettext_lazy("Field errors; nothing changed.")),
        },
    )


@extend_schema_view(
    list=extend_schema(
        summary="List experiments on the creditors you manage",
        responses=s.ExperimentOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="An experiment with its arms and change history",
        responses=s.ExperimentDetailOutputSerializer,
    ),
)
class ExperimentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Champion/challenger experiments (managers and administrators)."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    serializer_class = s.ExperimentOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ExperimentFilter

    def get_queryset(self):
        return experiments_visible(user=self.request.user).prefetch_related("arms")

    def get_serializer_class(self):
        if self.action == "list":
            return s.ExperimentOutputSerializer
        return s.ExperimentDetailOutputSerializer

    def _experiment(self, pk) -> Experiment:
        return get_object_or_404(experiments_visible(user=self.request.user), pk=pk)

    def _input(self, serializer_class, data=None):
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _creditor_and_segment(self, data):
        """The creditor the user manages and its segment the input names (ids), or a 400."""
        creditor = managed_creditors(user=self.request.user).filter(pk=data["creditor"]).first()
        if creditor is None:
            raise ApplicationError(_("Unknown creditor."), field="creditor")
        segment = None
        if data.get("segment"):
            segment = creditor_segments(creditor=creditor).filter(pk=data["segment"]).first()
            if segment is None:
                raise ApplicationError(_("Unknown segment of this creditor."), field="segment")
        return creditor, segment

    def _detail(self, pk, *, code=status.HTTP_200_OK) -> Response:
        experiment = experiment_get(user=self.request.user, pk=pk)
        serializer = s.ExperimentDetailOutputSerializer(experiment)
        return Response(serializer.data, status=code)

    def retrieve(self, request, pk=None):
        self._experiment(pk)
        return self._detail(pk)

    @extend_schema(
        summary="Create a draft experiment with its arms (shares add up to 100)",
        request=s.ExperimentInputSerializer,
        responses={
            201: OpenApiResponse(s.ExperimentDetailOutputSerializer, description="Created."),
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        data = self._input(s.ExperimentInputSerializer)
        creditor, segment = self._creditor_and_segment(data)
        arms = [
            {**arm, "offer": {k: str(v) for k, v in (arm.get("offer") or {}).items()}}
            for arm in data["arms"]
        ]
        experiment = experiment_create(
            user=request.user,
            creditor=creditor,
            segment=segment,
            name=data["name"],
            hypothesis=data.get("hypothesis", ""),
            subject=data["subject"],
            primary_metric=data["primary_metric"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            baseline_rate=data.get("baseline_rate"),
            minimum_lift=data.get("minimum_lift"),
            guardrails={k: str(v) for k, v in (data.get("guardrails") or {}).items()},
            arms=arms_resolve(creditor=creditor, subject=data["subject"], arms=arms),
        )
        return self._detail(experiment.pk, code=status.HTTP_201_CREATED)

    @_action_schema("Start: assign the segment's debtors; the arms apply from the next cycle", None)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        experiment = self._experiment(pk)
        experiment_start(user=request.user, experiment=experiment, as_of=business_today())
        return self._detail(experiment.pk)

    @_action_schema(
        "Stop without a winner: every debtor goes back to the champion", s.ReasonInputSerializer
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        experiment = self._experiment(pk)
        data = self._input(s.ReasonInputSerializer)
        experiment_stop(
            user=request.user, experiment=experiment, reason=data["reason"], as_of=business_today()
        )
        return self._detail(experiment.pk)

    @_action_schema(
        "Stop one arm (its debtors get the champion's way; they stay counted in it)",
        s.StopArmInputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="stop-arm")
    def stop_arm(self, request, pk=None):
        experiment = self._experiment(pk)
        data = self._input(s.StopArmInputSerializer)
        arm = experiment.arms.filter(pk=data["arm"]).first()
        if arm is None:
            raise ApplicationError(_("That arm is not this experiment's."), field="arm")
        arm_stop(user=request.user, arm=arm, reason=data["reason"])
        return self._detail(experiment.pk)

    @_action_schema(
        "Promote the winning arm: it becomes the rule and the experiment ends",
        s.PromoteInputSerializer,
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        experiment = self._experiment(pk)
        data = self._input(s.PromoteInputSerializer)
        arm = experiment.arms.filter(pk=data["arm"]).first()
        if arm is None:
            raise ApplicationError(_("That arm is not this experiment's."), field="arm")
        experiment_promote(
            user=request.user,
            experiment=experiment,
            arm=arm,
            note=data["note"],
            as_of=business_today(),
        )
        return self._detail(experiment.pk)

    @extend_schema(
        summary="Accounts each arm needs to detect a lift, and days for the segment to supply them",
        parameters=[s.CalculatorInputSerializer],
        responses={
            200: s.CalculatorOutputSerializer,
            400: OpenApiResponse(description="Field errors."),
        },
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def calculator(self, request):
        data = self._input(s.CalculatorInputSerializer, data=request.query_params)
        per_arm = sample_size_per_arm(
            baseline_pct=data["baseline_pct"],
            lift_pct=data["lift_pct"],
            alpha=data["alpha"],
            power=data["power"],
        )
        days = None
        if data.get("creditor"):
            creditor, segment = self._creditor_and_segment(data)
            days = days_to_supply(
                creditor=creditor,
                segment=segment,
                share_pct=data["share_pct"],
                needed=per_arm,
                as_of=business_today(),
            )
        body = {
            "per_arm": per_arm,
            "smallest_share_pct": data["share_pct"],
            "days_to_supply": days,
        }
        return Response(s.CalculatorOutputSerializer(body).data)
