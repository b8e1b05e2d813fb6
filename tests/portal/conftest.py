import base64
import re
import zlib

import pytest
from django.urls import reverse

from messaging.models import SandboxDelivery
from portal.services.links import link_token
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory


@pytest.fixture
def debtor(db, creditor):
    # English on file: the suite reads English pages (the Spanish ones have their own tests).
    debtor = DebtorFactory(
        creditor=creditor, document_number="1020304050", full_name="Ana Pérez", language="en"
    )
    ContactPointFactory(debtor=debtor, channel="sms", value="+573001112233")
    return debtor


@pytest.fixture
def debt(debtor):
    return DebtFactory(creditor=debtor.creditor, debtor=debtor, stage="firm_notice")


@pytest.fixture
def other_debt(db, creditor):
    other = DebtorFactory(creditor=creditor, document_number="9988776655")
    ContactPointFactory(debtor=other, channel="sms", value="+573009998877")
    return DebtFactory(creditor=creditor, debtor=other)


def last_code() -> str:
    body = SandboxDelivery.objects.order_by("-id").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def sign_in(client, debtor) -> None:
    """Open the personal link, give the last 4 digits and the code sent by SMS."""
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    client.post(reverse("portal:verify"), {"digits": debtor.document_number[-4:]})
    response = client.post(reverse("portal:verify"), {"code": last_code()})
    assert response.status_code == 302 and response.url == reverse("portal:debts")


@pytest.fixture
def portal_client(client, debtor, debt):
    sign_in(client, debtor)
    return client


def pdf_text(data: bytes) -> str:
    """The text a reportlab PDF shows, one line per text run (for assertions, not layout)."""
    runs = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = stream.strip()
        if body.endswith(b"~>"):
            body = base64.a85decode(body[:-2])
        try:
            body = zlib.decompress(body)
        except zlib.error:
            continue
        for raw in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", body, re.S):
            text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
            text = re.sub(rb"\\(.)", rb"\1", text)
            runs.append(text.decode("cp1252", errors="replace"))
    return "\n".join(runs)
