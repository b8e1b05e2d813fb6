"""Agreement notices as contact actions: the channels chosen per debtor, set-based, idempotent."""

import datetime

import pytest

from agreements.services.notices import notices_insert
from messaging.models import ContactAction
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 3)


def channels_of(debt) -> list[str]:
    return sorted(
        ContactAction.objects.filter(debt=debt, template_code="agreement_broken").values_list(
            "channel", flat=True
        )
    )


def test_consented_channels_first_else_those_on_file_else_email():
    consented_sms = DebtFactory()
    ContactPointFactory(debtor=consented_sms.debtor, channel="sms", value="+573001112233")
    ContactPointFactory(debtor=consented_sms.debtor, consent_granted=False)
    both_on_file = DebtFactory()
    ContactPointFactory(debtor=both_on_file.debtor, consent_granted=False)
    ContactPointFactory(
        debtor=both_on_file.debtor, channel="sms", value="+573001112244", consent_granted=False
    )
    # A second, non-consented e-mail beside a consented one: one action per channel.
    email_twice = DebtFactory()
    ContactPointFactory(debtor=email_twice.debtor)
    ContactPointFactory(debtor=email_twice.debtor, consent_granted=False, is_primary=False)
    only_a_phone = DebtFactory()
    ContactPointFactory(debtor=only_a_phone.debtor, channel="voice", value="+573001112255")
    nothing = DebtFactory()
    debts = [consented_sms, both_on_file, email_twice, only_a_phone, nothing]

    inserted = notices_insert(
        debt_ids=[d.pk for d in debts], template_code="agreement_broken", business_date=DAY
    )

    assert inserted == 6
    assert channels_of(consented_sms) == ["sms"]
    assert channels_of(both_on_file) == ["email", "sms"]
    assert channels_of(email_twice) == ["email"]
    assert channels_of(only_a_phone) == ["email"]
    assert channels_of(nothing) == ["email"]
    action = ContactAction.objects.get(debt=consented_sms)
    assert (action.stage, action.business_date, action.status) == (
        consented_sms.stage,
        DAY,
        ContactAction.Status.PLANNED,
    )


def test_a_second_call_for_the_same_day_inserts_nothing():
    debt = DebtFactory()
    ContactPointFactory(debtor=debt.debtor)
    assert notices_insert(debt_ids=[debt.pk], template_code="agreement_broken", business_date=DAY)
    assert not notices_insert(
        debt_ids=[debt.pk, debt.pk], template_code="agreement_broken", business_date=DAY
    )
    assert notices_insert(debt_ids=[], template_code="agreement_broken", business_date=DAY) == 0
    assert channels_of(debt) == ["email"]
