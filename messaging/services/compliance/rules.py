"""The default contact rules, as data: one table per jurisdiction.

Every entry is a `Rule`: an id (the one recorded on a suppressed message), a *type* (which
generic evaluator in `evaluators.py` reads it), its parameters, a label and the legal source.
Adding a jurisdiction means adding a table here, not code. See docs/compliance.md.

Layering for a debtor: EVERYWHERE + the country's table (or DEFAULT for a country without one)
+ the region's table (e.g. "US-MA"); a rule with `replaces` drops the named rule of an earlier
layer, a later rule with the same id replaces the earlier one. Creditor overrides (stricter
only, see overrides.py) come last.
"""

from dataclasses import dataclass
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

ELECTRONIC = ("email", "sms", "whatsapp")
ALL_KINDS = ("message", "call_attempt", "conversation")

# Order in which rule types are evaluated: permanent blockers (holds, consent, purpose,
# content) before time-dependent ones, so the reason recorded is the one that matters.
TYPE_ORDER = (
    "hold",
    "consent",
    "purpose",
    "content_optout",
    "content_ident",
    "content_respect",
    "content_time_barred",
    "visit",
    "rest",
    "window",
    "cooldown",
    "cap",
    "channels",
)


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    params: MappingProxyType
    label: str
    source: str
    note: str = ""
    replaces: str | None = None
    overridden: bool = False  # True when a creditor override tightened it

    def with_params(self, params: dict, *, overridden: bool = True) -> "Rule":
        merged = dict(self.params)
        merged.update(params)
        return Rule(
            id=self.id,
            type=self.type,
            params=MappingProxyType(merged),
            label=self.label,
            source=self.source,
            note=self.note,
            replaces=self.replaces,
            overridden=overridden,
        )


def rule(id, type, label, source, note="", replaces=None, **params) -> Rule:
    return Rule(
        id=id,
        type=type,
        params=MappingProxyType(params),
        label=label,
        source=source,
        note=note,
        replaces=replaces,
    )


def week(mon_fri, sat=(), sun=()):
    """A weekly window table, Monday first: each day a tuple of ("HH:MM", "HH:MM") intervals."""
    return (mon_fri,) * 5 + (sat, sun)


# Words that announce legal action; not allowed before the pre_legal stage (MX-RESPECT, and
# conservatively everywhere). Matched case- and accent-insensitively as whole words/phrases.
LEGAL_ACTION_WORDS = (
    "demanda",
    "demandar",
    "demandaremos",
    "embargo",
    "embargar",
    "embargaremos",
    "juicio",
    "juzgado",
    "tribunal",
    "proceso judicial",
    "accion legal",
    "acciones legales",
    "accion judicial",
    "acciones judiciales",
    "abogado",
    "abogados",
    "carcel",
    "policia",
    "legal action",
    "lawsuit",
    "sue you",
    "court",
    "garnish",
    "garnishment",
    "seize",
    "seizure",
    "arrest",
    "attorney",
    "jail",
)

# US-VALIDATION: the planner and the send-time check add this pseudo hold kind for a US debt in
# a collection stage whose validation notice has not been sent (Reg F 12 CFR 1006.34). It is not
# a portfolio Hold: it lives only in `Contact.holds`, so such debtors are decided one by one like
# any held debtor, and the hold evaluator reads it like a real hold.
VALIDATION_PENDING = "validation_pending"
# The purpose of the validation notice itself (purpose.py maps its template code to it).
VALIDATION_PURPOSE = "validation"
# The stages in which a US debt is being collected: it needs its validation notice first.
COLLECTION_STAGES = ("friendly_reminder", "firm_notice", "pre_legal", "legal")

# US-TIMEBARRED: the disclosure every message about a time-barred US debt carries (the CFPB's
# tested wording, as New York and California require it), per language. `{creditor}` is the
# creditor's name. Legally fixed wording: kept as data, not as a translatable string.
TIME_BARRED_DISCLOSURE = MappingProxyType(
    {
        "en": (
            "The law limits how long you can be sued on a debt. Because of the age of your "
            "debt, {creditor} will not sue you for it."
        ),
        "es": (
            "La ley limita el tiempo durante el cual usted puede ser demandado por una deuda. "
            "Debido a la antigüedad de su deuda, {creditor} no le demandará por ella."
        ),
    }
)

