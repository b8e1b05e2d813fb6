"""The API answers what its OpenAPI schema says: schemathesis against the live schema.

The schema is the one the app serves at /api/schema/, loaded through the WSGI app in this
process (no server, no network). Requests run as an administrator (every operation is open to
them) against a small world that has what real responses carry: agreements not yet decided,
a segment for every creditor, an import with no portfolio, a contact with no collector, a
closed hold, so each `null` the API can send is sent.

- `test_generated_requests_conform`: schemathesis's generated requests for every operation
  (its examples, coverage and fuzzing phases), each with every check: no 5xx, only declared
  status codes, content types and headers, responses valid against their schemas, invalid
  input refused and valid input accepted. Fixed seed (derandomized) and a small budget.
- `test_real_requests_get_what_the_schema_describes`: one valid request per operation on the
  world's records, which must succeed; its response body is checked against the schema like
  any other. Generated ids rarely name a record, so this is what validates every detail body
  and every 201.

Every request runs in a savepoint rolled back after it: what one writes, the next never sees.
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import positive_data_acceptance
from werkzeug.test import Client  # schemathesis's in-process client, for a named file part

from agreements.models import AgreementStatus
from agreements.services.lifecycle import agreement_create
from agreements.services.promises import promise_create
from analytics.services.rules import segment_ensure_defaults
from bureau.layouts import base as bureau_layouts
from bureau.services.runs import run_create, run_generate, run_validate
from collections_app.models import Interaction
from collections_app.services.workspace import interaction_log
from complaints.services.intake import complaint_create
from imports.models import ImportBatch, ImportRowError
from ledger.services.remittance import remittance_issue, remittance_prepare
from messaging.models import MessageTemplateVersion
from messaging.services.inbox import inbound_receive
from messaging.services.template_approval import template_version_provider_set
from portfolio.models import Hold, Stage
from portfolio.services.holds import hold_close, hold_open
from tests.bureau.surfaces_helpers import TinyLayout, send_notice
from tests.factories.experiments import make_experiment
from tests.factories.ledger import CommissionRateFactory, SuspenseItemFactory
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    PaymentFactory,
)
from tests.factories.users import AdminFactory, CollectorFactory

AS_OF = datetime.date(2026, 11, 2)
PASSWORD = "pass-1234"  # tests.factories.users
SAMPLE = Path(__file__).resolve().parent / "data" / "portfolio-sample.csv"

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

# Valid input that names records (a debt to pay, a portfolio to filter the KPIs by, a creditor
# code) is refused with a 400 on that field when no such record is visible to the user: the
# schema can say "an id", not "an id that exists". Schemathesis's "schema-valid input is
# accepted" check is left out there; every other check runs. Writes all name records.
NAMES_RECORDS = {
    ("GET", "/api/v1/kpis/"),
    ("GET", "/api/v1/segments/"),
    ("GET", "/api/v1/complaints/kpis/"),
    ("GET", "/api/v1/experiments/calculator/"),
    ("GET", "/api/v1/legal-cases/kpis/"),
}


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """The raw WSGI app closes the database connection after each request, as a server must;
    here that connection holds the test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _build_world() -> dict:
    creditor = CreditorFactory(code="st-andino", name="Banco Andino")
    admin = AdminFactory(username="st-admin")
    collector = CollectorFactory(username="st-collector")
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        due_date=datetime.date(2026, 9, 1),
    )
    ContactPointFactory(debtor=debt.debtor)
    payment = PaymentFactory(debt=debt)  # recorded by no one: an import
    # No portfolio, no collector: the nulls of a debt.
    loose = DebtFactory(creditor=creditor, portfolio=None, due_date=datetime.date(2026, 10, 1))
    spare = DebtFactory(creditor=creditor, assigned_to=collector, stage=Stage.FIRM_NOTICE)
    to_approve = DebtFactory(creditor=creditor, assigned_to=collector, stage=Stage.FIRM_NOTICE)
    to_reject = DebtFactory(creditor=creditor, assigned_to=collector, stage=Stage.FIRM_NOTICE)
    terms = {
        "kind": "instalment_plan",
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_date": datetime.date(2026, 11, 10),
        "channel": "phone",
    }
    # Active at once, decided by no one; its first change comes from no status.
    active = agreement_create(user=admin, debt_ids=[debt.pk], as_of=AS_OF, **terms)
    long_plan = {**terms, "instalment_count": 24}  # beyond the collector's limit
    pending = [
        agreement_create(user=collector, debt_ids=[d.pk], as_of=AS_OF, **long_plan)
        for d in (to_approve, to_reject)
    ]
    assert active.status == AgreementStatus.ACTIVE
    assert {a.status for a in pending} == {AgreementStatus.PENDING_APPROVAL}
    promise = promise_create(
        user=admin,
        debt=loose,
        amount=Decimal("1000.00"),
        promised_date=datetime.date(2026, 11, 5),
        channel="phone",
        as_of=AS_OF,
    )
    interaction = interaction_log(
        user=admin, debt=debt, channel="inbound_call", outcome="no_answer", as_of=AS_OF
    )
    Interaction.objects.create(  # logged by a collector whose account is gone
        debt=loose,
        debtor=loose.debtor,
        collector=None,
        channel="inbound_call",
        outcome="no_answer",
        occurred_at=datetime.datetime(2026, 11, 1, 15, tzinfo=datetime.UTC),
    )
    closed = hold_open(debt=loose, kind=Hold.Kind.DISPUTE, reason="No es mía", source="api")
    hold_close(hold=closed, user=admin, outcome=Hold.Outcome.REJECTED)
    dispute = hold_open(debt=loose, kind=Hold.Kind.DISPUTE, reason="Ya pagué", source="api")
    message = make_message(debt=debt)
    segment_ensure_defaults()  # the default segments apply to every creditor
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, file_name="cartera.csv"
    )
    ImportRowError.objects.create(batch=batch, row=2, column="due_date", reason="Fecha inválida")
    # An open complaint with a file, not yet assigned: every action applies to it.
    complaint = complaint_create(
        debtor=debt.debtor,
        debt=debt,
        kind="complaint",
        channel="letter",
        subject="Llamadas de noche",
        description="Me llaman después de las 9 de la noche.",
        attachments=[SimpleUploadedFile("carta.pdf", b"%PDF-1.4\n%%EOF\n")],
        user=admin,
    )
    # A debtor's SMS reply in the inbox, and a WhatsApp text with its provider template (draft).
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001234567")
    inbound = inbound_receive(
        channel="sms",
        address="+573001234567",
        body="Puedo pagar el viernes",
        provider="twilio",
        provider_message_id="SM-st-1",
        received_at=datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC),
    )
    whatsapp = MessageTemplateVersion.objects.get(
        template__creditor__isnull=True,
        template__code="friendly",
        template__channel="whatsapp",
        template__language="es",
        is_active=True,
    )
    whatsapp = template_version_provider_set(
        version=whatsapp,
        user=admin,
        provider_template_id="HX0123456789abcdef0123456789abcdef",
        provider_variables={"1": "first_name"},
    )
    # Bureau runs at three steps (a draft, a checked one, one with its file) and a notice.
    send_notice(debt)
    bureau_runs = {}
    for step, cut_off in (("draft", 31), ("validated", 30), ("generated", 29)):
        run = run_create(
            creditor=creditor,
            bureau="datacredito",
            cut_off=datetime.date(2026, 10, cut_off),
            user=admin,
        )
        if step != "draft":
            run = run_validate(run=run, user=admin)
        if step == "generated":
            run = run_generate(run=run, user=admin)
        bureau_runs[step] = run
    # Experiments: a draft to start, a running one to stop, stop an arm of and promote.
    experiments = {
        "draft": make_experiment(user=admin, creditor=creditor, started=False, name="Borrador"),
        "running": make_experiment(user=admin, creditor=creditor, start_on=AS_OF, name="Activo"),
    }
    # Legal cases, one in each state a court step starts from (the firm retained by the creditor).
    firm = LawFirmFactory(creditors=[creditor], name="Abogados Andinos")
    legal_cases = {
        state: make_case(
            debt=DebtFactory(creditor=creditor, due_date=datetime.date(2025, 1, 10)),
            firm=firm,
            state=state,
            filed_on=None if state == "prepared" else datetime.date(2026, 3, 20),
        )
        for state in (
            "prepared",
            "filed",
            "payment_order",
            "notified",
            "judgment",
            "seizure_decreed",
            "seizure_served",
        )
    }
    # Remittance statements: two drafts (to issue, to void) and an issued one to download.
    remittances = {
        name: remittance_prepare(
            creditor=creditor,
            currency="COP",
            period_start=datetime.date(2026, month, 1),
            period_end=datetime.date(2026, month + 1, 1) - datetime.timedelta(days=1),
            user=admin,
            as_of=AS_OF,
        )
        for name, month in (("to_issue", 8), ("to_void", 9), ("issued", 10))
    }
    remittance_issue(remittance=remittances["issued"], user=admin)
    CommissionRateFactory(creditor=creditor, stage=Stage.FIRM_NOTICE)
    return {
        "remittances": {name: {"id": r.pk} for name, r in remittances.items()},
        "legal_cases": legal_cases,
        "experiments": experiments,
        "bureau_runs": bureau_runs,
        "admin": admin,
        "token": Token.objects.create(user=admin).key,
        "creditor": creditor,
        "collector": collector,
        "debt": debt,
        "loose": loose,
        "spare": spare,
        "payment": payment,
        "active": active,
        "to_approve": pending[0],
        "to_reject": pending[1],
        "promise": promise,
        "interaction": interaction,
        "dispute": dispute,
        "message": message,
        "batch": batch,
        "complaint": complaint,
        "attachment": complaint.attachments.get(),
        "inbound": inbound,
        "whatsapp": whatsapp,
        # Money held for the spare debt's debtor (its paid debt): to apply to the spare one.
        "suspense": SuspenseItemFactory(
            debt=DebtFactory(creditor=creditor, debtor=spare.debtor, stage=Stage.PAID),
            amount=Decimal("300.00"),
            reference="ST-HELD-1",
        ),
    }


