"""`manage.py demo_portal_login`, which `make run` prints: a debtor of the seeded demo who can sign
in to the portal, and following what it says gets in, with the one-time code read from the
console (make run's settings: SMS and WhatsApp on the sandbox, e-mail on the console backend)."""

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from messaging.channels import backend_for
from portal.selectors import sign_in_example
from portfolio.models import Debtor
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db

BANNER = re.compile(
    r"Portal: (?P<url>\S+) — demo debtor (?P<name>.+?): document (?P<type>\S+) (?P<number>\S+), "
    r"last 4 digits (?P<digits>\w{4}); the one-time code goes by (?P<channel>\S+) to \S+ and is "
    r"printed in this console\.\n  Their personal link \(asks for the last 4 digits\): "
    r"(?P<link>\S+)\n"
)


def debt_for(creditor, *, stage="firm_notice", channel=None, consent=True, **debtor):
    debt = DebtFactory(creditor=creditor, stage=stage, debtor__creditor=creditor, **{
        f"debtor__{k}": v for k, v in debtor.items()
    })  # fmt: skip
    if channel:
        ContactPointFactory(debtor=debt.debtor, channel=channel, consent_granted=consent)
    return debt


def test_the_example_is_the_first_debtor_who_can_really_sign_in(creditor):
    # Given debtors who cannot sign in with their document, then two who can
    debt_for(creditor, stage="paid", channel="sms")  # nothing open: the portal does not find them
    debt_for(creditor, channel="sms", consent=False)  # no consented channel for the code
    debt_for(creditor, channel="voice")  # codes go by SMS, WhatsApp or e-mail only
    # Same document as a later debtor: a look-up by document finds this one, who gets no code
    debt_for(creditor, document_number="77665544")
    debt_for(creditor, channel="sms", document_number="77665544")
    first = debt_for(creditor, channel="email", document_number="52123987")
    debt_for(creditor, channel="sms")

    example = sign_in_example()

    # Then the first who can is named, with what they type in the portal
    assert example.debtor == first.debtor
    assert (example.document_type, example.document_number) == ("CC", "52123987")
    assert example.last_digits == "3987"
    assert example.channel == "email" and example.destination.endswith("•••@example.com")


def test_no_example_when_nobody_can_sign_in(creditor):
    debt_for(creditor, channel="voice")
    assert sign_in_example() is None
    out = io.StringIO()
    with translation.override("en"):  # another test may have left Spanish active
        call_command("demo_portal_login", stdout=out)
    assert out.getvalue().startswith("Portal: http://127.0.0.1:8000/portal/ (no debtor can sign in")


def test_the_code_goes_to_the_console_only_on_console_backends(settings):
    assert backend_for("sms").prints_to_console()
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert backend_for("email").prints_to_console()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert not backend_for("email").prints_to_console()


def test_what_it_prints_for_the_seeded_demo_gets_into_the_portal(caplog):
    # Given the demo seeded as make run seeds it
    call_command("seed_demo", "--debtors=40", "--as-of=2026-11-24", stdout=io.StringIO())
    out = io.StringIO()
    with translation.override("en"):  # another test may have left Spanish active
        call_command("demo_portal_login", stdout=out)
    printed = BANNER.fullmatch(out.getvalue())
    assert printed, out.getvalue()
    debtor = Debtor.objects.get(full_name=printed["name"])
    assert printed["url"] == "http://127.0.0.1:8000/portal/"
    assert printed["digits"] == debtor.document_number[-4:] == printed["number"][-4:]

    # When someone types the document it prints in the portal
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    with caplog.at_level(logging.INFO, logger="messaging.channels.sandbox"):
        response = client.post(
            reverse("portal:home"),
            {"document_type": printed["type"], "document_number": printed["number"]},
        )
    assert response.status_code == 302 and response.url == reverse("portal:verify")

    # Then the code shows on the console, and it lets them in
    code = re.search(r"código de acceso es (\d{6})", caplog.text).group(1)
    response = client.post(reverse("portal:verify"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("portal:debts")
    first_name = debtor.full_name.split()[0]
    assert f"Hola, {first_name}" in client.get(reverse("portal:debts")).content.decode()

    # And its personal link asks for the last 4 digits it printed
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.get(printed["link"].removeprefix("http://127.0.0.1:8000"))
    response = client.post(reverse("portal:verify"), {"digits": printed["digits"]})
    assert response.status_code == 302 and response.url == reverse("portal:verify")


def test_the_same_seed_gives_the_same_debtor():
    call_command("seed_demo", "--debtors=40", "--as-of=2026-11-24", stdout=io.StringIO())
    first = sign_in_example()
    call_command("seed_demo", "--debtors=40", "--as-of=2026-11-24", "--force", stdout=io.StringIO())
    again = sign_in_example()
    assert (again.document_type, again.document_number, again.debtor.full_name) == (
        first.document_type,
        first.document_number,
        first.debtor.full_name,
    )
