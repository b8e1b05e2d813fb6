"""The OpenAPI contract: a valid schema, every API route documented, docs served without a CDN."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def api_routes(patterns=None, prefix=""):
    """Every URL route under /api/v1/, as an OpenAPI-style path with `{}` for parameters."""
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= api_routes(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and route.lstrip("^").startswith("api/v1/")
            and "format>" not in route  # the router's `.json` suffix variants
        ):
            routes.add(normalise(route))
    return routes


def normalise(route: str) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)|<[^>]+>|\{[^}]+\}", "{}", route)
    return "/" + route.lstrip("/")


def test_the_schema_is_valid_openapi():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    assert schema["info"]["title"] == "Cartera API"


def test_spectacular_command_validates_without_warnings(tmp_path):
    # --fail-on-warn: a view that spectacular cannot describe fails the build.
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/debts/{id}/history/:" in out.read_text()


def test_every_api_route_is_documented():
    documented = {normalise(path) for path in SchemaGenerator().get_schema(public=True)["paths"]}
    # The router's browsable root is not an endpoint.
    routes = api_routes() - {"/api/v1/"}
    assert "/api/v1/debts/{}/history/" in routes

    assert routes - documented == set()


def test_schema_endpoint_documents_the_debt_contract(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    debt = schema["components"]["schemas"]["Debt"]["properties"]
    for name in ("debt_ref", "stage", "days_past_due", "balance", "assigned_to", "creditor"):
        assert name in debt
    assert debt["balance"]["type"] == "string" and debt["balance"]["format"] == "decimal"
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_swagger_ui_is_served_from_our_own_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "SwaggerUIBundle" in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        # Every asset is a local static file that exists: nothing is fetched from a CDN.
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert re.findall(r"https?://|(?:src|href)=[\"']//", html) == []


def test_an_api_url_that_matches_no_route_is_a_json_404(client):
    # `<int:pk>` routes never match "abc", so DRF (whose 404s are JSON) is never reached.
    response = client.get("/api/v1/debts/abc/transitions/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_an_html_404(client):
    response = client.get("/debts/abc/nowhere/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_every_operation_declares_the_errors_it_can_answer():
    paths = SchemaGenerator().get_schema(public=True)["paths"]
    codes = {
        (method.upper(), path): set(operation["responses"])
        for path, operations in paths.items()
        for method, operation in operations.items()
    }

    # Read by anyone logged in: a bad filter, no credentials, an unknown id or page.
    assert codes[("GET", "/api/v1/debts/{id}/")] == {"200", "400", "401", "404"}
    # A manager's write: also a role, a conflict, a body in an unsupported content type.
    assert codes[("POST", "/api/v1/holds/{id}/close/")] == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "415",
    }
    # Logging in takes no credentials, but refuses invalid ones like every endpoint.
    assert codes[("POST", "/api/v1/auth/token/")] == {
        "200",
        "400",
        "401",
        "403",
        "409",
        "415",
        "429",  # locked out after repeated wrong passwords (django-axes)
    }
    for (method, path), declared in codes.items():
        assert "400" in declared, f"{method} {path}"
