"""REST `complaints`: thin views over the complaints services and selectors.

Every lookup goes through the user's scope: a complaint (or a debt, debtor, message) the user may
not see is answered exactly like one that does not exist. A refusal of the user's role from a
service (`require_handler`) is a 403, a refusal of the input a 400 on its field.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from collections_app.models import Interaction
from complaints import serializers as s
from complaints.models import Complaint
from complaints.models.complaint import (
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Regulator,
    RootCause,
)
from complaints.selectors.complaints import complaint_list, complaints_visible
from complaints.services.handling import (
    complaint_answer,
    complaint_assign,
    complaint_close,
    complaint_draft,
    complaint_extend,
    complaint_information_add,
    complaint_request_information,
)
from complaints.services.intake import complaint_create
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import DateFilter, IdFilter
from core.parsers import JSONParser
from core.roles import user_role
from messaging.models import Message
from portfolio.selectors import debt_queryset, debtor_queryset

UPLOAD_TYPES = ("application/pdf", "image/png", "image/jpeg")
ASSIGNEE_PATTERN = r"^(?:me|nobody|[1-9]\d{0,17})$"


class HasStaffRole(BasePermission):
    """Staff with a role only: a signed-in user without one (or a debtor) gets a 403."""

    message = gettext_lazy("Only staff may use the complaints API.")

    def has_permission(self, request, view):
        return user_role(request.user) is not None


@extend_schema_field({"type": "string", "pattern": ASSIGNEE_PATTERN})
class AssigneeFilter(django_filters.CharFilter):
    """`me`, `nobody` or a user id."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [RegexValidator(ASSIGNEE_PATTERN)])
        super().__init__(*args, **kwargs)


class ComplaintFilter(django_filters.FilterSet):
    """The list's filters, validated here (a bad value is a 400 on its name) and applied by
    `complaint_list`, the one place that knows how complaints are filtered and ordered."""

    status = django_filters.ChoiceFilter(
        choices=[("open", gettext_lazy("Open (not yet answered)")), *ComplaintStatus.choices]
    )
    kind = django_filters.ChoiceFilter(choices=ComplaintKind.choices)
    channel = django_filters.ChoiceFilter(choices=ComplaintChannel.choices)
    regulator = django_filters.ChoiceFilter(choices=[c for c in Regulator.choices if c[0]])
    root_cause = django_filters.ChoiceFilter(choices=RootCause.choices)
    creditor = IdFilter(label=gettext_lazy("Creditor id"))
    assigned_to = AssigneeFilter(label=gettext_lazy("me, nobody or a user id"))
    due_before = DateFilter(label=gettext_lazy("Answer due on or before"))
    received_from = DateFilter()
    received_to = DateFilter()
    q = django_filters.CharFilter(
        max_length=200,
        label=gettext_lazy("Number, subject, debtor's name, debt or regulator's reference"),
    )

    class Meta:
        model = Complaint
        fields = []

    def filter_queryset(self, queryset):
        filters = {name: value for name, value in self.form.cleaned_data.items() if value}
        if "creditor" in filters:
            filters["creditor"] = int(filters["creditor"])
        return complaint_list(user=self.request.user, filters=filters)


