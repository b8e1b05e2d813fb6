"""Build the demo operation: creditors, users, debtors, contact points, debts and payments.

Everything is written set-based (`bulk_create`, with simple-history rows via
`bulk_create_with_history`) from one seeded random source, so a run is fast and reproducible.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from agreements.models import PaymentAgreement
from complaints.models import Complaint
from core.documents import document_normalise
from core.exceptions import ApplicationError
from core.roles import ADMIN, COLLECTOR, MANAGER, OFFICER
from demo.services.complaints import demo_complaints
from demo.services.identities import IdentityFactory
from demo.services.inbox import demo_inbox
from demo.services.ledger import (
    PROFILE_WEIGHTS,
    PROFILES,
    at,
    make_ledger,
    payment_method,
    payment_source,
)
from demo.services.workload import Workload, demo_workload
from experiments.models import Experiment
from imports.models import ImportBatch
from legal.models import LegalCase
from messaging.models import ApprovalStatus, MessageTemplateVersion
from messaging.services.compliance.rules import COLLECTION_STAGES
from messaging.services.template_approval import (
    template_version_approval,
    template_version_provider_set,
)
from messaging.services.us_debts import validation_period_end
from messaging.services.whatsapp import suggested_variables
from portfolio.models import (
    OPEN_STAGES,
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPoint,
    Creditor,
    Debt,
    Debtor,
    Payment,
    Portfolio,
    Product,
    StageChange,
)

DEMO_PASSWORD = "cartera-demo"
BATCH = 500

# code, name, kind, country, debtor weight, share of US debtors, portfolios {name: products}
DEMO_CREDITORS = [
    ("banco-andino", "Banco Andino", Creditor.Kind.BANK, "CO", 45, 0.06, {
        "Tarjetas y consumo 2026": {Product.CREDIT_CARD: 45, Product.PERSONAL_LOAN: 35},
        "Vehículos y vivienda": {Product.AUTO_LOAN: 13, Product.MORTGAGE: 7},
    }),
    ("finzo", "Finzo", Creditor.Kind.FINTECH, "MX", 35, 0.08, {
        "Créditos digitales": {
            Product.MICROCREDIT: 55, Product.PERSONAL_LOAN: 25, Product.CREDIT_CARD: 20,
        },
    }),
    ("energia-del-valle", "Energía del Valle", Creditor.Kind.UTILITY, "CO", 20, 0.0, {
        "Energía residencial": {Product.UTILITY: 80},
        "Financiación de electrodomésticos": {Product.RETAIL: 20},
    }),
]  # fmt: skip
REF_PREFIX = {"banco-andino": "BA", "finzo": "FZ", "energia-del-valle": "EV"}
PRODUCT_CODE = {
    Product.CREDIT_CARD: "TC",
    Product.PERSONAL_LOAN: "LC",
    Product.AUTO_LOAN: "VH",
    Product.MORTGAGE: "HP",
    Product.MICROCREDIT: "MC",
    Product.UTILITY: "EN",
    Product.RETAIL: "FE",
}
CURRENCY = {"CO": "COP", "MX": "MXN", "US": "USD"}
COLLECTORS = ["gestor1", "gestor2", "gestor3", "gestor4"]
# username, role, creditors managed (None: all), first name, last name
DEMO_USERS = [
    ("admin", ADMIN, [], "Ana", "Administradora"),
    ("gerente", MANAGER, None, "Gabriel", "Restrepo"),
    ("gerente.mx", MANAGER, ["finzo"], "Mariana", "Gutiérrez"),
    ("quejas", OFFICER, None, "Sofía", "Quintero"),
    ("gestor1", COLLECTOR, [], "Camila", "Rojas"),
    ("gestor2", COLLECTOR, [], "Andrés", "Mejía"),
    ("gestor3", COLLECTOR, [], "Luisa", "Fernández"),
    ("gestor4", COLLECTOR, [], "Jorge", "Hernández"),
]
# channel: chance the debtor consented in the portfolio file
CONSENT_CHANCE = {Channel.EMAIL: 0.8, Channel.SMS: 0.65, Channel.WHATSAPP: 0.55, Channel.VOICE: 0.7}


@dataclass
class DemoSummary:
    creditors: int = 0
    portfolios: int = 0
    debtors: int = 0
    contact_points: int = 0
    consent_events: int = 0
    debts: int = 0
    payments: int = 0
    stage_changes: int = 0
    complaints: int = 0
    inbound: int = 0
    users: list = field(default_factory=list)
    stages: dict = field(default_factory=dict)
    workload: Workload | None = None


def demo_database_is_empty() -> bool:
    """True when no creditor, debtor or debt exists yet."""
    return not (Creditor.objects.exists() or Debtor.objects.exists() or Debt.objects.exists())


def _wipe_demo_creditors() -> None:
    codes = [c[0] for c in DEMO_CREDITORS]
    try:
        # Complaints and court cases keep their debts, debtors and creditors (PROTECT): they go
        # first.
        Complaint.objects.filter(creditor__code__in=codes).delete()
        LegalCase.objects.filter(creditor__code__in=codes).delete()
        # The books' corrections and suspense hold on to their payments, debts and creditors;
        # entries name their debts unchecked (ledger.models.entries) and go with them.
        from ledger.models import (
            LedgerEntry,
            PaymentReversal,
            Remittance,
            SuspenseItem,
            SuspenseMovement,
            WriteOff,
        )

        SuspenseMovement.objects.filter(item__creditor__code__in=codes).delete()
        SuspenseItem.objects.filter(creditor__code__in=codes).delete()
        Remittance.objects.filter(creditor__code__in=codes).delete()
        PaymentReversal.objects.filter(payment__creditor__code__in=codes).delete()
        WriteOff.objects.filter(debt__creditor__code__in=codes).delete()
        LedgerEntry.objects.filter(creditor__code__in=codes).delete()
        # The collectors' work (demo.services.workload): agreements hold on to their debts.
        PaymentAgreement.objects.filter(creditor__code__in=codes).delete()
        Payment.objects.filter(creditor__code__in=codes).delete()
        Debt.objects.filter(creditor__code__in=codes).delete()
        Debtor.objects.filter(creditor__code__in=codes).delete()
        ImportBatch.objects.filter(creditor__code__in=codes).delete()
        Portfolio.objects.filter(creditor__code__in=codes).delete()
        # The demo's escalation policies (default and segment ones) go with their creditors;
        # a version is protected while it is some policy's current one.
        from collections_app.models import EscalationPolicy, EscalationPolicyVersion

        # Experiments' arms hold on to the policy versions they test.
        Experiment.objects.filter(creditor__code__in=codes).delete()
        EscalationPolicy.objects.filter(creditor__code__in=codes).update(current_version=None)
        EscalationPolicyVersion.objects.filter(policy__creditor__code__in=codes).delete()
        Creditor.objects.filter(code__in=codes).delete()
    except ProtectedError as exc:
        raise ApplicationError(
            _("The demo data cannot be replaced: other records still refer to it (%(what)s).")
            % {"what": ", ".join(sorted({type(o).__name__ for o in exc.protected_objects}))}
        ) from exc


def _users(creditors: dict[str, Creditor]) -> dict[str, User]:
    users = {}
    # One hash for all: the password is public anyway, and PBKDF2 costs ~0.5 s per call.
    password = make_password(DEMO_PASSWORD)
    for username, role, managed, first, last in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@cartera.demo"
        user.is_staff = role == ADMIN
        user.is_superuser = role == ADMIN
        user.is_active = True
        user.password = password
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        for code in creditors if managed is None else managed:
            creditors[code].managers.add(user)
        users[username] = user
    return users


def _contact_points(rng, debtor: Debtor, phone: str, email: str, imported_at, as_of: date):
    """The debtor's channels with consent as the file said, plus later opt-outs and opt-ins."""
    values = {Channel.EMAIL: email, Channel.SMS: phone, Channel.VOICE: phone}
    if debtor.country != "US" or rng.random() < 0.2:
        values[Channel.WHATSAPP] = phone
    if rng.random() < 0.08:  # some files carry no e-mail at all
        values.pop(Channel.EMAIL)
    points, events = [], []
    for channel, value in values.items():
        granted = rng.random() < CONSENT_CHANCE[channel]
        history = [(granted, imported_at, ConsentSource.IMPORT, "")]
        later = imported_at + timedelta(days=rng.randint(3, 60))
        if later.date() < as_of and granted and rng.random() < 0.1:
            note = "STOP" if channel in (Channel.SMS, Channel.WHATSAPP) else ""
            history.append((False, later, ConsentSource.OPT_OUT, note))
        elif later.date() < as_of and not granted and rng.random() < 0.06:
            history.append((True, later, ConsentSource.DEBTOR, ""))
        final_granted, changed_at, source, _note = history[-1]
        point = ContactPoint(
            debtor=debtor,
            channel=channel,
            value=value,
            is_primary=True,
            verified=rng.random() < 0.4,
            consent_granted=final_granted,
            consent_changed_at=changed_at,
            consent_source=source,
        )
        points.append(point)
        events.append((point, history))
    return points, events


