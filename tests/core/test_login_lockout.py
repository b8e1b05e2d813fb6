"""Staff sign-in is protected against password guessing (django-axes) and every sign-in and
failure is kept for administrators."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-2026"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def staff(db):
    user = ManagerFactory(username="ana.gerente")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _token(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_lock_the_login_page_even_for_the_right_one(client, staff):
    # Given someone guessing the password 40 times
    statuses = {_login(client, "ana.gerente", f"guess-{n}").status_code for n in range(40)}
    assert statuses == {200, 429}

    # When the right password comes next
    response = _login(client, "ana.gerente", PASSWORD)

    # Then it is refused with a clear page, and nobody is signed in
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    html = response.content.decode()
    assert 'data-testid="login-locked"' in html
    assert "Too many failed sign-in attempts" in html and "15 minutes" in html
    assert not _signed_in(client)


def test_the_lockout_starts_at_the_limit(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert [_login(client, "ana.gerente", "nope").status_code for _ in range(3)] == [200, 200, 429]


def test_a_few_typos_then_the_right_password_signs_in_and_clears_the_count(client, staff):
    for _ in range(3):
        _login(client, "ana.gerente", "typo")

    response = _login(client, "ana.gerente", PASSWORD)

    assert response.status_code == 302 and _signed_in(client)
    assert not AccessAttempt.objects.filter(username="ana.gerente").exists()


def test_the_lock_is_per_username_from_any_address(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        _login(Client(REMOTE_ADDR=f"10.0.0.{n + 1}"), "ana.gerente", "nope")

    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert _login(elsewhere, "ana.gerente", PASSWORD).status_code == 429
    assert not _signed_in(elsewhere)


def test_the_lock_is_per_address_across_usernames(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    guesser = Client(REMOTE_ADDR="10.6.6.6")
    for name in ("admin", "root", "gerente"):
        _login(guesser, name, "nope")

    # The address is locked, even for a real user with the right password
    assert _login(guesser, "ana.gerente", PASSWORD).status_code == 429
    # while the user signs in from their own address
    office = Client(REMOTE_ADDR="10.1.1.1")
    assert _login(office, "ana.gerente", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "ana.gerente", "nope")
    assert _login(client, "ana.gerente", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert _login(client, "ana.gerente", PASSWORD).status_code == 302


def test_the_lockout_page_is_in_spanish(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    for _ in range(2):
        response = _login(client, "ana.gerente", "nope")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in html and "15 minutos" in html


def test_the_token_endpoint_goes_through_the_same_lock(api_client, staff):
    # Given 40 wrong passwords on the API
    statuses = [_token(api_client, "ana.gerente", f"guess-{n}").status_code for n in range(40)]
    assert statuses[0] == 400 and statuses[-1] == 429

    # When the right one comes
    response = _token(api_client, "ana.gerente", PASSWORD)

    # Then a 429 with a clear JSON message, and no token
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert not Token.objects.exists()
    # and the login page is locked for the same user too
    assert _login(Client(REMOTE_ADDR="10.2.2.2"), "ana.gerente", PASSWORD).status_code == 429


def test_a_token_login_is_logged_and_clears_the_count(staff):
    api = APIClient(REMOTE_ADDR="10.4.4.4")
    _token(api, "ana.gerente", "typo")

    response = _token(api, "ana.gerente", PASSWORD)

    assert response.status_code == 200 and response.json()["token"]
    log = AccessLog.objects.get()
    assert (log.username, log.ip_address, log.path_info) == ("ana.gerente", "10.4.4.4", TOKEN_URL)
    assert not AccessAttempt.objects.exists()
    assert AccessFailureLog.objects.get().username == "ana.gerente"


def test_the_admin_login_is_locked_too(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    url = reverse("admin:login")
    for _ in range(2):
        response = client.post(url, {"username": "ana.gerente", "password": "nope"})
    assert response.status_code == 429


def test_an_administrator_unlocks_in_the_admin(client, staff, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "ana.gerente", "nope")
    admin = Client()
    admin.force_login(admin_user)

    # The lockout shows in the admin
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"), {"locked_out": "yes"})
    assert listing.status_code == 200 and "ana.gerente" in listing.content.decode()
    # and deleting the attempt unlocks the user
    attempt = AccessAttempt.objects.get(username="ana.gerente")
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert _login(client, "ana.gerente", PASSWORD).status_code == 302


def test_an_administrator_unlocks_with_a_command(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "ana.gerente", "nope")

    call_command("axes_reset_username", "ana.gerente")

    assert _login(client, "ana.gerente", PASSWORD).status_code == 302


def test_sign_ins_and_failures_are_read_only_in_the_admin(client, staff, admin_user):
    _login(Client(), "ana.gerente", "nope")
    _login(Client(), "ana.gerente", PASSWORD)
    admin = Client()
    admin.force_login(admin_user)
    signed_in = AccessLog.objects.get(username="ana.gerente")
    for model, row in (
        ("accesslog", signed_in),
        ("accessfailurelog", AccessFailureLog.objects.get()),
    ):
        listing = admin.get(reverse(f"admin:axes_{model}_changelist"), {"q": "ana"})
        assert listing.status_code == 200 and "ana.gerente" in listing.content.decode()
        delete = reverse(f"admin:axes_{model}_delete", args=[row.pk])
        assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(username="ana.gerente").count() == 1
    assert AccessFailureLog.objects.count() == 1


def test_a_locked_address_still_reaches_the_debtor_portal(staff, settings):
    # The portal has its own sign-in (document + code) and its own lockout.
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="10.7.7.7")
    for _ in range(2):
        _login(client, "ana.gerente", "nope")
    response = client.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"}
    )
    assert response.status_code == 302 and response.url == reverse("portal:verify")
