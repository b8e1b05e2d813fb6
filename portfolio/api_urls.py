from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.routers import DefaultRouter

from core.parsers import JSONParser
from portfolio import apis as debts


class TokenLoginView(ObtainAuthToken):
    """Exchange a username and password for the user's API token."""

    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        summary="Log in: get the API token for `Authorization: Token <key>`",
        request=AuthTokenSerializer,
        responses=inline_serializer("AuthToken", {"token": serializers.CharField()}),
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


router = DefaultRouter()
router.register("debtors", debts.DebtorViewSet, basename="debtor")
router.register("debts", debts.DebtViewSet, basename="debt")

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="api-token"),
    *router.urls,
]
