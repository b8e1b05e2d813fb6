"""The debtor's requests in the portal: file one (with attachments), its acknowledgement with
the number and the legal answer date in their language, "My requests", answering a question."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Complaint, ComplaintAttachment
from complaints.services.handling import complaint_answer, complaint_request_information
from portfolio.models import Hold
from tests.complaints.helpers import at, file_complaint
from tests.factories.portfolio import ContactPointFactory, DebtFactory
from tests.factories.users import OfficerFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 12, 4)  # a Friday: 15 business days later is 29 December


def pdf(name="recibo.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 recibo", content_type="application/pdf")


def png(name="foto.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n0000", content_type="image/png")


def filing(for_debt, **fields):
    return {
        "kind": "claim",
        "debt": str(for_debt.pk),
        "subject": "Cobro de un pago ya hecho",
        "description": "Pagué la cuota de octubre y sigue en el saldo.",
        **fields,
    }


@pytest.fixture
def officer(creditor):
    return OfficerFactory(creditors=[creditor])


@time_machine.travel(at(FRIDAY, 15), tick=False)
def test_a_debtor_files_a_claim_with_attachments_and_gets_the_acknowledgement(
    portal_client, debtor, debt
):
    response = portal_client.post(
        reverse("portal:request-new"), filing(debt, attachments=[pdf(), png()])
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:request-received", args=[complaint.number])
    assert (complaint.debtor, complaint.debt, complaint.kind) == (debtor, debt, "claim")
    assert (complaint.channel, complaint.created_by) == ("portal", None)
    assert complaint.due_on == datetime.date(2026, 12, 29)
    files = ComplaintAttachment.objects.filter(complaint=complaint)
    assert sorted(f.name for f in files) == ["foto.png", "recibo.pdf"]
    assert all(f.by_debtor for f in files)
    assert Hold.objects.get(debt=debt).kind == "complaint"
    page = portal_client.get(response.url).content.decode()
    assert complaint.number in page
    assert "December 4, 2026" in page and "December 29, 2026" in page
    assert "e-mail" not in page  # no e-mail on file: nothing was e-mailed


def test_a_request_need_not_be_about_a_debt(portal_client, debtor, debt):
    response = portal_client.post(
        reverse("portal:request-new"), filing(debt, debt="", kind="query")
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.debt is None and complaint.hold is None


def test_the_form_offers_only_what_a_debtor_files_and_only_their_debts(
    portal_client, debt, other_debt
):
    form = portal_client.get(reverse("portal:request-new") + f"?debt={debt.pk}").context["form"]
    kinds = [value for value, _label in form.fields["kind"].choices]
    assert "regulator" not in kinds and {"petition", "dispute", "bureau_claim"} <= set(kinds)
    assert [v for v, _label in form.fields["debt"].choices] == ["", str(debt.pk)]
    assert form["debt"].value() == str(debt.pk)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "regulator"}, "kind"),
        ({"subject": "  "}, "subject"),
        ({"description": ""}, "description"),
        ({"attachments": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00")]}, "attachments"),
        ({"attachments": [SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")]}, "attachments"),
        (
            {"attachments": [SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024))]},
            "attachments",
        ),
        ({"attachments": [pdf(f"{n}.pdf") for n in range(6)]}, "attachments"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_writes_nothing(portal_client, debt, fields, field):
    response = portal_client.post(reverse("portal:request-new"), filing(debt, **fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="p-error"' in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
    assert not Hold.objects.exists()


def test_another_debtors_debt_is_refused(portal_client, debt, other_debt):
    response = portal_client.post(reverse("portal:request-new"), filing(other_debt))
    assert response.status_code == 400 and "debt" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("language", "received", "due", "emailed"),
    [
        ("en", "December 4, 2026", "December 29, 2026", "We also sent this acknowledgement"),
        ("es", "4 de diciembre de 2026", "29 de diciembre de 2026", "También enviamos"),
    ],
)
def test_the_acknowledgement_shows_number_and_dates_in_the_debtors_language(
    client, debtor, debt, language, received, due, emailed
):
    debtor.language = language
    debtor.save(update_fields=["language"])
    ContactPointFactory(debtor=debtor, channel="email", value="ana@example.com")
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        sign_in(client, debtor)
        response = client.post(reverse("portal:request-new"), filing(debt))
        page = client.get(response.url).content.decode()
    complaint = Complaint.objects.get()
    assert complaint.number in page and received in page and due in page
    assert "a•••@example.com" in page
    if language == "en":  # the Spanish sentence comes from the lead's translations
        assert emailed in page
    ack = complaint.events.get(kind="acknowledged")
    assert ack.sent_to == "ana@example.com" and due in ack.body


def test_my_requests_lists_only_mine_and_another_debtors_number_is_a_404(
    portal_client, debtor, debt, other_debt, officer
):
    mine = file_complaint(debt=debt, by_debtor=True, channel="portal")
    theirs = file_complaint(debt=other_debt, by_debtor=True, channel="portal")
    page = portal_client.get(reverse("portal:requests")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert portal_client.get(reverse("portal:request", args=[mine.number])).status_code == 200
    for name in ("portal:request", "portal:request-received"):
        assert portal_client.get(reverse(name, args=[theirs.number])).status_code == 404
        assert portal_client.get(reverse(name, args=["PQR-2026-999999"])).status_code == 404


def test_signed_out_visitors_go_to_the_start(client, debt):
    complaint = file_complaint(debt=debt, by_debtor=True, channel="portal")
    for url in (
        reverse("portal:requests"),
        reverse("portal:request-new"),
        reverse("portal:request", args=[complaint.number]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("portal:home")


def test_the_debtor_sends_the_information_asked_and_sees_every_step_as_sent(
    portal_client, debt, officer
):
    complaint = file_complaint(debt=debt, by_debtor=True, channel="portal")
    url = reverse("portal:request", args=[complaint.number])
    # nothing asked yet: no form, and a reply is refused
    assert portal_client.get(url).context["form"] is None
    refused = portal_client.post(url, {"text": "hola"})
    assert refused.status_code == 400 and not complaint.events.filter(kind="info_received")
    complaint_request_information(
        complaint=complaint, user=officer, details="Copy of the receipt, please"
    )
    page = portal_client.get(url)
    assert page.context["form"] is not None
    asked = complaint.events.get(kind="info_requested")
    assert asked.body in page.content.decode()  # kept and shown exactly as sent
    assert "We need more information from you" in page.content.decode()
    # an empty reply is refused on its field
    empty = portal_client.post(url, {"text": " "})
    assert empty.status_code == 400 and "text" in empty.context["form"].errors
    response = portal_client.post(url, {"text": "Here it is", "attachments": [pdf()]})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    reply = complaint.events.get(kind="info_received")
    assert (reply.body, reply.by_debtor) == ("Here it is", True)
    assert complaint.attachments.get().by_debtor
    complaint_answer(complaint=complaint, user=officer, subject="Answer", body="You are right.")
    page = portal_client.get(url).content.decode()
    assert "You are right." in page and "recibo.pdf" in page and "Answered" in page
    # internal steps (assignment, notes) are not shown
    assert "info_received" not in page


def test_links_lead_to_the_requests(portal_client, debt):
    debts = portal_client.get(reverse("portal:debts")).content.decode()
    assert reverse("portal:request-new") in debts and reverse("portal:requests") in debts
    detail = portal_client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    assert f"{reverse('portal:request-new')}?debt={debt.pk}" in detail


def test_someone_elses_debt_is_not_offered(portal_client, debt):
    stranger = DebtFactory()
    form = portal_client.get(reverse("portal:request-new")).context["form"]
    assert str(stranger.pk) not in [v for v, _label in form.fields["debt"].choices]