class _Builder:
    """The seeding steps, sharing one random source and the rows made so far."""

    def __init__(self, *, as_of: date, seed: int):
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.identities = IdentityFactory(self.rng, seed)
        self.creditors: dict[str, Creditor] = {}
        self.portfolios: dict[tuple[str, str], Portfolio] = {}
        self.product_portfolio: dict[tuple[str, str], Portfolio] = {}
        self.product_weights: dict[str, dict[str, int]] = {}
        self.summary = DemoSummary()

    def creditors_and_users(self) -> None:
        for code, name, kind, country, _w, _us, books in DEMO_CREDITORS:
            creditor = Creditor.objects.create(
                code=code,
                name=name,
                kind=kind,
                country=country,
                contact_email=f"cobranza@{code}.demo",
                # Messages tell the debtor where to reach a person (a demo number per country).
                contact_phone={"MX": "+52 55 5555 0100"}.get(country, "+57 601 555 0100"),
            )
            self.creditors[code] = creditor
            for offset, (book, products) in enumerate(books.items()):
                portfolio = Portfolio.objects.create(
                    creditor=creditor,
                    name=book,
                    assigned_on=self.as_of - timedelta(days=400 + 90 * offset),
                    notes=_("Demo portfolio"),
                )
                self.portfolios[(code, book)] = portfolio
                for product, weight in products.items():
                    self.product_portfolio[(code, product)] = portfolio
                    self.product_weights.setdefault(code, {})[product] = weight
        self.users = _users(self.creditors)
        self.history = {
            "default_user": self.users["admin"],
            "default_change_reason": "seed_demo",
            "default_date": timezone.now(),
        }

    def debtors(self, count: int) -> None:
        """Debtors, one identity each; US residents appear in the bank's and fintech's books."""
        rng, rows, self.reachable = self.rng, [], []
        codes, weights = [c[0] for c in DEMO_CREDITORS], [c[4] for c in DEMO_CREDITORS]
        us_share = {c[0]: c[5] for c in DEMO_CREDITORS}
        self.refs = dict.fromkeys(self.creditors, 0)
        for _i in range(count):
            code = rng.choices(codes, weights)[0]
            creditor = self.creditors[code]
            if rng.random() < us_share[code]:
                ident = self.identities.american()
            elif creditor.country == "MX":
                ident = self.identities.mexican()
            else:
                ident = self.identities.colombian(valle=code == "energia-del-valle")
            self.refs[code] += 1
            rows.append(
                Debtor(
                    creditor=creditor,
                    debtor_ref=f"{REF_PREFIX[code]}-C{self.refs[code]:07d}",
                    document_type=ident.document_type,
                    document_number=document_normalise(ident.document_type, ident.document_number),
                    full_name=ident.full_name,
                    address_line=ident.address_line,
                    city=ident.city,
                    region=ident.region,
                    postal_code=ident.postal_code,
                    country=ident.country,
                    timezone=ident.timezone,
                    language=ident.language,
                )
            )
            self.reachable.append((ident.phone, ident.email))
        self.debtor_rows = bulk_create_with_history(rows, Debtor, batch_size=BATCH, **self.history)
        self.summary.debtors = len(self.debtor_rows)

    def contact_points(self) -> None:
        points, histories = [], []
        first_book = {}
        for (code, _name), portfolio in self.portfolios.items():
            first_book.setdefault(code, portfolio)
        for debtor, (phone, email) in zip(self.debtor_rows, self.reachable, strict=True):
            imported_at = at(first_book[debtor.creditor.code].assigned_on, 7)
            debtor_points, debtor_histories = _contact_points(
                self.rng, debtor, phone, email, imported_at, self.as_of
            )
            points.extend(debtor_points)
            histories.extend(debtor_histories)
        points = bulk_create_with_history(points, ContactPoint, batch_size=BATCH, **self.history)
        events = [
            ConsentEvent(contact_point=p, granted=g, occurred_at=t, source=s, note=n)
            for p, entries in histories
            for g, t, s, n in entries
        ]
        ConsentEvent.objects.bulk_create(events, batch_size=BATCH)
        self.summary.contact_points, self.summary.consent_events = len(points), len(events)

    def debts(self) -> None:
        """1-3 debts per debtor; the first ones walk every profile (each stage and bucket)."""
        rng, rows, self.ledgers = self.rng, [], []
        collectors = [self.users[name] for name in COLLECTORS]
        cursor = 0
        has_entered_on = any(f.name == "stage_entered_on" for f in Debt._meta.get_fields())
        for debtor in self.debtor_rows:
            code = debtor.creditor.code
            # Round-robin per debtor, so one person's debts are worked by one collector.
            owner = None if rng.random() < 0.1 else collectors[cursor % len(collectors)]
            cursor += owner is not None
            products = self.product_weights[code]
            for _n in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
                product = rng.choices(list(products), list(products.values()))[0]
                if debtor.country == "US" and product in (Product.MORTGAGE, Product.AUTO_LOAN):
                    product = Product.CREDIT_CARD
                profile = len(self.ledgers)
                if profile >= len(PROFILES):
                    profile = rng.choices(range(len(PROFILES)), PROFILE_WEIGHTS)[0]
                currency = CURRENCY[debtor.country]
                ledger = make_ledger(
                    rng, profile_index=profile, product=product, currency=currency, as_of=self.as_of
                )
                self.refs[code] += 1
                debt = Debt(
                    creditor=debtor.creditor,
                    portfolio=self.product_portfolio[(code, product)],
                    debtor=debtor,
                    debt_ref=f"{REF_PREFIX[code]}-{PRODUCT_CODE[product]}-{self.refs[code]:08d}",
                    product=product,
                    currency=currency,
                    original_amount=ledger.original,
                    principal=ledger.principal,
                    interest=ledger.interest,
                    fees=ledger.fees,
                    balance=ledger.balance,
                    due_date=ledger.due_date,
                    opened_date=ledger.opened_date,
                    stage=ledger.stage,
                    stage_entered_at=ledger.stage_entered_at,
                    assigned_to=owner if ledger.stage in OPEN_STAGES else None,
                )
                if has_entered_on:
                    debt.stage_entered_on = ledger.stage_entered_at.date()
                _validation_notice_seed(debt)
                rows.append(debt)
                self.ledgers.append(ledger)
        self.debt_rows = bulk_create_with_history(rows, Debt, batch_size=BATCH, **self.history)
        self.summary.debts = len(self.debt_rows)
        for ledger in self.ledgers:
            self.summary.stages[ledger.stage] = self.summary.stages.get(ledger.stage, 0) + 1

    def payments(self) -> None:
        rows = []
        for debt, ledger in zip(self.debt_rows, self.ledgers, strict=True):
            for amount, to_fees, to_interest, to_principal, paid_at in ledger.payments:
                rows.append(
                    Payment(
                        creditor=debt.creditor,
                        debt=debt,
                        amount=amount,
                        currency=debt.currency,
                        paid_at=paid_at,
                        method=payment_method(self.rng, debt.currency),
                        source=payment_source(self.rng),
                        reference=f"DEMO-{REF_PREFIX[debt.creditor.code]}-{len(rows) + 1:08d}",
                        allocated_fees=to_fees,
                        allocated_interest=to_interest,
                        allocated_principal=to_principal,
                    )
                )
        bulk_create_with_history(rows, Payment, batch_size=BATCH, **self.history)
        self.summary.payments = len(rows)

    def stage_changes(self) -> None:
        """The stage-change record: the cycle moved debts up the ladder, managers did the rest."""
        managers = dict.fromkeys(self.creditors, self.users["gerente"])
        managers["finzo"] = self.users["gerente.mx"]
        changes = [
            StageChange(
                debt=debt,
                from_stage=from_stage,
                to_stage=to_stage,
                transition=transition,
                actor=managers[debt.creditor.code] if by_manager else None,
                business_date=occurred_at.date(),
                occurred_at=occurred_at,
                reason="",
                reason_code=reason.code,
                reason_params=reason.params,
            )
            for debt, ledger in zip(self.debt_rows, self.ledgers, strict=True)
            for from_stage, to_stage, transition, occurred_at, by_manager, reason in ledger.changes
        ]
        StageChange.objects.bulk_create(changes, batch_size=BATCH)
        self.summary.stage_changes = len(changes)


