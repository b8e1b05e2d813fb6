"""REST API for portfolio imports: upload, scoped list/detail, paginated errors, bad input."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportBatch
from portfolio.models import Debt
from tests.factories.portfolio import CreditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded import files go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "portfolio-sample.csv"
URL = "/api/v1/portfolio-imports/"


@pytest.fixture
def post(api_client, django_capture_on_commit_callbacks):
    """POST that also runs the on-commit task dispatch (eager Celery, as a worker would)."""

    def _post(data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(URL, data, format="multipart", **kwargs)

    return _post


def sample(name="sample.csv"):
    return SimpleUploadedFile(name, SAMPLE.read_bytes(), content_type="text/csv")


def test_manager_uploads_a_file_and_gets_the_batch(api_client, post, manager, creditor):
    api_client.force_authenticate(manager)
    response = post({"file": sample(), "creditor": creditor.code, "portfolio": "Lote API"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    body = api_client.get(f"{URL}{response.json()['id']}/").json()
    # The worker ran it (eager in tests) once the request's transaction committed.
    assert body["status"] == "completed"
    assert (body["created_count"], body["rejected_count"]) == (29, 12)
    assert body["portfolio"] == "Lote API" and body["creditor"] == creditor.code
    assert body["errors_url"].endswith(f"{URL}{body['id']}/errors/")
    batch = ImportBatch.objects.get(id=body["id"])
    assert (batch.source, batch.created_by) == ("api", manager)
    assert Debt.objects.filter(portfolio__name="Lote API").count() == 29


def test_errors_endpoint_is_paginated(api_client, post, manager, creditor):
    api_client.force_authenticate(manager)
    batch_id = post({"file": sample(), "creditor": creditor.code}).json()["id"]
    page = api_client.get(f"{URL}{batch_id}/errors/", {"page_size": 5}).json()
    assert page["count"] == 12 and len(page["results"]) == 5
    assert page["results"][0] == {
        "row": 8,
        "column": "principal",
        "reason": "Must not be negative.",
        "value": "-100.00",
    }
    rest = api_client.get(f"{URL}{batch_id}/errors/", {"page_size": 5, "page": 3}).json()
    assert [e["row"] for e in rest["results"]] == [34, 42]


def test_dry_run_and_strict_flags(api_client, post, manager, creditor):
    api_client.force_authenticate(manager)
    dry = post({"file": sample(), "creditor": creditor.code, "dry_run": "true"}).json()
    strict = post({"file": sample(), "creditor": creditor.code, "strict": "true"}).json()
    dry = api_client.get(f"{URL}{dry['id']}/").json()
    strict = api_client.get(f"{URL}{strict['id']}/").json()
    assert dry["status"] == "completed" and dry["created_count"] == 29 and dry["dry_run"]
    assert strict["status"] == "rejected"
    assert not Debt.objects.exists()


def test_list_and_detail_are_scoped_to_the_managers_creditors(api_client, manager, admin_user):
    other = CreditorFactory(code="ajeno")
    api_client.force_authenticate(admin_user)
    theirs = api_client.post(URL, {"file": sample(), "creditor": other.code}, format="multipart")
    assert theirs.status_code == 201
    api_client.force_authenticate(manager)
    assert api_client.get(URL).json()["count"] == 0
    assert api_client.get(f"{URL}{theirs.json()['id']}/").status_code == 404
    assert api_client.get(f"{URL}{theirs.json()['id']}/errors/").status_code == 404
    api_client.force_authenticate(admin_user)
    listed = api_client.get(URL).json()
    assert [b["id"] for b in listed["results"]] == [theirs.json()["id"]]


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({}, 400, "file"),
        ({"creditor": "banco-andino"}, 400, "file"),
        ({"file": "not-a-file", "creditor": "banco-andino"}, 400, "file"),
        ({"file": "CSV", "creditor": "no-such"}, 400, "creditor"),
        ({"file": "CSV", "creditor": "banco-andino", "strict": "perhaps"}, 400, "strict"),
        ({"file": "XLSX", "creditor": "banco-andino"}, 400, "file"),
        ({"file": "CSV", "creditor": "x" * 300}, 400, "creditor"),
    ],
)
def test_garbage_gets_a_field_error_and_writes_nothing(
    api_client, manager, creditor, data, status, field
):
    api_client.force_authenticate(manager)
    if data.get("file") == "CSV":
        data["file"] = sample()
    elif data.get("file") == "XLSX":
        data["file"] = SimpleUploadedFile("book.xlsx", b"PK\x03\x04", content_type="x/y")
    response = api_client.post(URL, data, format="multipart")
    assert response.status_code == status
    assert field in response.json()
    assert not ImportBatch.objects.exists()


def test_json_body_without_file_is_a_400(api_client, manager, creditor):
    api_client.force_authenticate(manager)
    response = api_client.post(URL, {"creditor": creditor.code}, format="json")
    assert response.status_code == 400 and "file" in response.json()


def test_creditor_not_yours_is_403(api_client, manager):
    CreditorFactory(code="ajeno")
    api_client.force_authenticate(manager)
    response = api_client.post(URL, {"file": sample(), "creditor": "ajeno"}, format="multipart")
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_collectors_and_anonymous_are_refused(api_client, collector, creditor):
    assert api_client.get(URL).status_code in (401, 403)
    api_client.force_authenticate(collector)
    assert api_client.get(URL).status_code == 403
    response = api_client.post(URL, {"file": sample(), "creditor": creditor.code})
    assert response.status_code == 403


def test_schema_documents_the_multipart_body(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"][URL]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body
    ref = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][ref]["properties"]
    assert properties["file"]["format"] == "binary"
    assert {"creditor", "portfolio", "strict", "dry_run"} <= set(properties)