@pytest.fixture(scope="module")
def bureau_layout():
    """The bureau runs write a tiny test layout (not the adapters'); the registry is restored."""
    bureau_layouts.layouts()
    kept = dict(bureau_layouts._LAYOUTS)
    bureau_layouts.layout_register(TinyLayout())
    yield
    bureau_layouts._LAYOUTS.clear()
    bureau_layouts._LAYOUTS.update(kept)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, bureau_layout):
    """Built once for the module, in a transaction rolled back at its end."""
    media = tmp_path_factory.mktemp("media")  # the world's files, out of var/media
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=media):
        yield {**_build_world(), "media": media}
        transaction.set_rollback(True)


@pytest.fixture
def auth(world, db, settings):
    settings.MEDIA_ROOT = world["media"]  # an accepted upload is stored: keep it out of var/media
    return {"Authorization": f"Token {world['token']}"}


def send_query_as_judged(case) -> None:
    """Send an object-valued query parameter the way schemathesis judges it was sent.

    A negative case may put an object where a query value belongs. Schemathesis reports and
    checks the request as `requests` encodes it (one value per key: `{"a\\x00": 1}` is
    `?q=a%00`), but its in-process WSGI client sends the object's Python repr
    (`?q={'a\\x00': 1}`), a harmless string the API rightly accepts, and the check then
    fails on a NUL the server never received. The keys, sent as a list, are what it judges.
    """
    for name, value in (case.query or {}).items():
        if isinstance(value, dict):
            case.query[name] = [str(key) for key in value]
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            case.query[name] = [
                str(part) for item in value for part in (item if isinstance(item, dict) else [item])
            ]


