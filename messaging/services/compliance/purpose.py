"""The purpose of a message from its template code (CONTRACTS.md)."""

AGREEMENT_PREFIXES = ("agreement_", "instalment_", "missed_instalment")
TRANSACTIONAL = frozenset({"payment_thanks"})
VALIDATION_TEMPLATE = "validation_notice"  # Reg F 1006.34: purpose "validation" (US-VALIDATION)


def purpose_for_template(code: str) -> str:
    """ "agreement" | "transactional" | "validation" | "collection" (dispute messages are
    chosen by the caller)."""
    code = code or ""
    if code.startswith(AGREEMENT_PREFIXES):
        return "agreement"
    if code == VALIDATION_TEMPLATE:
        return "validation"
    if code in TRANSACTIONAL:
        return "transactional"
    return "collection"
