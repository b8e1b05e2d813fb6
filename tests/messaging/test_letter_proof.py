"""Letters with proof: the certified-notice rule, the certified provider, the proof of receipt
(the sandbox provider's signed event and the staff upload), and the payment QR on each letter."""

import base64
import datetime
import itertools
import re
import zlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.dates import business_today
from messaging.channels.certified import sandbox_proof_event
from messaging.channels.letter import (
    LINK_LINE_CHARS,
    LetterBackend,
    letter_link,
    letter_pdf_bytes,
)
from messaging.models import DeliveryEvent, LetterProof, Message
from messaging.rendering import Rendered
from messaging.services.compliance.certified import (
    CERTIFIED_RULES,
    certified_q,
    certified_required,
    certified_sql,
)
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory
from tests.factories.users import OfficerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% acuse de recibo\n"
PNG = b"\x89PNG\r\n\x1a\n0000"
SANDBOX = "messaging.channels.certified.SandboxCertifiedProvider"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CARTERA_CERTIFIED_MAIL_PROVIDER = SANDBOX


def _letter(debt, *, template="bureau_notice", status="sent", days_ago=2, **fields):
    sent_at = timezone.now() - datetime.timedelta(days=days_ago)
    values = {
        "channel": "letter",
        "template": template,
        "stage": "pre_legal",
        "status": status,
        "to": "Calle 10 # 5-20\nBogotá",
        "sent_at": sent_at if status in ("sent", "delivered", "failed") else None,
        "planned_for": sent_at,
        "business_date": timezone.localdate(sent_at),
    }
    values.update(fields)
    return make_message(debt=debt, **values)


# --- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "template", "channel", "certified"),
    [
        ("CO", "bureau_notice", "letter", True),
        ("CO", "pre_legal_notice", "letter", True),
        ("CO", "bureau_notice", "email", False),
        ("CO", "friendly", "letter", False),
        ("MX", "pre_legal_notice", "letter", True),
        ("US", "bureau_notice", "letter", False),
        ("US", "validation_notice", "letter", False),
        ("AR", "bureau_notice", "letter", True),  # the conservative default
        ("AR", "firm_notice", "letter", False),
    ],
)
def test_which_notices_need_certified_delivery(country, template, channel, certified):
    assert certified_required(country=country, template=template, channel=channel) is certified
    # The SQL and the ORM readings of the rule agree with it
    debtor = DebtorFactory(country=country)
    debt = DebtFactory(debtor=debtor, creditor=debtor.creditor)
    message = make_message(debt=debt, channel=channel, template=template)
    assert Message.objects.filter(certified_q(), pk=message.pk).exists() is certified
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {certified_sql()} FROM messaging_message m "
            "JOIN portfolio_debtor p ON p.id = m.debtor_id WHERE m.id = %s",
            [message.pk],
        )
        assert cursor.fetchone()[0] is certified


def test_every_rule_names_its_source_and_says_whether_it_was_verified():
    for rule in CERTIFIED_RULES:
        assert rule.source and isinstance(rule.verified, bool) and rule.templates


def test_a_certified_notice_goes_through_the_certified_provider():
    debt = DebtFactory()
    notice = _letter(debt, status="planned")
    rendered = Rendered(subject="Aviso", body="Texto del aviso")
    result = LetterBackend().send(notice, rendered)
    assert result.provider == "certified-sandbox"
    assert re.fullmatch(r"SBX[0-9A-F]{16}", result.provider_message_id)
    # the same letter again (a retry) keeps its tracking number
    assert LetterBackend().send(notice, rendered).provider_message_id == result.provider_message_id
    plain = _letter(debt, template="friendly", status="planned")
    assert LetterBackend().send(plain, rendered).provider == "letter"


# --- the QR code ----------------------------------------------------------------------------


