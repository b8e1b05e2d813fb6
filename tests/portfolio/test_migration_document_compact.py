"""Existing debtors' documents are compacted in place; two that become one are reported."""

import pytest
from django.db import IntegrityError, transaction

BEFORE = [("portfolio", "0016_debtor_data_access")]
AFTER = [("portfolio", "0017_debtor_document_compact")]


def test_documents_are_compacted_and_collisions_reported(schema_migrator, capsys):
    # Given debtors imported before, with their documents' separators kept
    old = schema_migrator.migrate(BEFORE).apps
    creditor = old.get_model("portfolio", "Creditor").objects.create(code="mig", name="Migra")
    other = old.get_model("portfolio", "Creditor").objects.create(code="mig2", name="Otra")
    Debtor = old.get_model("portfolio", "Debtor")

    def debtor(ref, kind, number, owner=creditor):
        return Debtor.objects.create(
            creditor=owner, debtor_ref=ref, document_type=kind, document_number=number,
            full_name=ref, country="US", timezone="America/New_York",
        ).pk  # fmt: skip

    ssn = debtor("S1", "SSN", "123-45-6789")
    twin = debtor("S2", "SSN", "123456789")  # the same person under another reference
    nit = debtor("N1", "NIT", "900.123.456-8")
    curp = debtor("C1", "CURP", "bada800101hdfrrn09")
    plain = debtor("P1", "CC", "1020304050")
    elsewhere = debtor("S3", "SSN", "123 45 6789", owner=other)  # another creditor's

    # When the migration runs
    new = schema_migrator.migrate(AFTER).apps
    report = capsys.readouterr().out

    # Then every document is compact and nothing else changed
    stored = dict(new.get_model("portfolio", "Debtor").objects.values_list("pk", "document_number"))
    assert stored == {
        ssn: "123456789",
        twin: "123456789",
        nit: "9001234568",
        curp: "BADA800101HDFRRN09",
        plain: "1020304050",
        elsewhere: "123456789",
    }
    # The two debtors of one creditor now sharing a document are reported (masked), not merged
    assert "Compacted 4 debtor document number(s)" in report
    assert f"ids {ssn}, {twin}" in report and "(debtor_ref S1, S2)" in report
    assert "123456789" not in report and "•••••6789" in report
    assert report.count("Review:") == 1  # another creditor's debtor is not this one's twin

    # And a document with separators can no longer be stored
    with pytest.raises(IntegrityError), transaction.atomic():
        new.get_model("portfolio", "Debtor").objects.filter(pk=plain).update(
            document_number="1.020.304.050"
        )