# Opt-out instructions an electronic message must carry (any one of them).
OPT_OUT_MARKERS = (
    r"(?-i:\bSTOP\b)",  # the keyword itself, in capitals ("stop by our office" is not one)
    r"(?-i:\bBAJA\b)",
    r"darse de baja",
    r"dese de baja",
    r"unsubscribe",
    r"opt[- ]out",
    r"/unsubscribe/",
    r"/baja/",
    r"cancelar (la )?suscripci[oó]n",
    r"no (desea|quiere) recibir",
)

EVERYWHERE = (
    rule(
        "ALL-DISPUTE",
        "hold",
        _("Disputed debt: only messages about the dispute"),
        "Cartera policy (everywhere); FDCPA 15 USC 1692g(b); Ley 1266 de 2008 art. 16",
        kinds=("dispute",),
        allowed_purposes=("dispute",),
    ),
    rule(
        "ALL-COMPLAINT",
        "hold",
        _("Open complaint about the debt: only messages about the complaint until it is answered"),
        _("Cartera policy (everywhere); Ley 1755 de 2015 (CO); Reg F 12 CFR 1006 (US)"),
        kinds=("complaint",),
        allowed_purposes=("dispute",),
    ),
    rule(
        "ALL-CEASE",
        "hold",
        _("Cease contact requested: no contact"),
        "Cartera policy (everywhere); FDCPA 15 USC 1692c(c)",
        kinds=("cease_contact",),
        allowed_purposes=(),
    ),
    rule(
        "ALL-DECEASED",
        "hold",
        _("Debtor deceased: no contact"),
        _("Cartera policy (everywhere)"),
        kinds=("deceased",),
        allowed_purposes=(),
    ),
    rule(
        "ALL-INSOLVENCY",
        "hold",
        _("Insolvency proceedings: no contact"),
        _("Cartera policy (everywhere); Ley 1564 de 2012 art. 545 (CO); 11 USC 362 (US)"),
        kinds=("insolvency",),
        allowed_purposes=(),
    ),
    rule(
        "ALL-CONSENT",
        "consent",
        _("Only channels the debtor consented to"),
        _("Cartera policy (everywhere, conservative default)"),
        note=_("Letters need consent too: a letter is a postal notice, a contact like any other."),
    ),
    rule(
        "ALL-AGREEMENT",
        "purpose",
        _("Active agreement: only agreement and transactional messages"),
        _("Cartera policy (everywhere)"),
        allowed_purposes=("agreement", "transactional", "dispute"),
    ),
    rule(
        "ALL-OPTOUT",
        "content_optout",
        _("Electronic messages carry opt-out instructions"),
        _("Cartera policy (everywhere); Ley 1581 de 2012 art. 8 (CO); Reg F 12 CFR 1006.6(e) (US)"),
        channels=ELECTRONIC,
        markers=OPT_OUT_MARKERS,
    ),
    rule(
        "ALL-IDENT",
        "content_ident",
        _("Messages name the creditor"),
        _("MX-IDENT applied everywhere (conservative); FDCPA 15 USC 1692e(14)"),
    ),
    rule(
        "ALL-RESPECT",
        "content_respect",
        _("No legal-action wording before the pre-legal stage"),
        _("MX-RESPECT applied everywhere (conservative); FDCPA 15 USC 1692e(5)"),
        from_stage="pre_legal",
        words=LEGAL_ACTION_WORDS,
    ),
)

