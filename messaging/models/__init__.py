"""Messaging models, one module per sub-domain."""

from messaging.models.actions import ContactAction  # noqa: F401
from messaging.models.compliance import ComplianceOverride  # noqa: F401
from messaging.models.inbound import (  # noqa: F401
    InboundChannel,
    InboundMessage,
    InboundStatus,
    MatchStatus,
)
from messaging.models.outbox import (  # noqa: F401
    DeliveryEvent,
    LetterPrintBatch,
    Message,
    MessageDebt,
    SandboxDelivery,
)
from messaging.models.proofs import LetterProof  # noqa: F401
from messaging.models.templates import (  # noqa: F401
    ApprovalStatus,
    MessageTemplate,
    MessageTemplateVersion,
    TemplateApprovalChange,
)