def call_and_validate(case, auth, *, checks_left_out=()):
    """Send the case and run every check on the answer, in a savepoint rolled back after."""
    send_query_as_judged(case)
    with transaction.atomic():
        try:
            return case.call_and_validate(headers=auth, excluded_checks=list(checks_left_out))
        finally:
            transaction.set_rollback(True)


@schema.parametrize()
@settings(
    max_examples=10,  # the fuzzing phase; the examples and coverage phases come on top
    derandomize=True,  # the same requests on every run and machine
    database=None,
    deadline=None,
    # Function-scoped fixtures are meant: each request rolls back its own savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_conform(case, auth):
    names_records = case.method != "GET" or (case.method, case.path) in NAMES_RECORDS
    call_and_validate(
        case, auth, checks_left_out=[positive_data_acceptance] if names_records else []
    )


def _real_requests(w: dict) -> dict:
    """(method, path) -> what a client would send to succeed, on the world's records."""
    as_of = AS_OF.isoformat()
    terms = {
        "debts": [w["spare"].pk],
        "kind": "instalment_plan",
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_date": "2026-11-10",
        "channel": "phone",
        "as_of": as_of,
    }
    debt = {"id": w["debt"].pk}
    complaint = {"id": w["complaint"].pk}
    runs = {step: {"id": run.pk} for step, run in w["bureau_runs"].items()}
    running = w["experiments"]["running"]
    experiment = {"id": running.pk}
    challenger = running.arms.get(role="challenger").pk
    champion = running.arms.get(role="champion")
    cases = {state: {"id": case.pk} for state, case in w["legal_cases"].items()}
    # Each court step on a case in a state it starts from, with the fields it needs.
    steps = {
        "file": ("prepared", {"case_number": "11001-31-03-001-2026-00123-00"}),
        "order_payment": ("filed", {"payment_order_on": "2026-04-01"}),
        "notify": ("payment_order", {}),
        "open_defences": ("notified", {}),
        "decide": ("notified", {}),
        "liquidate": ("judgment", {}),
        "decree_seizure": ("payment_order", {}),
        "serve_seizure": ("seizure_decreed", {}),
        "auction": ("seizure_served", {}),
        "close": ("prepared", {"outcome": "withdrawn"}),
    }
    legal = {
        ("POST", f"/api/v1/legal-cases/{{id}}/{name}/"): {
            "path_parameters": cases[state],
            "body": {
                "note": "Lo ordenó el juzgado",
                **fields,
                **({"filed_on": "2026-03-20"} if name == "file" else {}),
            },
        }
        for name, (state, fields) in steps.items()
    }
    remittances = w["remittances"]
    return {
        **legal,
        ("GET", "/api/v1/remittances/"): {"query": {"status": "draft", "currency": "COP"}},
        ("POST", "/api/v1/remittances/"): {
            "body": {
                "creditor": w["creditor"].pk,
                "currency": "COP",
                "period_start": "2026-07-01",
                "period_end": "2026-07-31",
            },
        },
        ("GET", "/api/v1/remittances/{id}/"): {"path_parameters": remittances["issued"]},
        ("POST", "/api/v1/remittances/{id}/issue/"): {"path_parameters": remittances["to_issue"]},
        ("POST", "/api/v1/remittances/{id}/void/"): {
            "path_parameters": remittances["to_void"],
            "body": {"reason": "Período equivocado"},
        },
        ("GET", "/api/v1/remittances/{id}/csv/"): {"path_parameters": remittances["issued"]},
        ("GET", "/api/v1/remittances/{id}/pdf/"): {"path_parameters": remittances["issued"]},
        ("GET", "/api/v1/commission-rates/"): {"query": {"creditor": w["creditor"].pk}},
        ("POST", "/api/v1/commission-rates/"): {
            "body": {
                "creditor": w["creditor"].pk,
                "basis": "age",
                "min_dpd": 0,
                "max_dpd": 30,
                "percent": "8.50",
                "valid_from": "2026-11-01",
            },
        },
        ("GET", "/api/v1/legal-cases/"): {"query": {"state": "prepared"}},
        ("GET", "/api/v1/legal-cases/{id}/"): {"path_parameters": cases["filed"]},
        ("PATCH", "/api/v1/legal-cases/{id}/"): {
            "path_parameters": cases["filed"],
            "body": {"court": "Juzgado 3 Civil del Circuito", "next_action_on": "2027-01-15"},
        },
        ("GET", "/api/v1/legal-cases/kpis/"): {"query": {"from": "2026-01-01", "to": as_of}},
        ("GET", "/api/v1/experiments/"): {"query": {"status": "running", "subject": "policy"}},
        ("POST", "/api/v1/experiments/"): {
            "body": {
                "creditor": w["creditor"].pk,
                "name": "Aviso firme antes",
                "subject": "policy",
                "primary_metric": "cure_rate",
                "starts_on": "2026-11-03",
                "ends_on": "2027-01-02",
                "guardrails": {"opt_out_pct": "2"},
                "arms": [
                    {
                        "code": "a",
                        "name": "Hoy",
                        "role": "champion",
                        "weight": 90,
                        "policy_version": champion.policy_version_id,
                    },
                    {
                        "code": "b",
                        "name": "Antes",
                        "role": "challenger",
                        "weight": 10,
                        "policy_version": champion.policy_version_id,
                    },
                ],
            },
        },
        ("GET", "/api/v1/experiments/calculator/"): {
            "query": {"baseline_pct": "10", "lift_pct": "5", "creditor": w["creditor"].pk},
        },
        ("GET", "/api/v1/experiments/{id}/"): {"path_parameters": experiment},
        ("POST", "/api/v1/experiments/{id}/start/"): {
            "path_parameters": {"id": w["experiments"]["draft"].pk},
        },
        ("POST", "/api/v1/experiments/{id}/stop/"): {
            "path_parameters": experiment,
            "body": {"reason": "Sin diferencia"},
        },
        ("POST", "/api/v1/experiments/{id}/stop-arm/"): {
            "path_parameters": experiment,
            "body": {"arm": challenger, "reason": "Demasiadas quejas"},
        },
        ("POST", "/api/v1/experiments/{id}/promote/"): {
            "path_parameters": experiment,
            "body": {"arm": challenger, "note": "Cura más"},
        },
        ("GET", "/api/v1/bureau/notices/"): {
            "query": {"creditor": w["creditor"].pk, "delivery": "delivered"}
        },
        ("GET", "/api/v1/bureau/runs/"): {"query": {"bureau": "datacredito"}},
        ("POST", "/api/v1/bureau/runs/"): {
            "body": {
                "creditor": w["creditor"].pk,
                "bureau": "datacredito",
                "cut_off": "2026-09-30",
            },
        },
        ("GET", "/api/v1/bureau/runs/{id}/"): {"path_parameters": runs["generated"]},
        ("POST", "/api/v1/bureau/runs/{id}/validate/"): {"path_parameters": runs["draft"]},
        ("POST", "/api/v1/bureau/runs/{id}/generate/"): {"path_parameters": runs["validated"]},
        ("POST", "/api/v1/bureau/runs/{id}/submit/"): {"path_parameters": runs["generated"]},
        ("POST", "/api/v1/bureau/runs/{id}/cancel/"): {"path_parameters": runs["draft"]},
        ("GET", "/api/v1/bureau/runs/{id}/download/"): {"path_parameters": runs["generated"]},
        ("POST", "/api/v1/auth/token/"): {
            "body": {"username": "st-admin", "password": PASSWORD},
        },
        ("GET", "/api/v1/agreements/"): {},
        ("POST", "/api/v1/agreements/"): {"body": terms},
        ("POST", "/api/v1/agreements/preview/"): {"body": terms},
        ("GET", "/api/v1/agreements/{id}/"): {"path_parameters": {"id": w["active"].pk}},
        ("POST", "/api/v1/agreements/{id}/approve/"): {
            "path_parameters": {"id": w["to_approve"].pk},
            "body": {"reason": "Dentro de lo que el acreedor acepta", "as_of": as_of},
        },
        ("POST", "/api/v1/agreements/{id}/reject/"): {
            "path_parameters": {"id": w["to_reject"].pk},
            "body": {"reason": "Cuotas de más", "as_of": as_of},
        },
        ("POST", "/api/v1/agreements/{id}/cancel/"): {
            "path_parameters": {"id": w["active"].pk},
            "body": {"reason": "Lo pidió el deudor", "as_of": as_of},
        },
        ("GET", "/api/v1/complaints/kpis/"): {"query": {"from": "2026-10-01", "to": as_of}},
        ("GET", "/api/v1/complaints/"): {"query": {"status": "open", "assigned_to": "nobody"}},
        ("POST", "/api/v1/complaints/"): {
            "body": {
                "debt": w["spare"].pk,
                "kind": "bureau_claim",
                "channel": "phone",
                "subject": "Reporte negativo",
                "description": "El reporte a la central de riesgo está mal.",
            },
        },
        ("GET", "/api/v1/complaints/{id}/"): {"path_parameters": complaint},
        ("POST", "/api/v1/complaints/{id}/assign/"): {
            "path_parameters": complaint,
            "body": {"assignee": w["collector"].pk},
        },
        ("POST", "/api/v1/complaints/{id}/request-information/"): {
            "path_parameters": complaint,
            "body": {"details": "Copia de la carta"},
        },
        ("POST", "/api/v1/complaints/{id}/information/"): {
            "path_parameters": complaint,
            "body": {"text": "Envío la copia"},
        },
        ("POST", "/api/v1/complaints/{id}/extend/"): {
            "path_parameters": complaint,
            "body": {"reason": "Pedimos las grabaciones al proveedor"},
        },
        ("POST", "/api/v1/complaints/{id}/draft/"): {
            "path_parameters": complaint,
            "body": {"template": "answer_upheld", "details": "No volverá a pasar."},
        },
        ("POST", "/api/v1/complaints/{id}/answer/"): {
            "path_parameters": complaint,
            "body": {"subject": "Respuesta", "body": "Tiene razón.", "template": "answer_upheld"},
        },
        ("POST", "/api/v1/complaints/{id}/close/"): {
            "path_parameters": complaint,
            "body": {"outcome": "withdrawn", "note": "Lo retiró por teléfono"},
        },
        ("GET", "/api/v1/complaints/{id}/attachments/{attachment_id}/"): {
            "path_parameters": {**complaint, "attachment_id": w["attachment"].pk},
        },
        ("GET", "/api/v1/debtors/"): {},
        ("GET", "/api/v1/debtors/{id}/"): {"path_parameters": {"id": w["debt"].debtor_id}},
        ("GET", "/api/v1/debtors/{id}/document/"): {
            "path_parameters": {"id": w["debt"].debtor_id},
            "query": {"purpose": "Verificación"},
        },
        ("GET", "/api/v1/debts/"): {"query": {"as_of": as_of}},
        ("GET", "/api/v1/debts/{id}/"): {"path_parameters": {"id": w["loose"].pk}},
        ("PATCH", "/api/v1/debts/{id}/"): {
            "path_parameters": {"id": w["loose"].pk},
            "body": {"assigned_to": w["collector"].pk},
        },
        ("GET", "/api/v1/debts/{id}/history/"): {"path_parameters": debt},
        ("GET", "/api/v1/debts/{id}/statement/"): {
            "path_parameters": debt,
            "query": {"from": "2026-10-01", "to": as_of},
        },
        ("GET", "/api/v1/debts/{id}/transitions/"): {"path_parameters": debt},
        ("POST", "/api/v1/debts/{id}/transitions/"): {
            "path_parameters": {"id": w["spare"].pk},
            "body": {
                "transition": "write_off",
                "reason": "Incobrable",
                "write_off_reason": "uncollectible",
                "as_of": as_of,
            },
        },
        ("GET", "/api/v1/debts/{id}/holds/"): {"path_parameters": {"id": w["loose"].pk}},
        ("POST", "/api/v1/debts/{id}/holds/"): {
            "path_parameters": {"id": w["spare"].pk},
            "body": {"kind": "cease_contact", "reason": "Pidió no ser contactado"},
        },
        ("GET", "/api/v1/debts/{id}/disputes/"): {"path_parameters": {"id": w["loose"].pk}},
        ("POST", "/api/v1/debts/{id}/disputes/"): {
            "path_parameters": {"id": w["spare"].pk},
            "body": {"reason": "No reconoce la deuda"},
        },
        ("POST", "/api/v1/holds/{id}/close/"): {
            "path_parameters": {"id": w["dispute"].pk},
            "body": {"outcome": "upheld", "note": "Tenía razón"},
        },
        ("GET", "/api/v1/interactions/"): {},
        ("POST", "/api/v1/interactions/"): {
            "body": {
                "debt": w["spare"].pk,
                "channel": "inbound_call",
                "outcome": "no_answer",
                "as_of": as_of,
            },
        },
        ("GET", "/api/v1/interactions/{id}/"): {"path_parameters": {"id": w["interaction"].pk}},
        ("GET", "/api/v1/kpis/"): {"query": {"as_of": as_of}},
        ("GET", "/api/v1/messages/"): {},
        ("GET", "/api/v1/messages/{id}/"): {"path_parameters": {"id": w["message"].pk}},
        ("GET", "/api/v1/payments/"): {},
        ("POST", "/api/v1/payments/"): {
            "body": {
                "debt": w["spare"].pk,
                "amount": "50000.00",
                "currency": "COP",
                "paid_at": "2026-11-02T10:00:00-05:00",
                "method": "pse",
                "reference": "ST-PSE-1",
            },
        },
        ("GET", "/api/v1/payments/{id}/"): {"path_parameters": {"id": w["payment"].pk}},
        ("GET", "/api/v1/suspense/"): {"query": {"status": "open", "reason": "debt_closed"}},
        ("GET", "/api/v1/suspense/{id}/"): {"path_parameters": {"id": w["suspense"].pk}},
        ("POST", "/api/v1/suspense/{id}/apply/"): {
            "path_parameters": {"id": w["suspense"].pk},
            "body": {"debt": w["spare"].pk, "amount": "100.00"},
        },
        ("POST", "/api/v1/suspense/{id}/refund/"): {
            "path_parameters": {"id": w["suspense"].pk},
            "body": {"amount": "100.00", "refund_reference": "ST-TRF-1", "note": "Lo pidió"},
        },
        ("POST", "/api/v1/payments/{id}/reverse/"): {
            "path_parameters": {"id": w["payment"].pk},
            "body": {"reason": "bounced", "note": "Devuelta por el banco"},
        },
        ("GET", "/api/v1/portfolio-imports/"): {},
        ("POST", "/api/v1/portfolio-imports/"): {
            # A file part is named by its field ("file"); the import wants a .csv name.
            "upload": {"file": (io.BytesIO(SAMPLE.read_bytes()), "cartera.csv")},
            "body": {"creditor": w["creditor"].code},
            "media_type": "multipart/form-data",
        },
        ("GET", "/api/v1/portfolio-imports/{id}/"): {"path_parameters": {"id": w["batch"].pk}},
        ("GET", "/api/v1/portfolio-imports/{id}/errors/"): {
            "path_parameters": {"id": w["batch"].pk}
        },
        ("GET", "/api/v1/promises/"): {},
        ("POST", "/api/v1/promises/"): {
            "body": {
                "debt": w["spare"].pk,
                "amount": "80000.00",
                "promised_date": "2026-11-06",
                "channel": "phone",
                "as_of": as_of,
            },
        },
        ("GET", "/api/v1/promises/{id}/"): {"path_parameters": {"id": w["promise"].pk}},
        ("GET", "/api/v1/segments/"): {},
        ("GET", "/api/v1/inbound-messages/"): {"query": {"channel": "sms", "unassigned": "false"}},
        ("GET", "/api/v1/inbound-messages/{id}/"): {"path_parameters": {"id": w["inbound"].pk}},
        ("POST", "/api/v1/inbound-messages/{id}/mark-handled/"): {
            "path_parameters": {"id": w["inbound"].pk},
        },
        ("GET", "/api/v1/message-template-versions/"): {
            "query": {"channel": "whatsapp", "approval_status": "draft"},
        },
        ("GET", "/api/v1/message-template-versions/{id}/"): {
            "path_parameters": {"id": w["whatsapp"].pk},
        },
        ("POST", "/api/v1/message-template-versions/{id}/provider-template/"): {
            "path_parameters": {"id": w["whatsapp"].pk},
            "body": {
                "provider_template_id": "HXabcdef0123456789abcdef0123456789",
                "provider_variables": {"1": "first_name", "2": "amount"},
            },
        },
        ("POST", "/api/v1/message-template-versions/{id}/approval/"): {
            "path_parameters": {"id": w["whatsapp"].pk},
            "body": {"action": "submit", "note": "Enviada a Meta"},
        },
    }


OPERATIONS = sorted(
    (operation.method.upper(), operation.path)
    for operation in (result.ok() for result in schema.get_all_operations())
)


def test_every_operation_has_a_real_request(world):
    assert sorted(_real_requests(world)) == OPERATIONS


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_real_requests_get_what_the_schema_describes(world, auth, method, path):
    request = _real_requests(world).get((method, path))
    assert request is not None, f"add a real request for {method} {path} to _real_requests"
    media_type = request.get("media_type", "application/json" if "body" in request else None)
    case = schema[path][method].Case(
        path_parameters=request.get("path_parameters"),
        query=request.get("query"),
        body=request.get("body", NOT_SET),
        media_type=media_type,
    )
    if "upload" in request:
        with transaction.atomic():
            response = Client(schema.app).post(
                path, data={**request["body"], **request["upload"]}, headers=auth
            )
            case.validate_response(response, headers=auth)
            transaction.set_rollback(True)
        status, content = response.status_code, response.get_data()
    else:
        response = call_and_validate(case, auth)
        status, content = response.status_code, response.content

    assert 200 <= status < 300, content[:500]
