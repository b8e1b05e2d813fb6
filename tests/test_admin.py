import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from collections_app.models import EscalationPolicy
from tests.factories.portfolio import DebtFactory, PaymentFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "portfolio", "collections_app", "agreements", "messaging", "portal"}


def test_every_model_is_in_the_admin():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and not model._meta.label.split(".")[1].startswith("Historical")
        and model not in admin.site._registry
    ]
    assert missing == []


def test_every_changelist_searches_and_filters(admin_client):
    PaymentFactory(debt=DebtFactory())
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client.get(url, {"q": "a"} if model_admin.search_fields else {})
        assert response.status_code == 200, url


def test_a_creditor_added_in_the_admin_gets_the_default_policy(admin_client):
    response = admin_client.post(
        reverse("admin:portfolio_creditor_add"),
        {"code": "nuevo", "name": "Nuevo", "kind": "bank", "country": "CO", "is_active": "on"},
    )
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(creditor__code="nuevo")
    assert (policy.current_version.friendly_dpd, policy.current_version.legal_dpd) == (1, 91)
