"""Tasks the daily cycle writes read in the viewer's language, not the cycle's."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from collections_app.services.cycle import cycle_run_date
from portfolio.models import Task
from tests.agreements.test_break import agreement_on_new_debt, day

pytestmark = pytest.mark.django_db

TITLE = {
    "en": "Agreement #%(id)s broken: call the debtor",
    "es": "Acuerdo #%(id)s incumplido: llamar al deudor",
}


def page_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("written_in", "read_in"), [("es", "en"), ("en", "es")])
def test_a_broken_agreements_task_reads_in_the_viewers_language(
    client, creditor, collector, written_in, read_in
):
    # Given an agreement the cycle broke while running in one language
    agreement, _debt = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(1))
    with translation.override(written_in):
        cycle_run_date(business_date=day(2))
    task = Task.objects.get(kind=Task.Kind.BROKEN_AGREEMENT)
    assert (task.title_code, task.title_params) == ("task.agreement_broken", {"id": agreement.pk})
    assert task.note_code == "agreement.broken"
    with translation.override(read_in):
        note = str(task.note_display)
    with translation.override(written_in):
        note_as_written = str(task.note_display)
    assert note != note_as_written
    # When the collector opens their tasks in the other language
    client.force_login(collector)
    text = page_text(client.get(reverse("collections:tasks"), HTTP_ACCEPT_LANGUAGE=read_in))
    # Then the title and note are in the reader's language
    assert TITLE[read_in] % {"id": agreement.pk} in text
    assert TITLE[written_in] % {"id": agreement.pk} not in text
    assert note in text and note_as_written not in text