@transaction.atomic
def demo_seed(*, debtors: int, as_of: date, seed: int = 2026, force: bool = False) -> DemoSummary:
    """Create the demo operation (refuses a non-empty database unless `force`)."""
    if debtors < 1:
        raise ApplicationError(_("The number of debtors must be at least 1."), field="debtors")
    if not demo_database_is_empty():
        if not force:
            raise ApplicationError(
                _(
                    "The database already holds creditors or debts; seed_demo only fills an "
                    "empty database. Use --force to replace the demo creditors' data."
                )
            )
        _wipe_demo_creditors()
    builder = _Builder(as_of=as_of, seed=seed)
    builder.creditors_and_users()
    builder.debtors(debtors)
    builder.contact_points()
    builder.debts()
    builder.payments()
    builder.stage_changes()
    _whatsapp_templates_approve(admin=builder.users["admin"])
    summary = builder.summary
    # The collectors' work in progress: every tier of their queues has cases.
    summary.workload = demo_workload(
        debts=builder.debt_rows, users=builder.users, as_of=as_of, seed=seed
    )
    summary.complaints = demo_complaints(
        debts=builder.debt_rows, users=builder.users, as_of=as_of, seed=seed
    )
    summary.inbound = demo_inbox(debts=builder.debt_rows, as_of=as_of, seed=seed)
    summary.creditors, summary.portfolios = len(builder.creditors), len(builder.portfolios)
    summary.users = [u[0] for u in DEMO_USERS]
    return summary


