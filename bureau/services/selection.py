"""Which debts a run carries and with which action (report, delete, withdraw); set-based.

* report: every debt eligible for a negative report at the cut-off (bureau.selectors
  .eligibility), and every debt the latest submitted run reported, with its update (paid,
  settled, agreement, written off: a paid debt stops showing as late). A closed debt whose
  closed status a submitted run already carried is not sent again.
* delete: a reported debt whose negative data passed its permanence (remove_after).
* withdraw: a reported debt that run reported without the required notice (the ledger as of
  that run's cut-off): withdrawn at once.
"""

import datetime

import pandas as pd

from bureau.models import BUREAU_COUNTRY, ReportAction
from bureau.selectors.eligibility import eligibility_frame
from bureau.selectors.withdrawals import latest_lines, withdrawals_in
from portfolio.models import CLOSED_STAGES


def previous_cut_off(latest: pd.DataFrame) -> datetime.date | None:
    """The cut-off of the latest submitted run among `latest` (None for a first run)."""
    return latest["cut_off"].max() if not latest.empty else None


def run_selection(
    *, creditor, bureau: str, cut_off: datetime.date, withdrawals_only: bool = False
) -> pd.DataFrame:
    """The debts of a run: debt_id, action, prev_history, prev_dofd, reason_code; attrs
    prev_cut_off (the latest submitted run's cut-off, None for a first run)."""
    latest = latest_lines(creditor_id=creditor.pk, bureau=bureau, before=cut_off)
    prev_cut_off = previous_cut_off(latest)
    reported = latest[latest["action"] == ReportAction.REPORT]
    withdraw = set(withdrawals_in(reported)["debt_id"]) if not reported.empty else set()
    rows: dict[int, dict] = {}
    closed = {str(s) for s in CLOSED_STAGES}
    for line in reported.itertuples(index=False):
        if line.debt_id in withdraw:
            action = ReportAction.WITHDRAW
        elif withdrawals_only:
            continue
        elif line.remove_after is not None and line.remove_after < cut_off:
            action = ReportAction.DELETE
        elif line.closed_on is not None and line.stage in closed:
            continue  # its closed status already went; nothing changes any more
        else:
            action = ReportAction.REPORT
        rows[int(line.debt_id)] = {
            "debt_id": int(line.debt_id),
            "action": str(action),
            "prev_history": line.payment_history or "",
            "prev_dofd": line.first_delinquency_on,
            "reason_code": "",
        }
    if not withdrawals_only:
        frame = eligibility_frame(
            creditor_id=creditor.pk, cut_off=cut_off, country=BUREAU_COUNTRY.get(bureau)
        )
        # Deleted for permanence: never reported again (whatever the notices say).
        deleted = set(latest.loc[latest["action"] == ReportAction.DELETE, "debt_id"])
        for debt_id in frame.loc[frame["eligible"].astype(bool), "debt_id"]:
            if debt_id in deleted:
                continue
            rows.setdefault(
                int(debt_id),
                {
                    "debt_id": int(debt_id),
                    "action": str(ReportAction.REPORT),
                    "prev_history": "",
                    "prev_dofd": None,
                    "reason_code": "",
                },
            )
    selection = pd.DataFrame(
        list(rows.values()),
        columns=["debt_id", "action", "prev_history", "prev_dofd", "reason_code"],
    ).sort_values("debt_id", ignore_index=True)
    selection.attrs["prev_cut_off"] = prev_cut_off
    return selection
