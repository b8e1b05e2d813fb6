"""Which notices go by certified mail and count only with their proof of receipt: data.

A letter whose (debtor's country, template) a rule below names is sent through the certified
mail provider (messaging.channels.certified) and is **not a notice until its proof is
recorded** (messaging.models.LetterProof: the provider's receipt event or the post's
acuse de recibo uploaded by staff); its date as a notice is the day of receipt on the proof.
Other channels (an e-mail) and other letters count as they always have, once sent.

The same rule is offered as Python (`certified_required`) and as SQL (`certified_sql`,
`notice_on_sql`) so the set-based readers (the bureau ledger and eligibility, the cycle's
bureau notice step) and the sender agree. Sources and what was not verified:
docs/compliance.md, "Certified notices".
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from messaging.services.compliance.bureau import BUREAU_NOTICE_TEMPLATES

LETTER = "letter"
DEFAULT = "*"


@dataclass(frozen=True)
class CertifiedRule:
    code: str
    country: str  # ISO 3166-1 alpha-2, or "*" for every country without a rule of its own
    templates: tuple[str, ...]
    source: str
    # False where the source's exact words on the kind of proof were not checked against the
    # official text: Cartera then takes the stricter reading (proof of receipt, not of mailing).
    verified: bool
    label: object = ""
    note: object = ""


CERTIFIED_RULES = (
    CertifiedRule(
        "CO-CERTIFIED-BUREAU",
        "CO",
        BUREAU_NOTICE_TEMPLATES,
        source=(
            "Ley 1266 de 2008 art. 12 (modificada por la Ley 2157 de 2021); Decreto 1074 de "
            "2015 art. 2.2.2.28.2 (antes Decreto 2952 de 2010 art. 2)"
        ),
        verified=False,
        label=_("Credit bureau prior notice by letter (the pre-legal notice carries it)"),
        note=_(
            "The source of the data must be able to prove the prior notice reached the "
            "debtor's last known address; Cartera asks for the post's proof of receipt. Not "
            "verified: whether proof of mailing alone would suffice."
        ),
    ),
    CertifiedRule(
        "MX-CERTIFIED-PRELEGAL",
        "MX",
        BUREAU_NOTICE_TEMPLATES,
        source=(
            "Código Civil Federal art. 2080 (interpelación extrajudicial); CONDUSEF, "
            "disposiciones en materia de despachos de cobranza (DOF 2014-10-07)"
        ),
        verified=False,
        label=_("Pre-legal notice and credit bureau notice by letter"),
        note=_(
            "A written demand before legal action is worth its proof of receipt. Not "
            "verified: the Código Civil names a notary or two witnesses for the extrajudicial "
            "demand; a certified-mail receipt is Cartera's conservative minimum."
        ),
    ),
    CertifiedRule(
        "DEFAULT-CERTIFIED-BUREAU",
        DEFAULT,
        BUREAU_NOTICE_TEMPLATES,
        source="As CO-CERTIFIED-BUREAU (the conservative default, like DEFAULT-BUREAU)",
        verified=False,
        label=_("Credit bureau prior notice by letter, any other country"),
        note=_("Re-check local law before launching there."),
    ),
)
# Countries whose law was read and asks for no certified notice: the US validation notice
# (Reg F 12 CFR 1006.34, 1006.42) and the furnishing notice (1006.30(a)(1)(ii); FCRA
# 623(a)(7)) may go by first-class mail; Reg F assumes receipt 5 business days after mailing.
NO_CERTIFIED_COUNTRIES = ("US",)

_BY_COUNTRY = {rule.country: rule for rule in CERTIFIED_RULES}
_KNOWN = tuple(sorted({*(r.country for r in CERTIFIED_RULES if r.country != DEFAULT),
                       *NO_CERTIFIED_COUNTRIES}))  # fmt: skip


def certified_rule(*, country: str, template: str, channel: str) -> CertifiedRule | None:
    """The rule that makes this letter certified with proof, or None."""
    if channel != LETTER:
        return None
    country = (country or "").upper()
    rule = _BY_COUNTRY.get(country) if country in _KNOWN else _BY_COUNTRY.get(DEFAULT)
    if rule is not None and template in rule.templates:
        return rule
    return None


def certified_required(*, country: str, template: str, channel: str) -> bool:
    """Whether a message goes by certified mail and counts only with its proof of receipt."""
    return certified_rule(country=country, template=template, channel=channel) is not None


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)  # code constants, never user input


def certified_sql(*, message: str = "m", debtor: str = "p") -> str:
    """SQL boolean: message `message` (to debtor `debtor`) is a certified letter (the rules)."""
    pairs = [
        f"('{rule.country}', '{template}')"
        for rule in CERTIFIED_RULES
        if rule.country != DEFAULT
        for template in rule.templates
    ]
    default = _BY_COUNTRY.get(DEFAULT)
    parts = []
    if pairs:
        parts.append(f"({debtor}.country, {message}.template) IN ({', '.join(pairs)})")
    if default is not None:
        parts.append(
            f"({debtor}.country NOT IN ({_quoted(_KNOWN)}) "
            f"AND {message}.template IN ({_quoted(default.templates)}))"
        )
    if not parts:
        return "FALSE"
    return f"({message}.channel = '{LETTER}' AND ({' OR '.join(parts)}))"


def notice_on_sql(*, message: str = "m", debtor: str = "p", proof: str = "lp") -> str:
    """SQL date: the day a sent notice counts from (NULL when it does not count yet): the day
    of receipt on its proof for a certified letter, else the day it left where the debtor
    lives. `proof` is a LEFT JOIN of messaging_letterproof on the message."""
    return (
        f"(CASE WHEN {certified_sql(message=message, debtor=debtor)} "
        f"THEN {proof}.received_on "
        f"ELSE (timezone({debtor}.timezone, {message}.sent_at))::date END)"
    )


def certified_q(*, prefix: str = ""):
    """The certified letters (the rules) as a Q over Message (`prefix` to reach a Message)."""
    from django.db.models import Q

    default = _BY_COUNTRY.get(DEFAULT)
    match = Q(pk__in=[])
    for rule in CERTIFIED_RULES:
        if rule.country != DEFAULT:
            match |= Q(**{f"{prefix}debtor__country": rule.country,
                          f"{prefix}template__in": rule.templates})  # fmt: skip
    if default is not None:
        match |= Q(**{f"{prefix}template__in": default.templates}) & ~Q(
            **{f"{prefix}debtor__country__in": _KNOWN}
        )
    return Q(**{f"{prefix}channel": LETTER}) & match
