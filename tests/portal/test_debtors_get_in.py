"""Getting in as debtors live it: documents with separators, the keyboard the last 4 need,
a lockout in the debtor's own time with a number to call, a creditor named only when known."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import SandboxDelivery
from portal.forms import DigitsForm, StartForm
from portal.models import Throttle
from portal.selectors import portal_contact
from portal.services.links import link_token
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db


def _debtor(*, kind, number, country="US", zone="America/Los_Angeles", phone="+13105550101",
            creditor=None, language="en"):  # fmt: skip
    creditor = creditor or CreditorFactory(
        code="pacific", name="Pacific Credit", country="US", contact_phone="+1 213 555 0199"
    )
    debtor = DebtorFactory(
        creditor=creditor, document_type=kind, document_number=number, country=country,
        timezone=zone, language=language, full_name="Sam Rivera",
    )  # fmt: skip
    ContactPointFactory(debtor=debtor, channel="sms", value=phone)
    DebtFactory(creditor=creditor, debtor=debtor, currency="USD", stage="firm_notice")
    return debtor


@pytest.mark.parametrize(
    ("kind", "stored", "typed"),
    [
        ("SSN", "123456789", "123-45-6789"),
        ("SSN", "123456789", "123456789"),
        ("ITIN", "912701234", "912-70-1234"),
        ("NIT", "9001234568", "900.123.456-8"),
        ("CURP", "BADA800101HDFRRN09", "bada800101hdfrrn09"),
    ],
)
def test_a_debtor_gets_a_code_whatever_separators_they_type(kind, stored, typed):
    # Given a debtor whose document is on file (compact, as every writer stores it)
    debtor = _debtor(kind=kind, number=stored)
    visitor = Client(REMOTE_ADDR="10.1.0.1")

    # When they type it as it is printed on their card
    visitor.post(reverse("portal:home"), {"document_type": kind, "document_number": typed})

    # Then the code reaches their phone and signs them in
    assert SandboxDelivery.objects.get().to == "+13105550101"
    response = visitor.post(reverse("portal:verify"), {"code": last_code()})
    assert response.url == reverse("portal:debts")
    assert visitor.get(reverse("portal:debts")).context["debtor"] == debtor


def test_the_start_form_compacts_the_document_for_its_type():
    form = StartForm({"document_type": "SSN", "document_number": " 123-45-6789 "})
    assert form.is_valid() and form.cleaned_data["document_number"] == "123456789"
    blank = StartForm({"document_type": "SSN", "document_number": "- -"})
    assert not blank.is_valid() and "document_number" in blank.errors


@pytest.mark.parametrize(
    ("kind", "inputmode", "pattern", "capitals"),
    [
        ("CC", "numeric", "[0-9]{4}", None),
        ("SSN", "numeric", "[0-9]{4}", None),
        ("CURP", "text", "[0-9A-Za-z]{4}", "characters"),
        ("RFC", "text", "[0-9A-Za-z]{4}", "characters"),
        ("PASSPORT", "text", "[0-9A-Za-z]{4}", "characters"),
    ],
)
def test_the_last_4_step_opens_the_keyboard_the_document_needs(kind, inputmode, pattern, capitals):
    attrs = DigitsForm(kind=kind).fields["digits"].widget.attrs
    assert attrs["inputmode"] == inputmode and attrs["pattern"] == pattern
    assert attrs.get("autocapitalize") == capitals and attrs["maxlength"] == "4"


def test_a_curp_holder_confirms_the_letters_their_document_ends_in(client):
    # Given a Mexican debtor whose CURP ends in letters and a digit ("…RN09" -> "RN09")
    debtor = _debtor(kind="CURP", number="BADA800101HDFRRA0X", country="MX",
                     zone="America/Mexico_City", phone="+525512345678")  # fmt: skip

    # When they open their link, the page asks for letters, and they type them in lower case
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    page = client.get(reverse("portal:verify")).content.decode()
    assert 'inputmode="text"' in page and 'autocapitalize="characters"' in page
    response = client.post(reverse("portal:verify"), {"digits": "ra0x"})

    # Then they move on to the code
    assert response.status_code == 302 and SandboxDelivery.objects.count() == 1
    # And digits on a CC holder's numeric keypad are checked as digits
    assert not DigitsForm({"digits": "12a4"}, kind="CC").is_valid()


def _lock_by_link(client, debtor):
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    return [client.post(reverse("portal:verify"), {"digits": "0000"}) for _ in range(5)][-1]


def test_the_lockout_gives_the_debtors_own_time_and_their_creditors_phone(client):
    # Given a debtor in Los Angeles whose creditor has a phone
    debtor = _debtor(kind="SSN", number="123456789")

    # When their link's last-4 step is failed five times
    response = _lock_by_link(client, debtor)

    # Then the lockout ends at a time on their own clock, and they can call their creditor
    assert response.status_code == 429
    until = Throttle.objects.get(key=f"debtor:{debtor.pk}").locked_until
    local = until.astimezone(ZoneInfo("America/Los_Angeles"))
    page = response.content.decode()
    assert local.strftime("%-I:%M") in page and "Los Angeles time" in page
    # (not the server's clock, in Bogotá)
    assert timezone.localtime(until).strftime("%-I:%M") not in page
    assert 'href="tel:+12135550199"' in page and "Pacific Credit" in page


def test_without_a_zone_on_file_the_lockout_uses_the_creditors_country():
    creditor = CreditorFactory(code="andes", name="Andes", country="MX", contact_phone="")
    debtor = _debtor(kind="CURP", number="BADA800101HDFRRN09", country="MX", zone="",
                     creditor=creditor, phone="+525512345678")  # fmt: skip
    contact = portal_contact(debtor_id=debtor.pk)
    assert contact.zone == "America/Mexico_City" and contact.creditor == "Andes"
    # A creditor without a phone: the portal's support line
    assert contact.tel == "tel:+576015550100"


def test_a_typed_document_is_answered_neutrally_in_the_time_of_its_country(settings):
    # Given a debtor in Los Angeles, and a visitor who types their SSN (or an unknown one)
    settings.CARTERA_PORTAL_SUPPORT_PHONE = "+1 800 555 0123"
    _debtor(kind="SSN", number="123456789")
    pages = []
    for number, ip in (("123456789", "10.2.0.1"), ("987654321", "10.2.0.2")):
        visitor = Client(REMOTE_ADDR=ip)
        visitor.post(reverse("portal:home"), {"document_type": "SSN", "document_number": number})
        for _ in range(5):
            response = visitor.post(reverse("portal:verify"), {"code": "000000"})
        pages.append(response)

    # Then both are locked alike, in US time, with the support line and no creditor named
    known, unknown = (p.content.decode() for p in pages)
    assert pages[0].status_code == pages[1].status_code == 429
    assert "Pacific Credit" not in known + unknown
    for page in (known, unknown):
        assert 'href="tel:+18005550123"' in page and "New York time" in page
    strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)


def test_before_sign_in_the_start_page_names_no_creditor_but_gives_a_number(client, settings):
    settings.CARTERA_PORTAL_SUPPORT_PHONE = "+57 601 555 0100"
    _debtor(kind="SSN", number="123456789")
    page = client.get(reverse("portal:home")).content.decode()
    assert "Pacific Credit" not in page
    assert 'href="tel:+576015550100"' in page and "your creditor" in page


def test_a_personal_link_names_its_creditor_and_phone_before_sign_in(client):
    debtor = _debtor(kind="SSN", number="123456789")
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    page = client.get(reverse("portal:verify")).content.decode()
    assert "Pacific Credit" in page and 'href="tel:+12135550199"' in page
    assert "Sam" not in page  # nothing about the debtor before the second factor


def test_a_lockout_ends_on_its_own_and_another_debtor_is_never_locked(client):
    debtor = _debtor(kind="SSN", number="123456789")
    _lock_by_link(client, debtor)
    other = _debtor(kind="SSN", number="555667777", phone="+13105550102",
                    creditor=debtor.creditor)  # fmt: skip
    neighbour = Client()  # the same address as the locked-out visitor
    neighbour.get(reverse("portal:link", args=[link_token(other.pk)]))
    assert neighbour.post(reverse("portal:verify"), {"digits": "7777"}).status_code == 302
    # The lock ends after its window
    Throttle.objects.filter(key=f"debtor:{debtor.pk}").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    assert client.post(reverse("portal:verify"), {"digits": "6789"}).status_code == 302
