"""An import's row errors read in the viewer's language, whatever language ran the import."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from imports.models import ImportBatch
from imports.services.payments_file import payments_import_run
from imports.services.portfolio_file import import_batch_create, import_batch_run
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "portfolio-sample.csv"
NEGATIVE = {"en": "Must not be negative.", "es": "No puede ser negativo."}
UNKNOWN_CURRENCY = {
    "en": "Unknown currency (use an ISO 4217 code).",
    "es": "Moneda desconocida (use un código ISO 4217).",
}
REPEATED = {
    "en": "Reference repeated in this file (line 2) with different data.",
    "es": "Referencia repetida en este archivo (línea 2) con datos diferentes.",
}
OTHER = {"en": "es", "es": "en"}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(("written_in", "read_in"), [("es", "en"), ("en", "es")])
def test_the_import_page_and_errors_csv_show_row_errors_in_the_viewers_language(
    client, manager, creditor, django_capture_on_commit_callbacks, written_in, read_in
):
    # Given a portfolio file imported while the worker ran in one language
    client.force_login(manager)
    upload = SimpleUploadedFile("sample.csv", SAMPLE.read_bytes(), content_type="text/csv")
    with translation.override(written_in), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:import-create"),
            {"kind": "portfolio", "file": upload, "creditor": creditor.code},
            HTTP_ACCEPT_LANGUAGE=written_in,
        )
    batch = ImportBatch.objects.get()
    error = batch.row_errors.get(row=8, column="principal")
    assert (error.reason_code, error.reason) == ("import.negative", NEGATIVE[written_in])
    # When a manager reads its page and downloads its errors in the other language
    page = client.get(
        reverse("imports:import-detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE=read_in
    )
    download = client.get(
        reverse("imports:import-errors-csv", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE=read_in
    )
    # Then both give the reason in the reader's language
    html = page.content.decode()
    assert NEGATIVE[read_in] in html and NEGATIVE[written_in] not in html
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(text))}
    assert rows[("8", "principal")] == NEGATIVE[read_in]


def _payments_batch(tmp_path, creditor, lines, language):
    path = tmp_path / "pagos.csv"
    header = "debt_ref,amount,currency,paid_at,method,reference"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    with translation.override(language):
        batch = import_batch_create(kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path)
        return payments_import_run(batch=batch)


@pytest.mark.parametrize(("written_in", "read_in"), [("es", "en"), ("en", "es")])
def test_payment_row_errors_keep_their_code_and_params(tmp_path, creditor, written_in, read_in):
    # Given a payments file with money for no known debt in no known currency, and its
    # reference repeated with other data, run in one language (an unknown debt or a closed
    # one alone is no error: the money is held in suspense)
    batch = _payments_batch(
        tmp_path,
        creditor,
        [
            "OBL-NOPE,10.00,XYZ,2026-11-02T09:00:00Z,pse,E-2",
            "OBL-OTRA,10.00,COP,2026-11-02T09:00:00Z,pse,E-2",
        ],
        written_in,
    )
    currency, repeated = batch.row_errors.order_by("row")
    assert (currency.reason_code, repeated.reason_code, repeated.reason_params) == (
        "import.currency",
        "import.reference_repeated",
        {"line": 2},
    )
    # Then each reads in the reader's language, with its parameters
    with translation.override(read_in):
        assert currency.reason_display == UNKNOWN_CURRENCY[read_in]
        assert repeated.reason_display == REPEATED[read_in]


def test_a_file_with_many_errors_stores_their_codes_too(tmp_path, creditor):
    # Given more errors than the row-by-row insert takes (the set-based path), run in Spanish
    lines = [f"OBL-NOPE-{i},10.00,XYZ,2026-11-02T09:00:00Z,pse,E-{i}" for i in range(1001)]
    batch = _payments_batch(tmp_path, creditor, lines, "es")
    # Then every one has its code and reads in English for an English reader
    assert batch.row_errors.count() == 1001
    assert set(batch.row_errors.values_list("reason_code", flat=True)) == {"import.currency"}
    with translation.override("en"):
        assert batch.row_errors.first().reason_display == UNKNOWN_CURRENCY["en"]


LEDGER_REFUSALS = {
    # The payments ledger's own checks, reused by the file: codes from portfolio.reasons.
    "en": {
        2: "Amount must be greater than zero.",
        3: "Payment time cannot be in the future.",
        4: "Unknown payment method: bitcoin.",
        5: "Currency USD does not match the debt's currency COP.",
    },
    "es": {
        2: "El monto debe ser mayor que cero.",
        3: "La hora del pago no puede estar en el futuro.",
        4: "Medio de pago desconocido: bitcoin.",
        5: "La moneda USD no coincide con la moneda de la deuda, COP.",
    },
}


@pytest.mark.parametrize(("written_in", "read_in"), [("es", "en"), ("en", "es")])
def test_the_ledgers_refusals_in_a_payments_file_read_in_the_readers_language(
    tmp_path, creditor, written_in, read_in
):
    # Given a file whose rows the ledger's checks refuse, run in one language
    DebtFactory(
        creditor=creditor,
        debt_ref="OBL-1",
        principal=Decimal("100.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
        currency="COP",
        stage="friendly_reminder",
    )
    batch = _payments_batch(
        tmp_path,
        creditor,
        [
            "OBL-1,0,COP,2026-11-02T09:00:00Z,pse,E-2",
            "OBL-1,1.00,COP,2999-01-01T09:00:00Z,pse,E-3",
            "OBL-1,1.00,COP,2026-11-02T09:00:00Z,bitcoin,E-4",
            "OBL-1,1.00,USD,2026-11-02T09:00:00Z,pse,E-5",
        ],
        written_in,
    )
    rows = {e.row: e for e in batch.row_errors.all()}
    # Then each is stored as a code with its parameters, not as the writer's sentence
    assert {row: e.reason_code for row, e in rows.items()} == {
        2: "payment.amount_not_positive",
        3: "payment.paid_at_future",
        4: "payment.method_unknown",
        5: "payment.currency_mismatch",
    }
    # And reads in the reader's language, amounts with their currency
    with translation.override(read_in):
        for row, text in LEDGER_REFUSALS[read_in].items():
            assert text in rows[row].reason_display, row
            assert LEDGER_REFUSALS[written_in][row] not in rows[row].reason_display


MISSING = {
    "en": "Required columns are missing: paid_at, method, reference.",
    "es": "Faltan columnas obligatorias: paid_at, method, reference.",
}
PORTFOLIO_MISSING = {
    "en": "Required columns are missing: debtor_ref, document_type",
    "es": "Faltan columnas obligatorias: debtor_ref, document_type",
}
STRICT = {
    "en": "Strict mode: nothing was written because some rows are invalid.",
    "es": "Modo estricto: no se escribió nada porque algunas filas no son válidas.",
}


@pytest.mark.parametrize(("written_in", "read_in"), [("es", "en"), ("en", "es")])
def test_why_a_file_failed_reads_in_the_viewers_language(
    tmp_path, client, manager, creditor, written_in, read_in
):
    # Given a payments file without three columns, and a strict one with a bad row, run in
    # one language
    path = tmp_path / "short.csv"
    path.write_text("debt_ref,amount,currency\nOBL-1,1.00,COP\n", encoding="utf-8")
    with translation.override(written_in):
        short = payments_import_run(
            batch=import_batch_create(kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path)
        )
    path = tmp_path / "strict.csv"
    path.write_text(
        "debt_ref,amount,currency,paid_at,method,reference\nOBL-NOPE,1.00,XYZ,2026-11-02,pse,S-1\n",
        encoding="utf-8",
    )
    with translation.override(written_in):
        strict = payments_import_run(
            batch=import_batch_create(
                kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path, strict=True
            )
        )
    path = tmp_path / "cartera.csv"
    path.write_text("debt_ref,principal\nOBL-1,10.00\n", encoding="utf-8")
    with translation.override(written_in):
        portfolio = import_batch_create(
            kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, path=path
        )
        portfolio = import_batch_run(batch_id=portfolio.pk)
    # Then the batches keep codes
    assert (short.error_code, short.error_params) == (
        "import.columns_missing",
        {"columns": "paid_at, method, reference"},
    )
    assert short.row_errors.get().reason_code == "import.columns_missing"
    assert strict.error_code == "import.strict_payments"
    assert portfolio.error_code == "import.columns_missing"
    # And the import's page and the API give each in the reader's language
    client.force_login(manager)
    for batch, texts in ((short, MISSING), (strict, STRICT)):
        page = client.get(
            reverse("imports:import-detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE=read_in
        ).content.decode()
        assert texts[read_in] in page and texts[written_in] not in page
    api = client.get(
        reverse("portfolio-import-detail", args=[portfolio.pk]), HTTP_ACCEPT_LANGUAGE=read_in
    ).json()
    assert api["error_message"].startswith(PORTFOLIO_MISSING[read_in])
    assert api["error_code"] == "import.columns_missing"
