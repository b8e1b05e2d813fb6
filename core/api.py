"""Shared DRF pieces: pagination and an exception handler that never lets bad input be a 500."""

import datetime
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.dates import business_date_validate, business_today
from core.exceptions import ApplicationError
from core.roles import is_manager

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        # A malformed page_size is a client error, not a silent fallback to the default.
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty (`?page_size=`, a blank form field): the default
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Must be a positive integer.")]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        # Both are positive integers: the schema says so, since 0 or -1 is refused (a 400).
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw and raw not in self.last_page_strings:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            if number < 1:
                raise exceptions.ValidationError(
                    {self.page_query_param: [_("Must be a positive integer.")]}
                )
        return super().paginate_queryset(queryset, request, view)


class AwareDateTimeField(serializers.DateTimeField):
    """A date and time that states its offset: a naive one is refused, never read as local.

    DRF's DateTimeField would make "2026-12-01T10:00:00" aware in the operation's time zone,
    silently recording a payment made elsewhere hours off.
    """

    default_error_messages = {
        "naive": gettext_lazy(
            "Include the time zone offset (e.g. 2026-12-01T10:00:00-05:00 or 2026-12-01T15:00:00Z)."
        ),
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            self.fail("naive")
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well formed but impossible ("12:99"): DRF's "invalid" below
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


class BusinessDateField(serializers.DateField):
    """A business date a client names (`as_of` for a write): within its window of today.

    Services take the business date they are given as their reference (so a day can be
    replayed); this is where a date from outside is held to the window of BUSINESS_DATE_WINDOWS.
    """

    def __init__(self, *, kind: str = "as_of", **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            business_date_validate(day, today=business_today(), kind=self.kind)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message, code="date_window") from exc
        return day


class StrictOrderingFilter(OrderingFilter):
    """Ordering by a field that is not offered is a 400, not silently ignored."""

    def get_schema_operation_parameters(self, view):
        # The fields on offer, each ascending or `-` descending, comma-separated: anything else
        # is refused, so the schema lists them.
        parameters = super().get_schema_operation_parameters(view)
        offered = getattr(view, "ordering_fields", self.ordering_fields)
        if isinstance(offered, list | tuple):
            names = [item if isinstance(item, str) else item[0] for item in offered]
            choices = sorted(choice for name in names for choice in (name, f"-{name}"))
            for parameter in parameters:
                # Empty (`?ordering=`) is the default order, like any empty optional parameter.
                parameter.update(style="form", explode=False, allowEmptyValue=True)
                parameter["schema"] = {
                    "type": "array",
                    "items": {"type": "string", "enum": choices},
                }
        return parameters

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            # An empty part (`?ordering=amount,`) names no field either: refused like the rest.
            fields = [param.strip() for param in params.split(",")]
            valid = {
                item[0] for item in self.get_valid_fields(queryset, view, {"request": request})
            }
            invalid = [f for f in fields if f.lstrip("-") not in valid]
            if invalid:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(fields)s. Choose from: %(valid)s.")
                            % {
                                "fields": ", ".join(field or '""' for field in invalid),
                                "valid": ", ".join(sorted(valid)),
                            }
                        ]
                    }
                )
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            # A unique tie-breaker keeps pages stable when many rows share a value (stage...).
            ordering = [*ordering, "pk"]
        return ordering


class StrictSearchFilter(SearchFilter):
    """SearchFilter whose bad input (e.g. a NUL character) is reported under `search`."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({self.search_param: exc.detail}) from exc


class IsManagerOrAdmin(BasePermission):
    """Managers and administrators only (collectors and role-less users get a 403)."""

    message = gettext_lazy("Only managers and administrators may do this.")

    def has_permission(self, request, view):
        return is_manager(request.user)


def _django_validation_body(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            ("detail" if key == "__all__" else key): messages
            for key, messages in exc.message_dict.items()
        }
    return {"detail": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        extra = dict(exc.extra)
        # A service may say the refusal is the role's, not the input's (`extra={"status": 403}`):
        # only a client error is taken from it, anything else stays a 400.
        code = extra.pop("status", None)
        if code not in (
            status.HTTP_403_FORBIDDEN,
            status.HTTP_404_NOT_FOUND,
            status.HTTP_409_CONFLICT,
        ):
            code = status.HTTP_400_BAD_REQUEST
        if code == status.HTTP_400_BAD_REQUEST and exc.field:
            body = {exc.field: [exc.message]}
        else:  # a 403/404/409 says it in `detail`, like DRF's own
            body = {"detail": exc.message}
        body.update(extra)
        set_rollback()
        return Response(body, status=code)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_django_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # A value the column cannot hold (too many digits, too long): the input's fault.
        logger.warning("DataError turned into a 400 in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("A value is out of range or too long for this field.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RecursionError):
        # json.loads gives up on absurdly nested bodies ([[[[...]]]]) with a RecursionError.
        set_rollback()
        return Response(
            {"detail": _("The request body is nested too deeply.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, UnicodeError):
        # A JSON "\ud800" escape decodes to a lone surrogate the database cannot store.
        set_rollback()
        return Response(
            {"detail": _("The request contains text that is not valid Unicode.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OverflowError):
        # Only absurd input (1e400, a 30-digit id) overflows Python's int/date arithmetic.
        logger.warning("OverflowError turned into a 400 in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("A number is out of range.")}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, IntegrityError):
        # Usually a race with another writer on a unique key; never show SQL to the client.
        logger.warning("IntegrityError turned into a 409 in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("This conflicts with existing data; reload and try again.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