class FileNegotiation(DefaultContentNegotiation):
    """A download answers with the file's own type whatever the client accepts (`Accept:
    application/pdf` would otherwise be a 406 from renderers that only speak JSON); an error
    is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


ROLE_403 = OpenApiResponse(description=gettext_lazy("Only a complaints officer or a manager may."))
DONE = gettext_lazy("The complaint with its steps and files, after the action.")


def _action_schema(summary: str, request, *, role_checked: bool = False, responses=None):
    declared = {200: OpenApiResponse(s.ComplaintDetailOutputSerializer, description=DONE)}
    if role_checked:
        declared[403] = ROLE_403
    return extend_schema(summary=summary, request=request, responses=responses or declared)


@extend_schema_view(
    list=extend_schema(
        summary="List complaints visible to you, open first by the date the answer is owed",
        responses=s.ComplaintOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="A complaint with its steps (as sent) and its files",
        responses=s.ComplaintDetailOutputSerializer,
    ),
)
class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints (PQR) of the creditors or cases the user may see."""

    permission_classes = [IsAuthenticated, HasStaffRole]
    serializer_class = s.ComplaintOutputSerializer
    # The selector filters and orders (open first, by the date owed): no ordering or search.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ComplaintFilter

    def get_queryset(self):
        if self.action == "list":
            return complaints_visible(user=self.request.user)
        return complaints_visible(user=self.request.user).select_related(
            "creditor", "debtor", "debt", "assigned_to", "created_by"
        )

    def get_serializer_class(self):
        if self.action == "list":
            return s.ComplaintOutputSerializer
        return s.ComplaintDetailOutputSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = business_today()
        return context

    def get_parsers(self):
        # Only these two take files; the other actions take JSON (or a form) like the rest.
        if getattr(self, "action", None) in ("create", "information"):
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def _complaint(self, pk) -> Complaint:
        # Scoped lookup: one the user may not see is a 404, exactly like one that does not exist.
        return get_object_or_404(complaints_visible(user=self.request.user), pk=pk)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, pk, *, code=status.HTTP_200_OK) -> Response:
        queryset = self.get_queryset().prefetch_related("events__actor", "attachments")
        complaint = get_object_or_404(queryset, pk=pk)
        serializer = s.ComplaintDetailOutputSerializer(
            complaint, context=self.get_serializer_context()
        )
        return Response(serializer.data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(
        summary="Record a complaint received by phone, e-mail, letter or from a regulator",
        description=(
            "Starts its legal clock, holds the debt for contact and acknowledges it to the "
            "debtor. Send JSON, or multipart/form-data with the files in `attachments`."
        ),
        request={
            "application/json": s.ComplaintInputSerializer,
            "multipart/form-data": s.ComplaintUploadInputSerializer,
        },
        responses={
            201: OpenApiResponse(
                s.ComplaintDetailOutputSerializer, description="Recorded, clock started."
            ),
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        data = self._input(s.ComplaintUploadInputSerializer)
        user = request.user
        debt = debtor = None
        if data.get("debt"):
            debt = debt_queryset(user=user).select_related("debtor").filter(pk=data["debt"]).first()
            if debt is None:
                raise ApplicationError(_("Unknown debt."), field="debt")
            debtor = debt.debtor
            if data.get("debtor") and data["debtor"] != debtor.pk:
                raise ApplicationError(_("That debt is not this debtor's."), field="debt")
        else:
            debtor = debtor_queryset(user=user).filter(pk=data["debtor"]).first()
            if debtor is None:
                raise ApplicationError(_("Unknown debtor."), field="debtor")
        message = interaction = None
        if data.get("related_message"):
            message = Message.objects.filter(pk=data["related_message"], debtor=debtor).first()
            if message is None:
                raise ApplicationError(
                    _("No such message was sent to this debtor."), field="related_message"
                )
        if data.get("related_interaction"):
            interaction = Interaction.objects.filter(
                pk=data["related_interaction"], debt__debtor=debtor
            ).first()
            if interaction is None:
                raise ApplicationError(
                    _("No such call or visit with this debtor."), field="related_interaction"
                )
        complaint = complaint_create(
            debtor=debtor,
            debt=debt,
            kind=data["kind"],
            channel=data["channel"],
            regulator=data["regulator"],
            regulator_reference=data["regulator_reference"],
            subject=data["subject"],
            description=data["description"],
            received_at=data.get("received_at"),
            related_message=message,
            related_interaction=interaction,
            attachments=data.get("attachments", ()),
            user=user,
        )
        return self._detail(complaint.pk, code=status.HTTP_201_CREATED)

    @_action_schema(
        "Assign the complaint (a collector may take it themselves)", s.AssignInputSerializer
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.AssignInputSerializer)
        assignee = get_user_model().objects.filter(pk=data["assignee"], is_active=True).first()
        if assignee is None:
            raise ApplicationError(_("Unknown user."), field="assignee")
        complaint_assign(complaint=complaint, user=request.user, assignee=assignee)
        return self._detail(complaint.pk)

    @_action_schema(
        "Ask the debtor for more information (sent to them; the complaint waits)",
        s.RequestInformationInputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.RequestInformationInputSerializer)
        complaint_request_information(
            complaint=complaint, user=request.user, details=data["details"]
        )
        return self._detail(complaint.pk)

    @_action_schema(
        "Record the information the debtor sent (restarts the term where the law says so)",
        {
            "application/json": s.InformationInputSerializer,
            "multipart/form-data": s.InformationUploadInputSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def information(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.InformationUploadInputSerializer)
        complaint_information_add(
            complaint=complaint,
            text=data["text"],
            attachments=data.get("attachments", ()),
            user=request.user,
        )
        return self._detail(complaint.pk)

    @_action_schema(
        "Extend the term before it ends, telling the debtor why and the new date",
        s.ExtendInputSerializer,
        role_checked=True,
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.ExtendInputSerializer)
        complaint_extend(
            complaint=complaint, user=request.user, reason=data["reason"], as_of=business_today()
        )
        return self._detail(complaint.pk)

    @_action_schema(
        "Draft a text from a template, in the complaint's language (nothing is written)",
        s.DraftInputSerializer,
        responses={200: s.DraftOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.DraftInputSerializer)
        subject, body = complaint_draft(
            complaint=complaint, template=data["template"], details=data["details"]
        )
        return Response(s.DraftOutputSerializer({"subject": subject, "body": body}).data)

    @_action_schema("Send the answer (kept as sent; the debt's hold ends)", s.AnswerInputSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.AnswerInputSerializer)
        complaint_answer(
            complaint=complaint,
            user=request.user,
            subject=data["subject"],
            body=data["body"],
            template=data["template"],
        )
        return self._detail(complaint.pk)

    @_action_schema(
        "Close with an outcome and a root cause (lifts the hold and the bureau flag it set)",
        s.CloseInputSerializer,
        role_checked=True,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        complaint = self._complaint(pk)
        data = self._input(s.CloseInputSerializer)
        complaint_close(
            complaint=complaint,
            user=request.user,
            outcome=data["outcome"],
            root_cause=data["root_cause"],
            note=data["note"],
        )
        return self._detail(complaint.pk)

    @extend_schema(
        summary="Download a file of the complaint",
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for media_type in UPLOAD_TYPES
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})",
        url_name="attachment",
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=FileNegotiation,
    )
    def attachment(self, request, pk=None, attachment_id=None):
        complaint = self._complaint(pk)
        attachment = get_object_or_404(complaint.attachments.all(), pk=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:  # gone from storage: nothing to send
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
