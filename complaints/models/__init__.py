from complaints.models.complaint import (
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintKind,
    ComplaintStatus,
    RootCause,
)

__all__ = [
    "Complaint",
    "ComplaintAttachment",
    "ComplaintEvent",
    "ComplaintKind",
    "ComplaintStatus",
    "RootCause",
]