def _whatsapp_templates_approve(*, admin) -> int:
    """Mark the shipped WhatsApp texts approved, each with a made-up Content SID (the demo
    sends through the sandbox, which, like Twilio, takes only approved templates outside the
    24-hour service window); their variables are their placeholders in order."""
    approved = 0
    versions = MessageTemplateVersion.objects.filter(
        template__creditor__isnull=True,
        template__channel=Channel.WHATSAPP,
        is_active=True,
        approval_status=ApprovalStatus.DRAFT,
    ).select_related("template")
    for version in versions:
        key = f"{version.template.code}:{version.template.language}:{version.number}"
        sid = "HX" + hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
        template_version_provider_set(
            version=version,
            user=admin,
            provider_template_id=sid,
            provider_variables=suggested_variables(version.body),
            note="demo",
        )
        template_version_approval(version=version, user=admin, action="approve", note="demo")
        approved += 1
    return approved


def _validation_notice_seed(debt: Debt) -> None:
    """A US debt in collection got its validation notice the day it entered friendly reminders
    (the day after its due date), as the daily cycle plans it (Reg F 1006.34)."""
    if debt.debtor.country != "US" or debt.stage not in COLLECTION_STAGES:
        return
    sent_on = debt.due_date + timedelta(days=1)
    debt.validation_notice_sent_at = datetime.combine(sent_on, time(15), tzinfo=UTC)
    debt.validation_period_ends_on = validation_period_end(sent_on)
