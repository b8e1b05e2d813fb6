"""The dispute legend ("reclamo en trámite"): recorded on the complaint when a submitted run
carried it (CO: within 2 business days of the claim, Complaint.legend_due_on)."""

from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent

DISPUTE_KINDS = ("dispute", "bureau_claim")


def legend_pending(queryset=None):
    """Complaints flagged for the bureau whose legend no submitted run has carried yet."""
    queryset = Complaint.objects.all() if queryset is None else queryset
    return (
        queryset.filter(bureau_flag=True, legend_due_on__isnull=False, debt__isnull=False)
        .exclude(status="closed")
        .exclude(events__kind=ComplaintEvent.Kind.LEGEND)
    )


def legends_record(*, run, user) -> int:
    """A legend step on each pending complaint whose debt this run carried with XB."""
    debt_ids = run.lines.filter(compliance_code="XB").values("debt_id")
    pending = list(legend_pending().filter(debt_id__in=debt_ids).values_list("pk", flat=True))
    now = timezone.now()
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(
            complaint_id=pk,
            kind=ComplaintEvent.Kind.LEGEND,
            actor=user,
            occurred_at=now,
            params={
                "run_id": run.pk,
                "bureau": run.bureau,
                "cut_off": run.cut_off.isoformat(),
                "compliance_code": "XB",
            },
        )
        for pk in pending
    )
    return len(pending)
