"""The bureau's staff pages: runs list, new run, preview, each step, the file; the case page's
bureau panel; the portal's bureau section (es and en)."""

import datetime
import hashlib

import pytest
import time_machine
from django.urls import reverse

from bureau.layouts.base import Finding, layout_register
from bureau.models import FurnishingRun
from bureau.services.runs import run_create, run_generate, run_submit, run_validate
from tests.bureau.surfaces_helpers import (  # noqa: F401 (fixtures)
    CUT_OFF,
    TinyLayout,
    book_fixture,
    tiny_layout_fixture,
)
from tests.factories.portfolio import ContactPointFactory, DebtFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def _run(book, **kwargs):
    return run_create(
        creditor=book["creditor"], bureau="datacredito", cut_off=CUT_OFF, user=book["manager"]
    )


def test_the_runs_list_is_empty_then_lists_the_managers_runs(client, book):
    client.force_login(book["manager"])
    response = client.get(reverse("bureau:run-list"))
    assert response.status_code == 200
    assert "No runs yet" in response.content.decode()

    run = _run(book)
    response = client.get(reverse("bureau:run-list"), {"bureau": "datacredito", "status": "draft"})
    assert response.status_code == 200
    assert f'data-run="{run.pk}"' in response.content.decode()


def test_a_filter_it_cannot_apply_is_a_400(client, book):
    client.force_login(book["manager"])
    response = client.get(reverse("bureau:run-list"), {"status": "nonsense"})
    assert response.status_code == 400


def test_another_managers_runs_are_not_listed(client, book):
    run = _run(book)
    client.force_login(book["other_manager"])
    response = client.get(reverse("bureau:run-list"))
    assert f'data-run="{run.pk}"' not in response.content.decode()
    assert client.get(reverse("bureau:run-detail", args=[run.pk])).status_code == 404


def test_a_collector_may_not_open_the_pages(client, book):
    client.force_login(book["collector"])
    assert client.get(reverse("bureau:run-list")).status_code == 403
    assert client.get(reverse("bureau:run-new")).status_code == 403


def test_a_new_run_redirects_to_its_preview_with_the_eligibility(client, book):
    client.force_login(book["manager"])
    response = client.post(
        reverse("bureau:run-new"),
        {"creditor": book["creditor"].pk, "bureau": "datacredito", "cut_off": CUT_OFF.isoformat()},
    )
    run = FurnishingRun.objects.get(creditor=book["creditor"])
    assert response.status_code == 302
    assert response["Location"] == reverse("bureau:run-detail", args=[run.pk])

    page = client.get(response["Location"]).content.decode()
    assert "The run was created" in page
    assert 'data-testid="eligibility-reasons"' in page
    assert "1 of 2 debts may be reported." in page
    assert "No bureau prior notice was sent." in page  # why the silent debt is not
    assert book["noticed"].debt_ref in page and book["silent"].debt_ref in page


