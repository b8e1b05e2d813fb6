"""Manager pages for imports: upload form, history list, result page, errors CSV, access."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportBatch
from portfolio.models import Debt
from tests.factories.portfolio import CreditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded import files go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "portfolio-sample.csv"


def sample(name="sample.csv", content=None):
    return SimpleUploadedFile(name, content or SAMPLE.read_bytes(), content_type="text/csv")


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def _upload(**data):
        payload = {"kind": "portfolio", "file": sample(), **data}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("imports:import-create"), payload)

    return _upload


def test_manager_uploads_and_sees_the_result(client, manager, creditor, upload):
    # Given a manager on the upload page
    client.force_login(manager)
    form = client.get(reverse("imports:import-create"))
    assert form.status_code == 200 and creditor.name in form.content.decode()
    # When they upload the sample
    response = upload(creditor=creditor.code, portfolio="Lote web")
    # Then they land on the result page with counts and the rejected rows
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:import-detail", args=[batch.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert batch.status == "completed" and batch.source == "web"
    assert "Must not be negative." in html and "yacht" in html
    assert 'hx-trigger="every 2s"' not in html  # finished: no more polling
    assert Debt.objects.filter(portfolio__name="Lote web").count() == 29


def test_pending_import_polls_and_htmx_gets_the_status_block(client, manager, creditor):
    client.force_login(manager)
    batch = ImportBatch.objects.create(
        kind="portfolio", creditor=creditor, file_name="big.csv", created_by=manager
    )
    url = reverse("imports:import-detail", args=[batch.pk])
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{url}"' in html
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "import-status"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode() and "big.csv" in partial.content.decode()
    assert "HX-Refresh" not in partial
    ImportBatch.objects.filter(pk=batch.pk).update(status="completed")
    done = client.get(url, headers={"HX-Request": "true", "HX-Target": "import-status"})
    assert done["HX-Refresh"] == "true"


def test_errors_csv_download(client, manager, creditor, upload):
    client.force_login(manager)
    upload(creditor=creditor.code)
    batch = ImportBatch.objects.get()
    response = client.get(reverse("imports:import-errors-csv", args=[batch.pk]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == "row,column,reason,value"
    assert lines[1] == "8,principal,Must not be negative.,-100.00"
    assert len(lines) == 13


def test_list_filters_and_paginates(client, manager, creditor):
    other = CreditorFactory(code="otro", name="Otro")
    other.managers.add(manager)
    for i in range(30):
        ImportBatch.objects.create(kind="portfolio", creditor=creditor, file_name=f"f{i}.csv")
    ImportBatch.objects.create(
        kind="portfolio", creditor=other, file_name="other.csv", status="failed"
    )
    client.force_login(manager)
    url = reverse("imports:import-list")
    first = client.get(url)
    assert first.status_code == 200 and first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    failed = client.get(url, {"status": "failed"})
    assert [b.file_name for b in failed.context["page"].object_list] == ["other.csv"]
    by_creditor = client.get(url, {"creditor": creditor.code, "page": 2})
    assert len(by_creditor.context["page"].object_list) == 5


def test_form_refuses_bad_files_with_messages(client, manager, creditor, upload, settings):
    client.force_login(manager)
    not_csv = upload(creditor=creditor.code, file=sample("book.xlsx"))
    assert not_csv.status_code == 400
    assert "Only .csv files" in not_csv.content.decode()
    settings.CARTERA_IMPORT_MAX_BYTES = 100
    too_big = upload(creditor=creditor.code)
    assert too_big.status_code == 400 and "larger than" in too_big.content.decode()
    no_file = client.post(reverse("imports:import-create"), {"creditor": creditor.code})
    assert no_file.status_code == 400
    assert not ImportBatch.objects.exists()


def test_manager_cannot_import_for_or_see_another_creditor(client, manager, admin_user, upload):
    other = CreditorFactory(code="ajeno")
    client.force_login(manager)
    refused = upload(creditor=other.code)
    assert refused.status_code == 400 and not ImportBatch.objects.exists()
    theirs = ImportBatch.objects.create(kind="portfolio", creditor=other, file_name="x.csv")
    assert client.get(reverse("imports:import-detail", args=[theirs.pk])).status_code == 404
    csv_url = reverse("imports:import-errors-csv", args=[theirs.pk])
    assert client.get(csv_url).status_code == 404
    assert client.get(reverse("imports:import-list")).context["page"].paginator.count == 0
    client.force_login(admin_user)
    assert client.get(reverse("imports:import-detail", args=[theirs.pk])).status_code == 200


def test_collectors_get_403_and_anonymous_go_to_login(client, collector):
    for name, args in [
        ("imports:import-list", []),
        ("imports:import-create", []),
        ("imports:import-detail", [1]),
        ("imports:import-errors-csv", [1]),
    ]:
        url = reverse(name, args=args)
        assert client.get(url).status_code == 302
        client.force_login(collector)
        assert client.get(url).status_code == 403
        client.logout()


def test_the_row_counts_read_alike_in_spanish(client, manager, creditor):
    # the list's and the batch page's counts are of rows ("filas"): creadas, actualizadas,
    # rechazadas, all feminine and plural
    batch = ImportBatch.objects.create(kind="portfolio", creditor=creditor, file_name="f.csv")
    client.force_login(manager)
    for url in (reverse("imports:import-list"), reverse("imports:import-detail", args=[batch.pk])):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert ">Creadas<" in html and ">Actualizadas<" in html and ">Rechazadas<" in html
        assert ">Creado<" not in html
