"""Friendly 403, 404 and 500 pages in the page's language: the portal's look under /portal/ (and
on opt-out links), the staff look elsewhere, each with a way back; the 500 page renders even with
the database down."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from tests.factories.users import CollectorFactory, ManagerFactory

ES, EN = {"HTTP_ACCEPT_LANGUAGE": "es"}, {"HTTP_ACCEPT_LANGUAGE": "en"}
STAFF_LOOK = 'class="topbar"'
PORTAL_LOOK = 'class="p-header"'


def page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (ES, "No encontramos esta página", "Iniciar sesión"),
        (EN, "We could not find this page", "Sign in"),
    ],
)
def test_staff_404_in_the_request_language_with_a_way_back(client, lang, title, text):
    response = client.get("/no-such-page/", **lang)
    assert response.status_code == 404
    html = page(response)
    assert title in html and STAFF_LOOK in html and PORTAL_LOOK not in html
    assert f'href="/accounts/login/">{text}</a>' in html
    assert f'lang="{lang["HTTP_ACCEPT_LANGUAGE"]}"' in html


@pytest.mark.django_db
def test_staff_404_sends_a_collector_back_to_their_queue(client):
    client.force_login(CollectorFactory())
    html = page(client.get("/debts/999999999/", **ES))
    assert "No encontramos esta página" in html
    assert 'href="/collections/">Ir a mi cartera</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            ES,
            [
                "No puede abrir esta página",
                "Solo los directores de cobranza y los administradores pueden abrir",
                'href="/collections/">Ir a mi cartera</a>',
            ],
        ),
        (
            EN,
            [
                "You cannot open this page",
                "Only managers and administrators may open this page.",
                'href="/collections/">Go to my work queue</a>',
            ],
        ),
    ],
)
def test_collector_on_a_manager_page_gets_the_staff_403(client, lang, texts):
    client.force_login(CollectorFactory())
    response = client.get("/collections/assign/", **lang)
    assert response.status_code == 403
    html = page(response)
    assert STAFF_LOOK in html
    for text in texts:
        assert text in html


@pytest.mark.django_db
def test_a_manager_is_sent_back_to_the_dashboard(client, creditor):
    client.force_login(ManagerFactory(creditors=[creditor]))
    html = page(client.get("/no-such-page/", **EN))
    assert 'href="/analytics/dashboard/">Go to the dashboard</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title", "back"),
    [
        (ES, "No encontramos esta página", "Ir al inicio del portal"),
        (EN, "We could not find this page", "Go to the portal start"),
    ],
)
def test_portal_404_has_the_portal_look_and_leads_to_the_portal(client, lang, title, back):
    response = client.get("/portal/no-such-page/", **lang)
    assert response.status_code == 404
    html = page(response)
    assert title in html and PORTAL_LOOK in html and STAFF_LOOK not in html
    assert f'href="/portal/">{back}</a>' in html
    # The portal's security headers still apply.
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.django_db
def test_an_invalid_opt_out_link_gets_the_debtors_look(client):
    response = client.get("/unsubscribe/not-a-token/", **ES)
    assert response.status_code == 404
    assert PORTAL_LOOK in page(response)


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize(
    ("lang", "title"), [(ES, "Esta página no está disponible"), (EN, "This page is not available")]
)
def test_portal_403_has_the_portal_look(client, lang, title):
    response = client.get("/portal/forbidden/", **lang)
    assert response.status_code == 403
    html = page(response)
    assert title in html and PORTAL_LOOK in html and 'href="/portal/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "look", "text"),
    [
        ("/portal/", PORTAL_LOOK, "Este formulario venció o tu navegador"),
        ("/accounts/login/", STAFF_LOOK, "Este formulario venció o su navegador"),
    ],
)
def test_an_expired_form_gets_a_friendly_403(path, look, text):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": "x"}, **ES)
    assert response.status_code == 403
    html = page(response)
    assert look in html and text in html and "No se pudo enviar este formulario" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize(
    ("path", "lang", "look", "texts"),
    [
        ("/boom/", ES, STAFF_LOOK, ["Algo falló de nuestro lado", 'href="/">Volver al inicio']),
        ("/boom/", EN, STAFF_LOOK, ["Something went wrong on our side", "Back to the start"]),
        (
            "/portal/boom/",
            ES,
            PORTAL_LOOK,
            ["Algo falló de nuestro lado", "llámanos al +57 601 555 0100", "Volver al portal"],
        ),
        (
            "/portal/boom/",
            EN,
            PORTAL_LOOK,
            ["Something went wrong on our side", "call us at +57 601 555 0100"],
        ),
    ],
)
def test_500_in_the_request_language(path, lang, look, texts):
    client = Client(raise_request_exception=False)
    response = client.get(path, **lang)
    assert response.status_code == 500
    html = page(response)
    assert look in html
    for text in texts:
        assert text in html


@pytest.fixture
def database_down(monkeypatch):
    """Every connection attempt fails as with the server stopped."""

    def refuse(self):
        raise OperationalError("connection to server failed: No such file or directory")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.mark.parametrize(
    ("path", "look", "title"),
    [
        ("/health/", STAFF_LOOK, "Something went wrong on our side"),
        ("/portal/", PORTAL_LOOK, "Something went wrong on our side"),
        ("/debts/", STAFF_LOOK, "Something went wrong on our side"),
    ],
)
def test_500_page_shows_with_the_database_down(database_down, client, path, look, title):
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-that-needs-the-database"
    response = client.get(path, **EN)
    assert response.status_code == 500
    html = page(response)
    assert look in html and title in html


def test_an_api_500_is_json_like_every_other_api_error(database_down, client):
    # Given the database is down, when an API client asks for the debts
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-that-needs-the-database"
    response = client.get("/api/v1/debts/", **ES)
    # Then it gets a JSON error it can parse, in its language, and no page of HTML
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "El servidor no pudo responder esta solicitud; quedó registrado."
    }
