"""The value objects of the compliance interface (fixed in CONTRACTS.md; only additive changes)."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    debtor_id: int
    creditor_id: int
    country: str  # ISO alpha-2 of the debtor (CO, MX, US, ...)
    region: str  # US state code / region, "" if unknown
    timezone: str  # IANA name of the debtor
    channel: str  # portfolio.models.Channel value: email, sms, whatsapp, letter, voice
    at: datetime.datetime  # aware: when the contact would happen
    stage: str  # highest stage among the debts it covers
    purpose: str  # "collection" | "agreement" | "dispute" | "transactional"
    consented: bool  # the debtor consents to this channel right now
    holds: frozenset[str]  # collections_app Hold.Kind values in force for the debtor/debts
    has_active_agreement: bool = False
    content: str | None = None  # rendered text (None at planning time): required-content checks
    creditor_name: str = ""  # MX-IDENT / ALL-IDENT: the creditor's name must appear in content
    # US-TIMEBARRED: a debt it covers is past its state's limitation period (portfolio.limitations)
    time_barred: bool = False


@dataclass(frozen=True)
class PastContact:
    debtor_id: int
    channel: str
    at: datetime.datetime  # aware
    kind: str = "message"  # "message" | "call_attempt" | "conversation"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str | None = None  # the rule id that stopped it, e.g. "CO-WINDOW", "US-CALLS"
    reason: str = ""  # translatable human text (already translated to the active language)
    # The same reason as a code and params (core.reasons.Reason), for records that show it
    # later in their viewer's language; None when the refusal has no code.
    coded: object = None

    def __bool__(self) -> bool:  # `if decision:` reads as "if allowed"
        return self.allowed


ALLOWED = Decision(True)
