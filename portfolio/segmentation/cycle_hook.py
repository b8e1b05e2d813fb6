"""What the daily cycle asks segmentation: each open debt's segment code."""

import pandas as pd
from django.db import connection

from portfolio.models import OPEN_STAGES


def segment_codes_for(debt_ids: pd.Series) -> pd.Series:
    """The segment code of each debt id ("" when not segmented yet), aligned to `debt_ids`."""
    if debt_ids.empty:
        return pd.Series([], index=debt_ids.index, dtype=object)
    stages = ", ".join(["%s"] * len(OPEN_STAGES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.id, s.code FROM portfolio_debt d
              JOIN portfolio_segmentdefinition s ON s.id = d.segment_id
             WHERE d.stage IN ({stages})
            """,
            [str(s) for s in OPEN_STAGES],
        )
        codes = dict(cursor.fetchall())
    return pd.Series(debt_ids.map(codes), index=debt_ids.index, dtype=object).fillna("")