def _page_streams(pdf: bytes) -> str:
    """The drawing operators of every page (reportlab writes them ASCII85 + Flate encoded)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        out.append(zlib.decompress(base64.a85decode(raw.strip(), adobe=True)).decode("latin-1"))
    return "\n".join(out)


def test_each_letter_carries_a_qr_code_of_the_debtors_payment_link():
    debt = DebtFactory()
    letter = _letter(debt, template="friendly", subject="Recordatorio", body="Hola")
    # (the portal's link is signed with its moment: the same second gives the same link)
    with time_machine.travel(timezone.now(), tick=False):
        link = letter_link(letter)
        pdf = letter_pdf_bytes([letter])
    assert link.startswith("http") and "/portal/" in link
    # the link is clickable (a URI annotation) and written under the code
    assert f"/URI ({link})".encode() in pdf
    content = _page_streams(pdf)
    written = [link[i : i + LINK_LINE_CHARS] for i in range(0, len(link), LINK_LINE_CHARS)]
    assert all(f"({part})" in content for part in written)
    # the QR code itself: one filled rectangle per run of dark modules of the link's code
    import segno

    matrix = segno.make(link, error="m", micro=False).matrix
    runs = sum(1 for row in matrix for dark, _run in itertools.groupby(map(bool, row)) if dark)
    assert runs > 100 and len(re.findall(r" re\b", content)) == runs
    other = _letter(DebtFactory(), template="friendly")
    assert letter_link(other) != link  # personal: each debtor's own


def test_letters_are_drawn_with_reportlabs_c_accelerator():
    # rl_accel (requirements.txt): without it reportlab formats every number of a letter's
    # QR code in Python, a fifth of the letter's time. The PDF's bytes are the same either way.
    import types

    from reportlab.lib import rl_accel
    from reportlab.pdfgen import pathobject

    assert isinstance(rl_accel.fp_str, types.BuiltinFunctionType)
    assert pathobject.fp_str is rl_accel.fp_str
    assert isinstance(rl_accel.asciiBase85Encode, types.BuiltinFunctionType)


# --- the sandbox provider's proof event ----------------------------------------------------


def _post(client, body, signature):
    return client.post(
        reverse("messaging:certified-sandbox-webhook"),
        data=body,
        content_type="application/json",
        HTTP_X_CARTERA_SIGNATURE=signature,
    )


def test_the_sandbox_proof_event_is_signed_recorded_once_and_delivers_the_letter(client):
    letter = _letter(DebtFactory(), provider_message_id="SBX0000000000000001")
    received = timezone.localdate() - datetime.timedelta(days=1)
    body, signature = sandbox_proof_event(
        event_id="evt-1",
        tracking_number="SBX0000000000000001",
        received_on=received,
        signed_by="Ana Pérez",
        receipt=PDF,
    )
    # a bad signature is refused and changes nothing
    assert _post(client, body, "0" * 64).status_code == 403
    assert not LetterProof.objects.exists()
    # the signed event records the proof
    assert _post(client, body, signature).status_code == 201
    proof = LetterProof.objects.get()
    assert (proof.message_id, proof.kind, proof.received_on, proof.signed_by) == (
        letter.pk,
        "provider",
        received,
        "Ana Pérez",
    )
    assert proof.recorded_by is None and proof.file.read() == PDF
    letter.refresh_from_db()
    assert letter.status == "delivered"
    assert timezone.localdate(letter.delivered_at) == received
    # a replay changes nothing; another event for the same letter keeps the first proof
    assert _post(client, body, signature).status_code == 200
    again, again_signature = sandbox_proof_event(
        event_id="evt-2", tracking_number="SBX0000000000000001", received_on=received
    )
    assert _post(client, again, again_signature).status_code == 200
    assert LetterProof.objects.count() == 1
    assert DeliveryEvent.objects.filter(message=letter, kind="delivered").count() == 1


def test_a_returned_letter_fails_and_bad_events_are_refused(client):
    letter = _letter(DebtFactory(), provider_message_id="SBX0000000000000002")
    day = timezone.localdate()
    body, signature = sandbox_proof_event(
        event_id="evt-r", tracking_number="SBX0000000000000002", received_on=day, event="returned"
    )
    assert _post(client, body, signature).status_code == 201
    letter.refresh_from_db()
    assert letter.status == "failed"
    assert DeliveryEvent.objects.filter(message=letter, kind="bounced").count() == 1
    assert not LetterProof.objects.exists()
    # unknown tracking number, a receipt that is not a PDF or image, a future date
    body, signature = sandbox_proof_event(event_id="e3", tracking_number="NOPE", received_on=day)
    assert _post(client, body, signature).status_code == 404
    other = _letter(DebtFactory(), provider_message_id="SBX0000000000000003")
    body, signature = sandbox_proof_event(
        event_id="e4",
        tracking_number="SBX0000000000000003",
        received_on=day,
        receipt=b"MZ not a pdf",
        receipt_name="acuse.pdf",
    )
    assert _post(client, body, signature).status_code == 400
    body, signature = sandbox_proof_event(
        event_id="e5",
        tracking_number="SBX0000000000000003",
        received_on=day + datetime.timedelta(days=3),
    )
    assert _post(client, body, signature).status_code == 400
    bad = b'{"id": "e6", "tracking_number": "SBX0000000000000003", "event": "delivered"}'
    from messaging.channels.sandbox import sandbox_signature

    assert _post(client, bad, sandbox_signature(bad)).status_code == 400  # no date
    assert not LetterProof.objects.filter(message=other).exists()


@pytest.mark.parametrize("tracking", ["", "  "])
def test_an_event_without_a_tracking_number_is_refused_and_finds_no_letter(client, tracking):
    # Given a letter not submitted yet: it has no tracking number (no provider id)
    waiting = _letter(DebtFactory(), status="planned")
    assert waiting.provider_message_id == ""
    body, signature = sandbox_proof_event(
        event_id="e-blank", tracking_number=tracking, received_on=timezone.localdate()
    )

    response = _post(client, body, signature)

    # Then the event is refused, and the waiting letter is neither delivered nor proven
    assert response.status_code == 400
    assert "tracking_number" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "planned" and waiting.delivered_at is None
    assert not LetterProof.objects.exists() and not DeliveryEvent.objects.exists()


def test_the_sandbox_webhook_is_not_served_with_the_post_office_provider(client, settings):
    settings.CARTERA_CERTIFIED_MAIL_PROVIDER = "messaging.channels.certified.PostCertifiedProvider"
    _letter(DebtFactory(), provider_message_id="SBX0000000000000009")
    body, signature = sandbox_proof_event(
        event_id="evt-p", tracking_number="SBX0000000000000009", received_on=timezone.localdate()
    )
    assert _post(client, body, signature).status_code == 404
    assert not LetterProof.objects.exists()


# --- the staff upload -----------------------------------------------------------------------


def _upload(client, letter, *, file=None, received_on=None, **extra):
    data = {
        "received_on": (received_on or business_today()).isoformat(),
        "signed_by": "Portero del edificio",
        "tracking_number": "RN123456789CO",
        **extra,
    }
    if file is not False:
        data["file"] = file or SimpleUploadedFile("acuse.pdf", PDF, "application/pdf")
    return client.post(reverse("messaging:letter-proof-upload", args=[letter.pk]), data)


def test_a_manager_uploads_the_posts_receipt(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    letter = _letter(debt)
    client.force_login(manager)
    page = client.get(reverse("messaging:message-detail", args=[letter.pk]))
    assert page.status_code == 200 and b'data-testid="letter-proof-form"' in page.content
    response = _upload(client, letter, received_on=business_today() - datetime.timedelta(days=1))
    assert response.status_code == 302
    proof = LetterProof.objects.get(message=letter)
    assert (proof.kind, proof.recorded_by, proof.tracking_number, proof.signed_by) == (
        "manual",
        manager,
        "RN123456789CO",
        "Portero del edificio",
    )
    letter.refresh_from_db()
    assert letter.status == "delivered"
    assert timezone.localdate(letter.delivered_at) == proof.received_on
    # the page shows it, and the receipt is downloadable by who may see the letter
    page = client.get(reverse("messaging:message-detail", args=[letter.pk]))
    assert b"RN123456789CO" in page.content and b"letter-proof-form" not in page.content
    download = client.get(reverse("messaging:letter-proof-file", args=[letter.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # a second upload is refused and the first proof stays
    again = _upload(client, letter)
    assert again.status_code == 400
    assert LetterProof.objects.get(message=letter).pk == proof.pk


@pytest.mark.parametrize(
    ("file", "received_days", "field"),
    [
        (SimpleUploadedFile("acuse.txt", b"plain text", "text/plain"), 0, "file"),
        (SimpleUploadedFile("acuse.pdf", b"MZ\x90 not a pdf", "application/pdf"), 0, "file"),
        (SimpleUploadedFile("acuse.png", PDF, "image/png"), 0, "file"),  # name and bytes disagree
        (None, -1, "received_on"),  # tomorrow
        (None, 5, "received_on"),  # before the letter was sent (2 days ago)
        (False, 0, "file"),  # no file at all
    ],
)
def test_a_bad_upload_is_a_400_and_changes_nothing(
    client, manager, creditor, file, received_days, field
):
    letter = _letter(DebtFactory(creditor=creditor))
    client.force_login(manager)
    response = _upload(
        client,
        letter,
        file=file,
        received_on=business_today() - datetime.timedelta(days=received_days),
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not LetterProof.objects.exists()
    letter.refresh_from_db()
    assert letter.status == "sent"


def test_a_png_receipt_is_accepted_and_a_missing_date_refused(client, manager, creditor):
    letter = _letter(DebtFactory(creditor=creditor))
    client.force_login(manager)
    response = _upload(client, letter, received_on=None, file=False)
    assert response.status_code == 400
    response = client.post(
        reverse("messaging:letter-proof-upload", args=[letter.pk]),
        {"file": SimpleUploadedFile("acuse.png", PNG, "image/png"), "received_on": ""},
    )
    assert response.status_code == 400 and "received_on" in response.context["form"].errors
    assert _upload(client, letter, file=SimpleUploadedFile("a.png", PNG)).status_code == 302


def test_a_collector_uploads_on_their_own_cases_only(client, collector, other_collector):
    mine = _letter(DebtFactory(assigned_to=collector))
    theirs = _letter(DebtFactory(assigned_to=other_collector))
    client.force_login(collector)
    # another collector's letter looks like it does not exist
    assert client.get(reverse("messaging:message-detail", args=[theirs.pk])).status_code == 404
    assert _upload(client, theirs).status_code == 404
    assert not LetterProof.objects.exists()
    # their own, with its return to the case page
    back = reverse("portfolio:debt-detail", args=[mine.covered.get().debt_id])
    response = _upload(client, mine, next=back)
    assert response.status_code == 302 and response["Location"] == back
    assert LetterProof.objects.get().recorded_by == collector
    # an outside `next` is ignored
    other = _letter(DebtFactory(assigned_to=collector))
    response = _upload(client, other, next="https://evil.example/")
    assert response["Location"] == reverse("messaging:message-detail", args=[other.pk])


def test_other_roles_and_other_creditors_cannot_record(client, creditor):
    letter = _letter(DebtFactory(creditor=CreditorFactory(code="otro")))
    officer = OfficerFactory()
    client.force_login(officer)
    assert _upload(client, letter).status_code == 404
    client.logout()
    assert _upload(client, letter).status_code == 302  # to the login page
    assert not LetterProof.objects.exists()


def test_only_a_sent_letter_takes_a_proof(client, manager, creditor):
    client.force_login(manager)
    planned = _letter(DebtFactory(creditor=creditor), status="planned")
    assert _upload(client, planned).status_code == 400
    email = make_message(debt=DebtFactory(creditor=creditor), status="sent")
    assert _upload(client, email).status_code == 404
    assert not LetterProof.objects.exists()


def test_the_sandbox_posts_the_proofs_of_the_waiting_letters(client, monkeypatch):
    from django.core.management import call_command

    from messaging.management.commands import certified_sandbox_receipts as command

    # (the events go to this test's server instead of over the network)
    def post(url, body, signature):
        return _post(client, body, signature).status_code

    monkeypatch.setattr(command, "post_event", post)
    waiting = _letter(DebtFactory(), provider_message_id="SBX00000000000000A1", days_ago=6)
    plain = _letter(DebtFactory(), template="friendly", provider_message_id="letter-1.pdf")
    call_command("certified_sandbox_receipts", "--days", "4")
    proof = LetterProof.objects.get()
    assert proof.message_id == waiting.pk and proof.kind == "provider"
    sent_on = timezone.localdate(waiting.sent_at)
    assert proof.received_on == sent_on + datetime.timedelta(days=4)
    assert proof.file.read().startswith(b"%PDF")
    assert not LetterProof.objects.filter(message=plain).exists()
    call_command("certified_sandbox_receipts")  # again: nothing new
    assert LetterProof.objects.count() == 1
