"""Payments files name a debt by its reference or by the portal's payment reference (CT...)."""

import re

import numpy as np

from portfolio.models import PaymentReference

PATTERN = re.compile(r"^CT\d{11}$")


def debt_refs_from_payment_references(*, creditor_id: int, values: np.ndarray) -> np.ndarray:
    """The same column with every known payment reference replaced by its debt's reference.

    One query for the whole file (set-based); values that are not payment references, or are
    another creditor's, are left as they are (the import then reports them as unknown).
    """
    candidates = {v for v in np.unique(values) if isinstance(v, str) and PATTERN.match(v)}
    if not candidates:
        return values
    mapping = dict(
        PaymentReference.objects.filter(
            reference__in=candidates, debt__creditor_id=creditor_id
        ).values_list("reference", "debt__debt_ref")
    )
    if not mapping:
        return values
    return np.array([mapping.get(v, v) for v in values.tolist()], dtype=object)