CO = (
    rule(
        "CO-CHANNEL",
        "consent",
        _("Contact only through channels the debtor authorised"),
        "Ley 2300 de 2023 art. 3; Ley 1581 de 2012",
        replaces="ALL-CONSENT",
        note=_("Letters need consent too: a letter is a postal notice, a contact like any other."),
    ),
    rule(
        "CO-WINDOW",
        "window",
        _("Contact hours: Mon-Fri 07:00-19:00, Sat 08:00-15:00"),
        "Ley 2300 de 2023 art. 3",
        weekly=week((("07:00", "19:00"),), (("08:00", "15:00"),)),
    ),
    rule(
        "CO-REST",
        "rest",
        _("No contact on Sundays or national holidays"),
        "Ley 2300 de 2023 art. 3",
        weekdays=(6,),
        holidays=True,
    ),
    rule(
        "CO-DAY",
        "cap",
        _("At most one contact per debtor per day"),
        "Ley 2300 de 2023 art. 3",
        note=_("Whether an unanswered call counts is disputed: every attempt counts by default."),
        max=1,
        period_days=1,
        mode="calendar",
        channels=None,
        kinds=ALL_KINDS,
    ),
    rule(
        "CO-WEEK",
        "channels",
        _("At most one channel in any rolling week"),
        "Ley 2300 de 2023 art. 3",
        note=_("The law does not define the week: any rolling 7 x 24 h window uses one channel."),
        max_channels=1,
        period_days=7,
    ),
    rule(
        "CO-VISIT",
        "visit",
        _("No collection visits to the debtor's home or workplace"),
        "Ley 2300 de 2023 art. 6",
        note=_(
            "The microcredit / rural credit exception needs the debtor's express authorisation, "
            "which is not recorded: no visits at all (conservative reading)."
        ),
        channels=("visit",),
    ),
)

MX = (
    rule(
        "MX-WINDOW",
        "window",
        _("Contact hours: every day 07:00-22:00"),
        "CONDUSEF, disposiciones para despachos de cobranza, DOF 2014-10-07",
        weekly=week((("07:00", "22:00"),), (("07:00", "22:00"),), (("07:00", "22:00"),)),
    ),
    rule(
        "MX-IDENT",
        "content_ident",
        _("Messages identify the creditor institution"),
        "CONDUSEF, disposiciones para despachos de cobranza, DOF 2014-10-07",
        replaces="ALL-IDENT",
    ),
    rule(
        "MX-RESPECT",
        "content_respect",
        _("No threats or legal-action wording before the pre-legal stage"),
        "CONDUSEF, disposiciones para despachos de cobranza; LPDUSF art. 17",
        replaces="ALL-RESPECT",
        from_stage="pre_legal",
        words=LEGAL_ACTION_WORDS,
    ),
)

US = (
    rule(
        "US-CONSENT",
        "consent",
        _("No contact through a medium the consumer asked us not to use"),
        _("Reg F 12 CFR 1006.14(h); TCPA 47 USC 227 for calls and texts"),
        replaces="ALL-CONSENT",
        note=_("Letters need consent too: a letter is a postal notice, a contact like any other."),
    ),
    rule(
        "US-OPTOUT",
        "content_optout",
        _("E-mails and texts carry a clear, simple way to opt out"),
        "Reg F 12 CFR 1006.6(e)",
        replaces="ALL-OPTOUT",
        channels=ELECTRONIC,
        markers=OPT_OUT_MARKERS,
    ),
    rule(
        "US-CEASE",
        "hold",
        _("Written request to cease communication: no contact"),
        "FDCPA 15 USC 1692c(c); Reg F 12 CFR 1006.6(c)",
        replaces="ALL-CEASE",
        kinds=("cease_contact",),
        allowed_purposes=(),
    ),
    rule(
        "US-WINDOW",
        "window",
        _("No contact before 08:00 or after 21:00 local time"),
        "FDCPA 15 USC 1692c(a)(1); Reg F 12 CFR 1006.6(b)(1)(i)",
        weekly=week((("08:00", "21:00"),), (("08:00", "21:00"),), (("08:00", "21:00"),)),
    ),
    rule(
        "US-CALLS",
        "cap",
        _("At most 7 call attempts in 7 consecutive days"),
        "Reg F 12 CFR 1006.14(b)(2)(i)(A)",
        note=_("Counted per debtor across all their debts (stricter than per debt)."),
        max=7,
        period_days=7,
        mode="calendar",
        channels=("voice",),
        kinds=ALL_KINDS,
    ),
    rule(
        "US-COOLDOWN",
        "cooldown",
        _("No call within 7 days after a telephone conversation"),
        "Reg F 12 CFR 1006.14(b)(2)(i)(B)",
        note=_("The conversation day counts as day 1: calls resume on day 8."),
        days=7,
        channels=("voice",),
        after_kind="conversation",
    ),
)

