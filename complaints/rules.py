"""How long each jurisdiction gives to answer each kind of complaint: data, like the contact rules.

Every term is counted from the day after receipt, in the country's business days (weekends and
the same `holidays` calendars the contact rules use) or in calendar days. An extension, where the
law allows one, is counted from the same start and must be told to the requester before the
original term ends. Sources and notes: docs/complaints.md.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

BUSINESS = "business"
CALENDAR = "calendar"


@dataclass(frozen=True)
class Term:
    code: str
    country: str  # "*" for the default
    kinds: tuple[str, ...]  # complaint kinds it covers ("*" for any)
    unit: str
    days: int
    extension_days: int = 0  # 0: the term cannot be extended
    regulators: tuple[str, ...] = ()  # when set, only complaints from these regulators
    legend_days: int = 0  # days to send the "reclamo en trámite" legend to the bureau
    restarts_on_information: bool = False  # the term starts again when asked-for data arrives
    source: str = ""
    label: object = ""
    note: object = ""
    extra: dict = field(default_factory=dict)


ANY = ("*",)
GENERAL_KINDS = ("petition", "complaint", "claim", "dispute", "original_creditor", "regulator")

TERMS = (
    # Colombia
    Term(
        "CO-DCF",
        "CO",
        ANY,
        BUSINESS,
        8,
        regulators=("dcf",),
        source=(
            "Decreto 2555 de 2010 (régimen del Defensor del Consumidor Financiero); "
            "Circular Básica Jurídica SFC"
        ),
        label=_("Information request from the Defensor del Consumidor Financiero"),
    ),
    Term(
        "CO-1266-QUERY",
        "CO",
        ("bureau_query",),
        BUSINESS,
        10,
        extension_days=5,
        source="Ley 1266 de 2008 art. 16 (I), modificada por la Ley 2157 de 2021",
        label=_("Query about credit bureau data"),
    ),
    Term(
        "CO-1266-CLAIM",
        "CO",
        ("bureau_claim",),
        BUSINESS,
        15,
        extension_days=8,
        legend_days=2,
        source="Ley 1266 de 2008 art. 16 (II), modificada por la Ley 2157 de 2021",
        label=_("Claim about credit bureau data"),
        note=_('The legend "reclamo en trámite" goes to the bureau within 2 business days.'),
    ),
    Term(
        "CO-1755-DOCUMENTS",
        "CO",
        ("documents",),
        BUSINESS,
        10,
        extension_days=10,
        restarts_on_information=True,
        source="Ley 1755 de 2015 art. 14 num. 1 y parágrafo; art. 17",
        label=_("Request for documents or information"),
    ),
    Term(
        "CO-1755-QUERY",
        "CO",
        ("query",),
        BUSINESS,
        30,
        extension_days=30,
        restarts_on_information=True,
        source="Ley 1755 de 2015 art. 14 num. 2 y parágrafo; art. 17",
        label=_("Consultation"),
    ),
    Term(
        "CO-1755-GENERAL",
        "CO",
        ANY,
        BUSINESS,
        15,
        extension_days=15,
        restarts_on_information=True,
        source="Ley 1755 de 2015 art. 14 y parágrafo; art. 17",
        label=_("Petition, complaint or claim"),
        note=_("An extension may not exceed twice the original term."),
    ),
    # Mexico
    Term(
        "MX-REDECO",
        "MX",
        ANY,
        BUSINESS,
        10,
        regulators=("redeco",),
        source="CONDUSEF, Disposiciones en materia de despachos de cobranza; REDECO",
        label=_("Complaint filed in CONDUSEF's REDECO (answered through REDECO)"),
        note=_("Cartera's term for REDECO answers; check it against CONDUSEF's current rules."),
    ),
    Term(
        "MX-UNE",
        "MX",
        ANY,
        BUSINESS,
        30,
        source="Ley de Protección y Defensa al Usuario de Servicios Financieros art. 50 Bis",
        label=_("Complaint to the institution's Unidad Especializada"),
    ),
    # United States
    Term(
        "US-CFPB",
        "US",
        ANY,
        CALENDAR,
        15,
        extension_days=45,
        regulators=("cfpb",),
        source="CFPB company portal: response within 15 days, final within 60",
        label=_("CFPB complaint"),
        note=_("Marked in progress within 15 days, the final answer is due within 60."),
    ),
    Term(
        "US-VERIFICATION",
        "US",
        ("dispute", "original_creditor"),
        CALENDAR,
        30,
        source="FDCPA 15 USC 1692g(b); Reg F 12 CFR 1006.34 (Cartera's term)",
        label=_("Verification of a disputed debt"),
        note=_("Collection of the debt stays stopped until the verification is sent."),
    ),
    Term(
        "US-GENERAL",
        "US",
        ANY,
        CALENDAR,
        30,
        source="Cartera policy",
        label=_("Complaint"),
    ),
    # Everywhere else
    Term(
        "DEFAULT",
        "*",
        ANY,
        BUSINESS,
        15,
        extension_days=15,
        source="Cartera policy",
        label=_("Complaint"),
    ),
)


def term_for(*, country: str, kind: str, regulator: str = "") -> Term:
    """The first term of the country (then the default) that covers this kind and regulator."""
    for term in TERMS:
        if term.country not in (country, "*"):
            continue
        if term.kinds != ANY and kind not in term.kinds:
            continue
        if term.regulators and regulator not in term.regulators:
            continue
        return term
    raise LookupError(f"no complaint term for {country}/{kind}")  # DEFAULT covers everything


def term_by_code(code: str) -> Term:
    return next(term for term in TERMS if term.code == code)
