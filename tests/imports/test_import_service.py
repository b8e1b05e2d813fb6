"""The portfolio import service: validation per row, set-based upserts, history, consents."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.exceptions import ApplicationError
from imports.models import ImportBatch
from imports.services.portfolio_file import import_batch_create, import_batch_run
from portfolio.models import ConsentEvent, ContactPoint, Debt, Debtor, Portfolio, Stage
from tests.factories.portfolio import ContactPointFactory, CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded import files go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = (
    "debtor_ref,document_type,document_number,full_name,email,phone,address_line,city,region,"
    "postal_code,country,timezone,language,consent_email,consent_sms,consent_whatsapp,"
    "consent_voice,debt_ref,product,currency,original_amount,principal,interest,fees,due_date,"
    "opened_date"
)


def row(**overrides) -> str:
    values = {
        "debtor_ref": "D1",
        "document_type": "CC",
        "document_number": "1010",
        "full_name": "Ana Pérez",
        "email": "ana@example.com",
        "phone": "+573001234567",
        "address_line": "Calle 1",
        "city": "Bogotá",
        "region": "",
        "postal_code": "110111",
        "country": "CO",
        "timezone": "",
        "language": "",
        "consent_email": "true",
        "consent_sms": "true",
        "consent_whatsapp": "false",
        "consent_voice": "false",
        "debt_ref": "OBL-1",
        "product": "credit_card",
        "currency": "COP",
        "original_amount": "1000.00",
        "principal": "800.00",
        "interest": "50.25",
        "fees": "10.10",
        "due_date": "2026-01-31",
        "opened_date": "2024-05-01",
    }
    values.update(overrides)
    return ",".join(values[c] for c in HEADER.split(","))


def csv_bytes(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join([header, *rows]).encode() + newline.encode()


def run(creditor, content: bytes, name="cartera.csv", user=None, **options) -> ImportBatch:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    batch = import_batch_create(
        kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, uploaded_file=upload, user=user,
        **options,
    )  # fmt: skip
    return import_batch_run(batch_id=batch.id)


def errors_of(batch) -> list[tuple[int, str]]:
    return list(batch.row_errors.order_by("row", "column").values_list("row", "column"))


def test_sample_file_rejects_exactly_the_expected_rows(creditor):
    # Given the shared sample and its expected outcome
    expect = json.loads((DATA / "portfolio-sample.expect.json").read_text())
    # When it is imported
    batch = run(creditor, (DATA / "portfolio-sample.csv").read_bytes(), name="sample.csv")
    # Then exactly those lines are rejected and the other debts are written
    assert batch.status == ImportBatch.Status.COMPLETED
    assert sorted({r for r, _c in errors_of(batch)}) == expect["rows_to_reject"]
    assert batch.rejected_count == len(expect["rows_to_reject"])
    assert batch.created_count == expect["valid_debts"]
    assert Debt.objects.filter(creditor=creditor).count() == expect["valid_debts"]
    assert batch.rows_total == 41
    # The duplicate debt_ref on the last line did not overwrite the first one's principal.
    assert Debt.objects.get(debt_ref="OBL-00000000").principal == Decimal("5921061.74")
    assert (str(errors_of(batch)[-1][0]), errors_of(batch)[-1][1]) == ("42", "debt_ref")


def test_sample_reimport_is_a_no_op(creditor):
    content = (DATA / "portfolio-sample.csv").read_bytes()
    run(creditor, content, name="sample.csv")
    counts = (Debt.history.count(), Debtor.history.count(), ContactPoint.history.count())
    stamps = list(Debt.objects.order_by("id").values_list("updated_at", flat=True))
    events = ConsentEvent.objects.count()
    # When the same file comes again
    batch = run(creditor, content, name="sample.csv")
    # Then nothing changes: counts, history, timestamps, consent events
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 0, 29)
    assert (batch.debtors_created, batch.debtors_updated) == (0, 0)
    assert (Debt.history.count(), Debtor.history.count(), ContactPoint.history.count()) == counts
    assert list(Debt.objects.order_by("id").values_list("updated_at", flat=True)) == stamps
    assert ConsentEvent.objects.count() == events


def test_created_debt_fields_contacts_and_defaults(creditor):
    user = ManagerFactory(username="importer", creditors=[creditor])
    batch = run(creditor, csv_bytes(row()), name="enero.csv", user=user)
    debt = Debt.objects.select_related("debtor", "portfolio").get(debt_ref="OBL-1")
    assert debt.balance == Decimal("860.35")
    assert (debt.principal, debt.interest, debt.fees) == (
        Decimal("800.00"),
        Decimal("50.25"),
        Decimal("10.10"),
    )
    assert debt.stage == Stage.CURRENT and debt.stage_entered_at is not None
    assert debt.stage_entered_on == timezone.localdate()
    assert debt.portfolio.name == "enero" and batch.portfolio == debt.portfolio
    assert debt.debtor.timezone == "America/Bogota" and debt.debtor.language == "es"
    points = {(cp.channel, cp.value): cp for cp in ContactPoint.objects.filter(debtor=debt.debtor)}
    assert set(points) == {
        ("email", "ana@example.com"),
        ("sms", "+573001234567"),
        ("whatsapp", "+573001234567"),
        ("voice", "+573001234567"),
    }
    assert points[("sms", "+573001234567")].consent_granted is True
    assert points[("whatsapp", "+573001234567")].consent_granted is False
    assert all(cp.is_primary for cp in points.values())
    # Granted consents are events with the importing user.
    events = ConsentEvent.objects.filter(contact_point__debtor=debt.debtor)
    assert {(e.contact_point.channel, e.granted, e.source) for e in events} == {
        ("email", True, "import"),
        ("sms", True, "import"),
    }
    assert all(e.actor_id == user.id for e in events)


def test_history_rows_for_created_and_updated_debt(creditor):
    user = ManagerFactory(username="importer", creditors=[creditor])
    run(creditor, csv_bytes(row(), row(debt_ref="OBL-2", debtor_ref="D2")), user=user)
    # When OBL-1's principal changes and OBL-2 stays the same
    batch = run(
        creditor, csv_bytes(row(principal="700.00"), row(debt_ref="OBL-2", debtor_ref="D2")),
        user=user,
    )  # fmt: skip
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 1)
    first = Debt.objects.get(debt_ref="OBL-1")
    assert first.balance == Decimal("760.35")
    history = list(first.history.order_by("history_date").values_list("history_type", "principal"))
    assert history == [("+", Decimal("800.00")), ("~", Decimal("700.00"))]
    assert set(first.history.values_list("history_user_id", flat=True)) == {user.id}
    assert first.history.latest().history_change_reason == f"import #{batch.id}"
    assert Debt.objects.get(debt_ref="OBL-2").history.count() == 1


def test_existing_debt_keeps_portfolio_and_stage(creditor):
    run(creditor, csv_bytes(row()), portfolio_name="Cartera A")
    Debt.objects.filter(debt_ref="OBL-1").update(stage=Stage.FIRM_NOTICE)
    run(creditor, csv_bytes(row(fees="0"), row(debt_ref="OBL-9")), portfolio_name="Cartera B")
    old, new = Debt.objects.get(debt_ref="OBL-1"), Debt.objects.get(debt_ref="OBL-9")
    assert (old.portfolio.name, old.stage, old.fees) == ("Cartera A", "firm_notice", Decimal(0))
    assert new.portfolio.name == "Cartera B"


def test_debtor_identity_from_first_valid_row(creditor):
    batch = run(
        creditor,
        csv_bytes(
            row(full_name="Bad Row", country="ZZ", debt_ref="OBL-0"),
            row(full_name="Ana First"),
            row(full_name="Ana Second", debt_ref="OBL-2", phone="+573109998877"),
        ),
    )
    debtor = Debtor.objects.get(debtor_ref="D1")
    assert debtor.full_name == "Ana First"
    assert batch.debtors_created == 1 and batch.created_count == 2
    sms = ContactPoint.objects.filter(debtor=debtor, channel="sms").order_by("value")
    assert [(c.value, c.is_primary) for c in sms] == [
        ("+573001234567", True),
        ("+573109998877", False),
    ]


def test_import_never_overrides_a_consent_the_debtor_chose(creditor):
    run(creditor, csv_bytes(row(consent_sms="true", consent_email="true")))
    debtor = Debtor.objects.get(debtor_ref="D1")
    sms = ContactPoint.objects.get(debtor=debtor, channel="sms")
    sms.consent_granted, sms.consent_source = False, "debtor"
    sms.save()
    email = ContactPoint.objects.get(debtor=debtor, channel="email")
    # When the next file revokes e-mail and still grants SMS
    run(creditor, csv_bytes(row(consent_sms="true", consent_email="false")))
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.consent_granted is False and sms.consent_source == "debtor"
    assert email.consent_granted is False
    assert list(email.consent_events.order_by("id").values_list("granted", flat=True)) == [
        True,
        False,
    ]


def test_existing_contact_point_not_from_import_is_kept(creditor):
    contact = ContactPointFactory(
        debtor__creditor=creditor, debtor__debtor_ref="D1", value="ana@example.com",
        consent_granted=False, consent_source="collector",
    )  # fmt: skip
    run(creditor, csv_bytes(row(consent_email="true")))
    contact.refresh_from_db()
    assert contact.consent_granted is False


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"opened_date": "31/01/2026"}, "opened_date"),
        ({"principal": "-1"}, "principal"),
        ({"original_amount": "0"}, "original_amount"),
        ({"interest": "1.234"}, "interest"),
        ({"fees": "1.5.5"}, "fees"),
        ({"currency": "ABC"}, "currency"),
        ({"country": "XX"}, "country"),
        ({"product": "boat"}, "product"),
        ({"document_type": "DNI"}, "document_type"),
        ({"language": "fr"}, "language"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "ana@"}, "email"),
        ({"phone": "+57 12"}, "phone"),
        ({"consent_sms": "maybe"}, "consent_sms"),
        ({"debt_ref": ""}, "debt_ref"),
    ],
)
def test_each_invalid_value_is_reported_and_not_written(creditor, overrides, column):
    batch = run(creditor, csv_bytes(row(**overrides), row(debtor_ref="D2", debt_ref="OBL-2")))
    assert errors_of(batch) == [(2, column)]
    assert batch.rejected_count == 1 and batch.created_count == 1
    assert list(Debt.objects.values_list("debt_ref", flat=True)) == ["OBL-2"]


def test_national_phone_is_stored_in_e164_and_timezone_from_region(creditor):
    run(
        creditor,
        csv_bytes(
            row(phone="300 123 4567"),
            row(debtor_ref="M1", debt_ref="M-1", country="MX", region="Baja California",
                phone="55 1234 5678", currency="MXN", document_type="CURP"),
            row(debtor_ref="U1", debt_ref="U-1", country="US", region="TX",
                phone="(212) 555-0100", currency="USD", document_type="SSN"),
        ),
    )  # fmt: skip
    assert ContactPoint.objects.get(channel="sms", debtor__debtor_ref="D1").value == (
        "+573001234567"
    )
    mx, us = Debtor.objects.get(debtor_ref="M1"), Debtor.objects.get(debtor_ref="U1")
    assert (mx.timezone, mx.language) == ("America/Tijuana", "es")
    assert (us.timezone, us.language) == ("America/Chicago", "en")
    assert ContactPoint.objects.get(channel="voice", debtor=us).value == "+12125550100"


def test_bom_crlf_quotes_accents_and_extra_column(creditor):
    header = HEADER + ",notes"
    line = row(full_name='"Peña, María José"', address_line='"Cra 7 # 1-2, Apto 3"') + ",extra"
    content = b"\xef\xbb\xbf" + csv_bytes(line, header=header, newline="\r\n")
    batch = run(creditor, content)
    assert batch.status == ImportBatch.Status.COMPLETED and batch.created_count == 1
    debtor = Debtor.objects.get()
    assert debtor.full_name == "Peña, María José"
    assert debtor.address_line == "Cra 7 # 1-2, Apto 3"


def test_missing_required_column_refuses_the_whole_file(creditor):
    header = HEADER.replace(",due_date", "")
    line = ",".join(v for c, v in zip(HEADER.split(","), row().split(","), strict=True)
                    if c != "due_date")  # fmt: skip
    batch = run(creditor, csv_bytes(line, header=header), portfolio_name="Never")
    assert batch.status == ImportBatch.Status.FAILED
    assert "due_date" in batch.error_message
    assert not Debt.objects.exists() and not Debtor.objects.exists()
    assert not Portfolio.objects.filter(name="Never").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no data rows"),
        (csv_bytes(row(full_name="Pe\xf1a")).replace(b"\xc3\xb1", b"\xf1"), "UTF-8"),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(creditor, content, message):
    content = content.replace("Peña".encode(), "Pe\xf1a".encode("latin-1"))
    batch = run(creditor, content)
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.error_message
    assert not Debt.objects.exists()


def test_strict_mode_writes_nothing_when_a_row_is_invalid(creditor):
    batch = run(creditor, csv_bytes(row(), row(debt_ref="OBL-2", currency="???")), strict=True)
    assert batch.status == ImportBatch.Status.REJECTED
    assert errors_of(batch) == [(3, "currency")]
    assert not Debt.objects.exists() and not Debtor.objects.exists()
    assert (batch.created_count, batch.rejected_count) == (0, 1)


def test_strict_mode_writes_a_clean_file(creditor):
    batch = run(creditor, csv_bytes(row()), strict=True)
    assert batch.status == ImportBatch.Status.COMPLETED and Debt.objects.count() == 1


def test_dry_run_counts_but_writes_no_domain_rows(creditor):
    run(creditor, csv_bytes(row()))
    before = (Debt.history.count(), Debtor.objects.count(), Portfolio.objects.count())
    batch = run(
        creditor, csv_bytes(row(principal="1.00"), row(debt_ref="OBL-2", debtor_ref="D2")),
        dry_run=True, name="dry.csv",
    )  # fmt: skip
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created_count, batch.updated_count, batch.debtors_created) == (1, 1, 1)
    assert (Debt.history.count(), Debtor.objects.count(), Portfolio.objects.count()) == before
    assert Debt.objects.get().principal == Decimal("800.00")


def test_a_crash_leaves_nothing_half_written(creditor, monkeypatch):
    from imports.services.portfolio_file import postgres

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(postgres, "write_debts", boom)
    batch = run(creditor, csv_bytes(row()))
    assert batch.status == ImportBatch.Status.FAILED
    assert "nothing was written" in batch.error_message
    assert not Debtor.objects.exists() and not ContactPoint.objects.exists()


def test_creditors_are_kept_apart(creditor):
    other = CreditorFactory(code="otro")
    run(creditor, csv_bytes(row()))
    batch = run(other, csv_bytes(row()))
    assert batch.created_count == 1 and batch.debtors_created == 1
    assert Debt.objects.count() == 2


def test_running_a_finished_batch_again_does_nothing(creditor):
    batch = run(creditor, csv_bytes(row()))
    again = import_batch_run(batch_id=batch.id)
    assert again.status == ImportBatch.Status.COMPLETED and Debt.history.count() == 1


def test_create_refuses_non_csv_and_oversized_files(creditor, settings):
    with pytest.raises(ApplicationError, match="csv"):
        import_batch_create(
            kind="portfolio", creditor=creditor,
            uploaded_file=SimpleUploadedFile("x.xlsx", b"abc"),
        )  # fmt: skip
    settings.CARTERA_IMPORT_MAX_BYTES = 10
    with pytest.raises(ApplicationError, match="larger"):
        import_batch_create(
            kind="portfolio", creditor=creditor,
            uploaded_file=SimpleUploadedFile("x.csv", b"a" * 11),
        )  # fmt: skip
    assert not ImportBatch.objects.exists()


def test_task_runs_a_pending_batch_once(creditor):
    from imports.tasks import import_batch_run_task

    upload = SimpleUploadedFile("t.csv", csv_bytes(row()))
    batch = import_batch_create(kind="portfolio", creditor=creditor, uploaded_file=upload)
    import_batch_run_task.delay(batch.id)
    import_batch_run_task.delay(batch.id)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED and batch.created_count == 1
    assert Debt.history.count() == 1


def test_payments_batches_go_to_the_payments_importer(creditor, monkeypatch):
    from imports.services import payments_file as payments

    seen = []
    monkeypatch.setattr(
        payments, "payments_import_run", lambda *, batch: seen.append(batch) or batch
    )
    upload = SimpleUploadedFile("pagos.csv", b"debt_ref,amount\n")
    batch = import_batch_create(kind="payments", creditor=creditor, uploaded_file=upload)
    import_batch_run(batch_id=batch.id)
    assert [b.id for b in seen] == [batch.id]
    assert seen[0].status == ImportBatch.Status.RUNNING


def test_short_rows_and_line_breaks_in_quotes_are_read(creditor):
    short = ",".join(row().split(",")[:-2])  # no due_date, no opened_date
    multiline = row(debt_ref="OBL-2", address_line='"Calle 1\nApto 2"')
    batch = run(creditor, csv_bytes(short, multiline))
    assert batch.status == ImportBatch.Status.COMPLETED
    assert errors_of(batch) == [(2, "due_date")]
    assert Debtor.objects.get().address_line == "Calle 1\nApto 2"


@pytest.mark.parametrize("line", [2, 3])
def test_row_with_too_many_fields_refuses_the_file_naming_the_line(creditor, line):
    rows = [row(), row(debt_ref="OBL-2")]
    rows[line - 2] += ",x,y"
    batch = run(creditor, csv_bytes(*rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert "not a readable CSV" in batch.error_message
    assert f"line {line} has 28 fields but the header has 26" in batch.error_message
    assert not Debt.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "channels"),
    [
        ({"email": ""}, {"sms", "whatsapp", "voice"}),
        ({"phone": ""}, {"email"}),
        ({"email": "", "phone": ""}, set()),
    ],
    ids=["phones-no-email", "emails-no-phone", "no-contacts"],
)
def test_file_where_no_row_has_one_kind_of_contact_imports(creditor, overrides, channels):
    # Given a file in which no row has an e-mail (or no phone, or neither)
    content = csv_bytes(
        row(**overrides),
        row(debtor_ref="D2", document_number="2020", debt_ref="OBL-2", **overrides),
    )
    # When it is imported
    batch = run(creditor, content)
    # Then every row is written with the contacts it has
    assert batch.status == ImportBatch.Status.COMPLETED, batch.error_message
    assert (batch.created_count, batch.debtors_created) == (2, 2)
    for debtor in Debtor.objects.all():
        assert set(debtor.contact_points.values_list("channel", flat=True)) == channels


@pytest.mark.parametrize("multiline", [False, True], ids=["arrow-reader", "c-reader"])
def test_nul_character_in_a_value_is_a_row_error_naming_line_and_column(creditor, multiline):
    # Given a file whose second data row has a NUL byte in the name (a line break inside
    # quotes sends the file to the other CSV parser)
    address = '"Calle 1\nApto 2"' if multiline else "Calle 1"
    content = csv_bytes(
        row(address_line=address),
        row(debtor_ref="D2", debt_ref="OBL-2", full_name="Ana\x00Pérez"),
    )
    # When it is imported
    batch = run(creditor, content)
    # Then that row is reported on its line and column, and the other row is written
    assert batch.status == ImportBatch.Status.COMPLETED, batch.error_message
    error = batch.row_errors.get()
    assert (error.row, error.column) == (3, "full_name")
    assert "NUL" in error.reason and error.value == "Ana\u2400Pérez"
    assert list(Debt.objects.values_list("debt_ref", flat=True)) == ["OBL-1"]


@pytest.mark.parametrize(
    "names",
    [[f"extra_{i:06d}" for i in range(100_000)], [""] * 100_000],
    ids=["named", "unnamed"],
)
def test_header_with_100000_extra_columns_is_refused_as_too_wide(creditor, names):
    # Given a header with 100,000 extra columns (their names wider than Arrow's read block)
    header = HEADER + "," + ",".join(names)
    # When it is imported
    batch = run(creditor, csv_bytes(row() + "," * len(names), header=header))
    # Then the message says line 1 is too wide, not that the file is empty
    assert batch.status == ImportBatch.Status.FAILED
    assert "empty" not in batch.error_message
    assert "Line 1" in batch.error_message and "100026 columns" in batch.error_message
    assert not Debt.objects.exists()


def test_header_wider_than_the_read_block_but_within_the_limit_is_read(creditor):
    # Extra columns are ignored, however long their names are.
    names = [f"notes_{i:03d}_" + "x" * 20_000 for i in range(60)]
    content = csv_bytes(row() + "," * len(names), header=HEADER + "," + ",".join(names))
    batch = run(creditor, content)
    assert batch.status == ImportBatch.Status.COMPLETED, batch.error_message
    assert batch.created_count == 1


@pytest.mark.parametrize("repeat", ["email", " EMAIL "], ids=["same", "other-case"])
def test_repeated_header_column_is_refused_naming_the_column(creditor, repeat):
    # Given a header with the email column twice (the second copy holds another address)
    content = csv_bytes(row() + ",otra@example.com", header=HEADER + "," + repeat)
    # When it is imported
    batch = run(creditor, content)
    # Then the whole file is refused naming the column and both positions; nothing is written
    assert batch.status == ImportBatch.Status.FAILED
    assert "email" in batch.error_message and "5, 27" in batch.error_message
    assert not Debtor.objects.exists() and not ContactPoint.objects.exists()