US_VALIDATION = (
    rule(
        "US-VALIDATION",
        "hold",
        _("No collection message before the validation notice is sent"),
        "Reg F 12 CFR 1006.34(a); FDCPA 15 USC 1692g(a)",
        note=_(
            "A US debt in a collection stage gets its validation notice as its first message; "
            "until it is sent only the notice, dispute, agreement and transactional messages "
            "go out."
        ),
        kinds=(VALIDATION_PENDING,),
        allowed_purposes=(VALIDATION_PURPOSE, "dispute", "agreement", "transactional"),
    ),
    rule(
        "US-TIMEBARRED",
        "content_time_barred",
        _("Time-barred debt: the disclosure, and never a threat of suit"),
        "Reg F 12 CFR 1006.26(b); FDCPA 15 USC 1692e(2)(A), 1692e(5); CFPB time-barred "
        "debt disclosure",
        note=_(
            "At every stage, legal-action wording is refused and the time-barred debt "
            "disclosure must be in the text."
        ),
        words=LEGAL_ACTION_WORDS,
    ),
)

US_MA = (
    rule(
        "US-MA-CALLS",
        "cap",
        _("Massachusetts: at most 2 calls or texts in 7 days"),
        "940 CMR 7.04(1)(f)",
        max=2,
        period_days=7,
        mode="calendar",
        channels=("voice", "sms"),
        kinds=ALL_KINDS,
    ),
)

# Countries without a table get the strictest combination of the known ones.
DEFAULT = (
    rule(
        "DEFAULT-WINDOW",
        "window",
        _("Default contact hours: Mon-Fri 08:00-19:00, Sat 08:00-15:00"),
        "Conservative default (intersection of CO, MX and US hours)",
        weekly=week((("08:00", "19:00"),), (("08:00", "15:00"),)),
    ),
    rule(
        "DEFAULT-REST",
        "rest",
        _("Default: no contact on Sundays or national holidays"),
        "Conservative default (as Colombia)",
        weekdays=(6,),
        holidays=True,
    ),
    rule(
        "DEFAULT-DAY",
        "cap",
        _("Default: at most one contact per debtor per day"),
        "Conservative default (as Colombia)",
        max=1,
        period_days=1,
        mode="calendar",
        channels=None,
        kinds=ALL_KINDS,
    ),
    rule(
        "DEFAULT-WEEK",
        "channels",
        _("Default: at most one channel in any rolling week"),
        "Conservative default (as Colombia)",
        max_channels=1,
        period_days=7,
    ),
    rule(
        "DEFAULT-CALLS",
        "cap",
        _("Default: at most 7 call attempts in 7 consecutive days"),
        "Conservative default (as the US)",
        max=7,
        period_days=7,
        mode="calendar",
        channels=("voice",),
        kinds=ALL_KINDS,
    ),
    rule(
        "DEFAULT-COOLDOWN",
        "cooldown",
        _("Default: no call within 7 days after a telephone conversation"),
        "Conservative default (as the US)",
        days=7,
        channels=("voice",),
        after_kind="conversation",
    ),
    rule(
        "DEFAULT-VISIT",
        "visit",
        _("Default: no collection visits"),
        "Conservative default (as Colombia)",
        channels=("visit",),
    ),
)

JURISDICTIONS = MappingProxyType(
    {
        "CO": CO,
        "MX": MX,
        "US": US + US_VALIDATION,
        "US-MA": US_MA,
    }
)


def legal_rules(*, country: str, region: str = "") -> tuple[Rule, ...]:
    """The law's rules for a debtor in `country`/`region`, in evaluation order."""
    country = (country or "").upper()
    region = (region or "").upper()
    layers = [EVERYWHERE, JURISDICTIONS.get(country, DEFAULT)]
    if region:
        layers.append(JURISDICTIONS.get(f"{country}-{region}", ()))
    by_id: dict[str, Rule] = {}
    for layer in layers:
        for r in layer:
            if r.replaces:
                by_id.pop(r.replaces, None)
            by_id[r.id] = r
    return tuple(sorted(by_id.values(), key=lambda r: TYPE_ORDER.index(r.type)))


def all_legal_rules() -> dict[str, Rule]:
    """Every rule id any jurisdiction defines (for the override form and the docs)."""
    out: dict[str, Rule] = {}
    for layer in (EVERYWHERE, DEFAULT, *JURISDICTIONS.values()):
        for r in layer:
            out.setdefault(r.id, r)
    return out
