"""Debtors' documents stored compact ("123-45-6789" -> "123456789"), then kept so.

The portal compares what a debtor types, compacted, with the stored number: US SSN/ITIN and
Colombian NIT holders, imported with their dashes, could never get in (issue #16). Rows are
read and written set-based: only the numbers that are not already compact are read, each is
compacted by the one normaliser the product uses (core.documents.document_normalise), and
they are written back with one UPDATE ... FROM (VALUES ...) per batch.

Two debtors of one creditor may now show the same document (say "123-45-6789" and
"123456789" under different debtor references). Nothing enforces one debtor per document, so
nothing breaks: the migration reports them (document masked) for someone to review.
"""

from django.db import migrations, models

from core.documents import document_normalise

BATCH = 5_000


def _masked(number: str) -> str:
    return "•" * max(0, len(number) - 4) + number[-4:]


def compact_documents(apps, schema_editor):
    Debtor = apps.get_model("portfolio", "Debtor")
    table = schema_editor.quote_name(Debtor._meta.db_table)
    changed_ids: list[int] = []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, document_type, document_number FROM {table} "
            "WHERE document_number !~ '^[0-9A-Z]*$' ORDER BY id"
        )
        rows = [
            (pk, compact)
            for pk, kind, number in cursor.fetchall()
            if (compact := document_normalise(kind, number)) != number
        ]
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} AS d SET document_number = v.number "
                f"FROM (VALUES {values}) AS v(id, number) WHERE d.id = v.id",
                [item for pair in batch for item in pair],
            )
            changed_ids.extend(pk for pk, _compact in batch)
        if not changed_ids:
            return
        cursor.execute(
            f"""
            SELECT d.creditor_id, d.document_type, d.document_number,
                   array_agg(d.id ORDER BY d.id), array_agg(d.debtor_ref ORDER BY d.id)
            FROM {table} d
            JOIN (SELECT DISTINCT creditor_id, document_type, document_number
                  FROM {table} WHERE id = ANY(%s)) c
              USING (creditor_id, document_type, document_number)
            GROUP BY d.creditor_id, d.document_type, d.document_number
            HAVING count(*) > 1
            ORDER BY d.creditor_id, d.document_type, d.document_number
            """,
            [changed_ids],
        )
        collisions = cursor.fetchall()
    print(f"\n  Compacted {len(changed_ids)} debtor document number(s).")
    for creditor_id, kind, number, ids, refs in collisions:
        print(
            f"  Review: creditor {creditor_id} has {len(ids)} debtors with {kind} "
            f"{_masked(number)} once compacted: ids {', '.join(map(str, ids))} "
            f"(debtor_ref {', '.join(refs)})."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0016_debtor_data_access"),
    ]

    operations = [
        migrations.RunPython(compact_documents, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="debtor",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("document_number__regex", "[-[:space:].,/_a-z]"), _negated=True
                ),
                name="debtor_document_compact",
                violation_error_message=(
                    "Store the document number without spaces, dots or dashes, in upper case."
                ),
            ),
        ),
    ]
