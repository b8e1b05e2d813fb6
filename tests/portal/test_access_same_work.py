"""A typed document that exists and one that does not cost the portal the same work.

Issue #15 measured the start page at 42 ms for a known document and 20 ms for an unknown one:
the code was made, stored and sent inside the request. These tests do not time anything
(timings belong in bench/); they check what makes the time: the same SQL statements, the same
hashing, and the same task queued, whichever the document.
"""

import hashlib
import hmac
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging.models import SandboxDelivery
from portal import tasks
from portal.models import AccessCode

pytestmark = pytest.mark.django_db

KNOWN = "1020304050"  # the `debtor` fixture's document
UNKNOWN = "5555555555"


def _shape(sql: str) -> str:
    """The statement without its values: what the database has to do."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', "sp", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\(\?(?:, \?)*\)", "(?)", sql)


class _Work:
    """Counts the statements, the hashing and the queued tasks of one request."""

    def __init__(self, monkeypatch):
        self.hashes = 0
        self.queued = mock.Mock()
        real_new, real_sha256 = hmac.new, hashlib.sha256

        def counted(real):
            def call(*args, **kwargs):
                self.hashes += 1
                return real(*args, **kwargs)

            return call

        monkeypatch.setattr(hmac, "new", counted(real_new))
        monkeypatch.setattr(hashlib, "sha256", counted(real_sha256))
        monkeypatch.setattr(tasks.portal_code_send_task, "delay", self.queued)

    def run(self, request):
        self.hashes = 0
        self.queued.reset_mock()
        with CaptureQueriesContext(connection) as queries:
            response = request()
        return {
            "status": response.status_code,
            "location": response.get("Location"),
            "statements": [_shape(q["sql"]) for q in queries.captured_queries],
            "hashes": self.hashes,
            "queued": [len(c.args) + len(c.kwargs) for c in self.queued.call_args_list],
        }


def _start(client, number):
    return lambda: client.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": number}
    )


def test_the_start_page_does_the_same_work_for_a_known_and_an_unknown_document(
    debtor, debt, monkeypatch
):
    work = _Work(monkeypatch)

    known = work.run(_start(Client(REMOTE_ADDR="10.0.0.1"), KNOWN))
    unknown = work.run(_start(Client(REMOTE_ADDR="10.0.0.2"), UNKNOWN))

    assert known["status"] == unknown["status"] == 302
    assert known["location"] == unknown["location"] == reverse("portal:verify")
    assert known["statements"] == unknown["statements"]
    assert known["hashes"] == unknown["hashes"]
    # One task queued either way; making and sending the code happens in the worker.
    assert known["queued"] == unknown["queued"] == [1]
    assert not AccessCode.objects.exists() and not SandboxDelivery.objects.exists()


def test_the_queued_task_sends_the_code_only_to_a_known_debtor(client, debtor, debt):
    # (Celery runs eagerly in the tests: the worker's part happens here at once.)
    _start(Client(REMOTE_ADDR="10.0.0.3"), UNKNOWN)()
    assert not SandboxDelivery.objects.exists()

    _start(client, KNOWN)()

    delivery = SandboxDelivery.objects.get()
    assert delivery.to == "+573001112233"
    assert AccessCode.objects.get().debtor == debtor


def test_a_wrong_code_costs_the_same_after_a_known_and_an_unknown_document(
    debtor, debt, monkeypatch
):
    # Given two visitors who typed a document each; the known one's code went out
    known_client, unknown_client = Client(REMOTE_ADDR="10.0.1.1"), Client(REMOTE_ADDR="10.0.1.2")
    _start(known_client, KNOWN)()
    _start(unknown_client, UNKNOWN)()
    assert AccessCode.objects.filter(debtor=debtor, used_at__isnull=True).count() == 1
    work = _Work(monkeypatch)

    # When each sends a wrong code
    def wrong(client):
        return lambda: client.post(reverse("portal:verify"), {"code": "000000"})

    known = work.run(wrong(known_client))
    unknown = work.run(wrong(unknown_client))

    # Then the same statements and hashing run, and the same answer comes back
    assert known["status"] == unknown["status"] == 200
    assert known["statements"] == unknown["statements"]
    assert known["hashes"] == unknown["hashes"]
    assert AccessCode.objects.get(debtor=debtor).attempts == 1


def test_resending_does_the_same_work_for_a_known_and_an_unknown_document(
    debtor, debt, monkeypatch
):
    known_client, unknown_client = Client(REMOTE_ADDR="10.0.2.1"), Client(REMOTE_ADDR="10.0.2.2")
    _start(known_client, KNOWN)()
    _start(unknown_client, UNKNOWN)()
    work = _Work(monkeypatch)

    def resend(client):
        return lambda: client.post(reverse("portal:resend"))

    known = work.run(resend(known_client))
    unknown = work.run(resend(unknown_client))

    assert known["status"] == unknown["status"] == 302
    assert known["statements"] == unknown["statements"]
    assert known["hashes"] == unknown["hashes"]
    assert known["queued"] == unknown["queued"] == [1]


def test_five_wrong_codes_lock_an_unknown_document_like_a_known_one(debtor, debt):
    # The stand-in key counts wrong codes for an unknown document as the debtor's key does.
    answers = {}
    for number, ip in ((KNOWN, "10.0.3.1"), (UNKNOWN, "10.0.3.2")):
        client = Client(REMOTE_ADDR=ip)
        _start(client, number)()
        answers[number] = [
            client.post(reverse("portal:verify"), {"code": "000000"}).status_code for _ in range(6)
        ]
    assert answers[KNOWN] == answers[UNKNOWN] == [200, 200, 200, 200, 429, 429]