@pytest.mark.parametrize(
    "data,field",
    [
        ({"bureau": "datacredito", "cut_off": "2026-02-30"}, "cut_off"),
        ({"bureau": "datacredito", "cut_off": "9999-12-31"}, "cut_off"),
        ({"bureau": "nowhere", "cut_off": "2026-11-30"}, "bureau"),
    ],
)
def test_bad_input_for_a_new_run_is_a_400_naming_the_field(client, book, data, field):
    client.force_login(book["manager"])
    response = client.post(reverse("bureau:run-new"), {"creditor": book["creditor"].pk, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not FurnishingRun.objects.exists()


def test_another_creditor_is_not_offered_for_a_new_run(client, book):
    client.force_login(book["manager"])
    response = client.post(
        reverse("bureau:run-new"),
        {"creditor": book["other"].pk, "bureau": "datacredito", "cut_off": CUT_OFF.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["creditor"]
    assert not FurnishingRun.objects.exists()


def test_validate_generate_download_and_submit_through_the_pages(client, book):
    run = _run(book)
    client.force_login(book["manager"])

    response = client.post(reverse("bureau:run-validate", args=[run.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The run was checked." in page
    assert "TINY-1" in page  # the findings are shown

    response = client.post(reverse("bureau:run-generate", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "generated"
    page = client.get(response["Location"]).content.decode()
    assert run.checksum in page

    download = client.get(reverse("bureau:run-download", args=[run.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == run.checksum == download["X-Checksum-SHA256"]
    assert book["noticed"].debt_ref.encode() in body

    response = client.post(reverse("bureau:run-submit", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "submitted"
    assert run.submitted_by == book["manager"]


def test_a_step_the_status_does_not_allow_is_a_400_and_changes_nothing(client, book):
    run = _run(book)
    client.force_login(book["manager"])
    response = client.post(reverse("bureau:run-submit", args=[run.pk]))
    assert response.status_code == 400
    assert 'data-testid="run-error"' in response.content.decode()
    run.refresh_from_db()
    assert run.status == "draft"


def test_steps_and_the_file_of_another_creditors_run_are_a_404(client, book):
    run = _run(book)
    run_validate(run=run, user=book["manager"])
    run_generate(run=run, user=book["manager"])
    client.force_login(book["other_manager"])
    assert client.get(reverse("bureau:run-download", args=[run.pk])).status_code == 404
    assert client.post(reverse("bureau:run-cancel", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == "generated"


def test_cancel_through_the_page(client, book):
    run = _run(book)
    client.force_login(book["manager"])
    response = client.post(reverse("bureau:run-cancel", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled"


def test_the_case_page_shows_the_notices_and_what_each_run_reported(client, book):
    run = _run(book)
    run_validate(run=run, user=book["manager"])
    run_generate(run=run, user=book["manager"])
    debt = book["noticed"]
    client.force_login(book["manager"])
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert 'id="bureau"' in page
    assert 'data-testid="debt-bureau-notices"' in page
    assert 'data-testid="debt-bureau-lines"' in page
    line = run.lines.get(debt=debt)
    assert f"<code>{line.status_code}</code>" in page
    assert reverse("bureau:run-detail", args=[run.pk]) in page  # a manager follows it


def test_the_case_page_without_bureau_history(client, book):
    debt = DebtFactory(creditor=book["creditor"])
    client.force_login(book["manager"])
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "No prior notice was sent about this debt." in page
    assert "No bureau run carried this debt yet." in page


# --- the debtor's portal ------------------------------------------------------------------------

PORTAL_DAY = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def _portal_page(client, debt, language):
    debt.debtor.language = language
    debt.debtor.document_number = f"77{debt.pk:08d}"
    debt.debtor.save(update_fields=["language", "document_number"])
    ContactPointFactory(debtor=debt.debtor, channel="sms", value=f"+57300{debt.pk:07d}")
    with time_machine.travel(PORTAL_DAY, tick=False):
        sign_in(client, debt.debtor)
        client.post(reverse("set_language"), {"language": language, "next": "/portal/debts/"})
        response = client.get(reverse("portal:debt", args=[debt.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "language,notice_on,by",
    [("en", "Oct 15, 2026", "Nov 30, 2026"), ("es", "15/10/2026", "30/11/2026")],
)
def test_the_portal_says_when_the_debt_may_be_reported(client, book, language, notice_on, by):
    page = _portal_page(client, book["noticed"], language)
    assert 'data-state="may_report"' in page
    assert notice_on in page and by in page
    assert "Datacrédito Experian" in page


def test_the_portal_says_a_debt_without_notice_is_not_reported(client, book):
    page = _portal_page(client, book["silent"], "en")
    assert 'data-state="no_notice"' in page
    assert "Your debt is not reported to" in page


def test_the_portal_says_when_and_how_the_debt_was_reported(client, book):
    run = _run(book)
    run_validate(run=run, user=book["manager"])
    run_generate(run=run, user=book["manager"])
    run_submit(run=run, user=book["manager"])
    page = _portal_page(client, book["noticed"], "en")
    assert 'data-state="reported"' in page
    assert "on the cut-off of Nov 30, 2026" in page


def test_a_check_that_finds_errors_says_so_and_keeps_the_run_a_draft(client, book):
    class StrictLayout(TinyLayout):
        def check(self, header, accounts):
            return [Finding("error", "TINY-ERR", "Missing the document.", debt_id=a.debt_id)
                    for a in accounts]  # fmt: skip

    layout_register(StrictLayout())
    run = _run(book)
    client.force_login(book["manager"])
    response = client.post(reverse("bureau:run-validate", args=[run.pk]), follow=True)
    page = response.content.decode()
    assert "The checks found errors" in page
    assert "TINY-ERR" in page and "Missing the document." in page
    run.refresh_from_db()
    assert run.status == "draft"


def test_the_portal_says_a_paid_debt_is_not_reported(client, book):
    # Paid off (the stage machine is not what this test is about: the row is set directly).
    type(book["noticed"]).objects.filter(pk=book["noticed"].pk).update(
        stage="paid", principal=0, interest=0, fees=0, balance=0
    )
    debt = type(book["noticed"]).objects.get(pk=book["noticed"].pk)
    page = _portal_page(client, debt, "en")
    assert 'data-state="not_reported"' in page
    assert "Your debt is not reported to the credit bureau." in page
