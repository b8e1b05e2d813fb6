from django.contrib.auth.signals import user_logged_in
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.auth import lockout_response
from core.parsers import JSONParser
from portfolio import apis as debts


class TokenLoginView(ObtainAuthToken):
    """Exchange a username and password for the user's API token."""

    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        summary="Log in: get the API token for `Authorization: Token <key>`",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            429: OpenApiResponse(
                description="Too many failed logins for this username or from this address."
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        # The serializer calls authenticate(request=request): django-axes counts a failure
        # against the username and the address, and marks the request once they are locked out
        # (the right password included).
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # Getting a token is a sign-in: in the access log, and it clears the failure count.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token.key})


router = DefaultRouter()
router.register("debtors", debts.DebtorViewSet, basename="debtor")
router.register("debts", debts.DebtViewSet, basename="debt")

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="api-token"),
    *router.urls,
]
