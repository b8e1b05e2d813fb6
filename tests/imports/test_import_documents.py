"""Portfolio files: documents are stored compact, whatever separators the file uses."""

import pandas as pd
import pytest

from core.documents import document_normalise
from imports.models import ImportBatch
from imports.services.portfolio_file.reading import _documents
from portfolio.models import Debtor
from tests.imports.test_import_service import _media_root, csv_bytes, errors_of, row, run  # noqa: F401

pytestmark = pytest.mark.django_db

ROWS = [
    ("D1", "SSN", "123-45-6789", "US", "+12125550101"),
    ("D2", "ITIN", "912-70-1234", "US", "+12125550102"),
    ("D3", "NIT", "900.123.456-8", "CO", "+573001234567"),
    ("D4", "CC", "1.020.304.050", "CO", "+573001234568"),
    ("D5", "CURP", "bada800101hdfrrn09", "MX", "+525512345678"),
]


def _file(rows=ROWS) -> bytes:
    return csv_bytes(
        *[
            row(
                debtor_ref=ref,
                document_type=kind,
                document_number=number,
                country=country,
                phone=phone,
                debt_ref=f"OBL-{ref}",
                currency="USD" if country == "US" else "COP",
            )  # fmt: skip
            for ref, kind, number, country, phone in rows
        ]
    )


def test_documents_with_separators_are_stored_compact(creditor):
    # When a file gives documents as people write them
    batch = run(creditor, _file())

    # Then each is stored compact, as the portal will compare it
    assert batch.status == ImportBatch.Status.COMPLETED and not errors_of(batch)
    stored = dict(Debtor.objects.values_list("debtor_ref", "document_number"))
    assert stored == {
        "D1": "123456789",
        "D2": "912701234",
        "D3": "9001234568",
        "D4": "1020304050",
        "D5": "BADA800101HDFRRN09",
    }


def test_the_same_documents_with_or_without_separators_change_nothing(creditor):
    run(creditor, _file())
    history = Debtor.history.count()
    stamps = list(Debtor.objects.order_by("id").values_list("updated_at", flat=True))
    compact = [(ref, kind, document_normalise(kind, n), c, p) for ref, kind, n, c, p in ROWS]

    again = run(creditor, _file())
    plain = run(creditor, _file(compact))

    assert again.unchanged_count == plain.unchanged_count == len(ROWS)
    assert Debtor.history.count() == history
    assert list(Debtor.objects.order_by("id").values_list("updated_at", flat=True)) == stamps


def test_a_document_made_only_of_separators_is_reported_missing(creditor):
    batch = run(creditor, csv_bytes(row(document_number=" - . - ")))

    assert errors_of(batch) == [(2, "document_number")]
    assert not Debtor.objects.exists()


def test_the_file_path_compacts_exactly_as_the_one_normaliser_does():
    # Compact numbers take a fast path; the rest go through document_normalise once each.
    frame = pd.DataFrame(
        {
            "document_type": ["CC", "SSN", "SSN", "RFC", "NIT", "CC", "CURP"],
            "document_number": [
                "1020304050", "123-45-6789", "123-45-6789", "ñoñ&800101ab1", "900.123.456-8",
                "", "BADA800101HDFRRN09",
            ],
        }
    )  # fmt: skip
    expected = [document_normalise(k, n) for k, n in frame.itertuples(index=False)]

    assert _documents(frame).tolist() == expected
