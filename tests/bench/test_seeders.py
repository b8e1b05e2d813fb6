"""The benches' seeders still fit the schema: a small build of each, in the test database.

The benches run by hand, so a migration that adds a NOT NULL column without a database default
breaks their raw INSERTs unnoticed until the next run (the ledger's `accrual_frozen` did to the
nightly's agreements). Timings belong in bench/; these only check that the books get built.
"""

import datetime

import pytest

from bench.seeding import contact_points_seed, debts_seed, payments_seed
from bench.seeding_nightly import agreements_seed, nightly_seed

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)


def test_the_nightly_benchs_books_are_built():
    counts = nightly_seed(60, as_of=AS_OF)
    counts.update(agreements_seed(as_of=AS_OF, every=5))

    assert counts["debt"] == 60
    assert counts["paymentagreement"] > 0
    assert counts["instalment"] == 4 * counts["paymentagreement"]
    assert counts["promisetopay"] > 0


def test_the_cycle_benchs_books_are_built():
    debts_seed(30, as_of=AS_OF, debts_per_debtor=3, country_mix=True)

    assert contact_points_seed() > 0
    assert payments_seed(as_of=AS_OF, share=0.5) > 0
