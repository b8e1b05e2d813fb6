"""REST API for portfolio imports: upload a file, follow the batch, page through its errors."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import IsManagerOrAdmin, Pagination
from core.parsers import JSONParser
from imports.models import ImportBatch, ImportRowError
from imports.selectors import import_batch_queryset
from imports.services.portfolio_file import import_batch_create
from imports.tasks import import_batch_run_task
from portfolio.models import Creditor
from portfolio.selectors import creditor_list


class PortfolioImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The portfolio CSV file (UTF-8)."))
    creditor = serializers.SlugField(max_length=40, help_text=_("Creditor code."))
    portfolio = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Portfolio for new debts.")
    )
    strict = serializers.BooleanField(required=False, default=False)
    dry_run = serializers.BooleanField(required=False, default=False)


class PortfolioImportSerializer(serializers.ModelSerializer):
    creditor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    portfolio = serializers.CharField(
        source="portfolio.name", read_only=True, default=None, allow_null=True
    )
    errors_url = serializers.SerializerMethodField()
    # Why the file failed, in the request's language (stored as a code and params).
    error_message = serializers.CharField(source="error_display", read_only=True)
    error_code = serializers.CharField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "creditor",
            "portfolio",
            "file_name",
            "file_sha256",
            "strict",
            "dry_run",
            "source",
            "rows_total",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "capped_count",
            "capped_rows",
            "debtors_created",
            "debtors_updated",
            "error_message",
            "error_code",
            "created_at",
            "started_at",
            "finished_at",
            "errors_url",
        ]
        read_only_fields = fields

    def get_errors_url(self, batch) -> str:
        url = reverse("portfolio-import-errors", kwargs={"pk": batch.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ImportRowErrorSerializer(serializers.ModelSerializer):
    # The reason in the request's language (stored as a code and params, see imports.reasons).
    reason = serializers.CharField(source="reason_display", read_only=True)

    class Meta:
        model = ImportRowError
        fields = ["row", "column", "reason", "value"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Portfolio imports you may see")),
    retrieve=extend_schema(summary=_("One import with its counts")),
)
class PortfolioImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PortfolioImportSerializer
    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "id"]
    search_fields = []

    def get_queryset(self):
        return import_batch_queryset(user=self.request.user).filter(kind=ImportBatch.Kind.PORTFOLIO)

    @extend_schema(
        summary=_("Upload a portfolio file"),
        request={"multipart/form-data": PortfolioImportInputSerializer},
        responses={201: PortfolioImportSerializer},
    )
    def create(self, request):
        data = PortfolioImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["creditor"]
        creditor = creditor_list(user=request.user).filter(code=code).first()
        if creditor is None:
            if Creditor.objects.filter(code=code).exists():
                raise PermissionDenied(_("You do not manage this creditor."))
            raise ValidationError({"creditor": [_("Unknown creditor.")]})
        with transaction.atomic():
            batch = import_batch_create(
                kind=ImportBatch.Kind.PORTFOLIO,
                creditor=creditor,
                uploaded_file=data.validated_data["file"],
                portfolio_name=data.validated_data.get("portfolio") or None,
                strict=data.validated_data["strict"],
                dry_run=data.validated_data["dry_run"],
                user=request.user,
                source="api",
            )
            # Big files must not hold the request: a worker runs it after the commit.
            import_batch_run_task.delay_on_commit(batch.id)
        batch.refresh_from_db()
        body = PortfolioImportSerializer(batch, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Rejected rows of an import"),
        responses={200: ImportRowErrorSerializer(many=True)},
        filters=False,  # one import's rows in file order: the imports list's filters are not theirs
    )
    @action(detail=True, methods=["get"], url_path="errors", url_name="errors")
    def errors(self, request, pk=None):
        batch = self.get_object()
        paginator = Pagination()
        page = paginator.paginate_queryset(
            batch.row_errors.order_by("row", "id"), request, view=self
        )
        return paginator.get_paginated_response(ImportRowErrorSerializer(page, many=True).data)
