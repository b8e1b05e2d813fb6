"""`/api/v1/bureau/runs/` and `/api/v1/bureau/notices/`: the steps of a run, its file, the
ledger, and who may do what (collectors 403, another creditor's run 404, bad input 400)."""

import hashlib

import pytest
from rest_framework.test import APIClient

from bureau.models import FurnishingRun
from tests.bureau.surfaces_helpers import CUT_OFF, book_fixture, tiny_layout_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/bureau/runs/"
NOTICES = "/api/v1/bureau/notices/"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _create(api, book, **overrides):
    body = {"creditor": book["creditor"].pk, "bureau": "datacredito", "cut_off": "2026-11-30"}
    return api.post(RUNS, {**body, **overrides}, format="json")


def test_create_validate_generate_download_submit(book):
    api = _api(book["manager"])
    response = _create(api, book)
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "draft" and run["cut_off"] == CUT_OFF.isoformat()
    assert run["download_url"] is None

    response = api.post(f"{RUNS}{run['id']}/validate/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "validated"
    assert response.json()["findings"][0]["code"] == "TINY-1"

    response = api.post(f"{RUNS}{run['id']}/generate/")
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "generated" and len(detail["checksum"]) == 64
    assert sum(count["accounts"] for count in detail["counts"]) == detail["accounts"]

    download = api.get(detail["download_url"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == detail["checksum"]

    response = api.post(f"{RUNS}{run['id']}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["submitted_by_username"] == book["manager"].username

    listed = api.get(RUNS, {"status": "submitted", "creditor": book["creditor"].pk}).json()
    assert [r["id"] for r in listed["results"]] == [run["id"]]


def test_cancel(book):
    api = _api(book["manager"])
    run = _create(api, book).json()
    response = api.post(f"{RUNS}{run['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_a_collector_gets_a_403(book):
    api = _api(book["collector"])
    assert api.get(RUNS).status_code == 403
    assert _create(api, book).status_code == 403
    assert api.get(NOTICES).status_code == 403
    assert not FurnishingRun.objects.exists()


def test_another_creditors_run_is_a_404(book):
    run = _create(_api(book["manager"]), book).json()
    api = _api(book["other_manager"])
    assert api.get(f"{RUNS}{run['id']}/").status_code == 404
    assert api.post(f"{RUNS}{run['id']}/validate/").status_code == 404
    assert api.get(f"{RUNS}{run['id']}/download/").status_code == 404
    assert api.get(RUNS).json()["results"] == []
    assert FurnishingRun.objects.get().status == "draft"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"cut_off": "2026-02-30"}, "cut_off"),
        ({"cut_off": "9999-12-31"}, "cut_off"),
        ({"cut_off": None}, "cut_off"),
        ({"bureau": "nowhere"}, "bureau"),
        ({"creditor": 0}, "creditor"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(book, overrides, field):
    response = _create(_api(book["manager"]), book, **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert not FurnishingRun.objects.exists()


def test_a_creditor_the_manager_does_not_manage_is_a_400_on_creditor(book):
    response = _create(_api(book["manager"]), book, creditor=book["other"].pk)
    assert response.status_code == 400
    assert "creditor" in response.json()
    assert not FurnishingRun.objects.exists()


def test_a_step_the_status_does_not_allow_is_a_400_and_changes_nothing(book):
    api = _api(book["manager"])
    run = _create(api, book).json()
    response = api.post(f"{RUNS}{run['id']}/submit/")
    assert response.status_code == 400
    assert FurnishingRun.objects.get().status == "draft"
    assert api.get(f"{RUNS}{run['id']}/download/").status_code == 404  # no file yet


def test_the_notices_of_the_managers_creditors(book):
    api = _api(book["manager"])
    response = api.get(NOTICES, {"creditor": book["creditor"].pk, "delivery": "delivered"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["debt"] for row in rows] == [book["noticed"].pk]
    assert rows[0]["delivered"] is True and rows[0]["sent_on"] == "2026-10-15"
    assert _api(book["other_manager"]).get(NOTICES).json()["results"] == []


def test_a_bad_notice_filter_is_a_400(book):
    response = _api(book["manager"]).get(NOTICES, {"sent_from": "2026-13-01"})
    assert response.status_code == 400
    assert "sent_from" in response.json()
