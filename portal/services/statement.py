"""A debt's statement as a PDF (reportlab), and the stage explained in plain words."""

import datetime
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.formatting import format_date
from core.money import format_money
from portal import selectors
from portal.services.payments import payment_reference_for
from portal.services.ways_to_pay import payment_ways
from portfolio.models import Stage


def stage_in_words(stage: str) -> str:
    return {
        Stage.CURRENT: _("Up to date: no overdue amounts to worry about."),
        Stage.FRIENDLY_REMINDER: _("A payment is late: we are sending friendly reminders."),
        Stage.FIRM_NOTICE: _("Overdue: please pay or agree a plan to avoid further steps."),
        Stage.PRE_LEGAL: _("Seriously overdue: the case may go to the legal team soon."),
        Stage.LEGAL: _("With the legal team: contact us to resolve it."),
        Stage.PAID: _("Paid in full. Thank you!"),
        Stage.SETTLED: _("Settled under an agreement."),
        Stage.WRITTEN_OFF: _("Closed by the creditor."),
    }.get(stage, "")


def _how_to_pay(debt, styles) -> list:
    """The statement's way to pay: the payment reference, the country's ways, online, phone."""
    contact = selectors.portal_contact(debtor_id=debt.debtor_id)
    story = [Spacer(1, 16), Paragraph(escape(_("How to pay")), styles["Heading2"])]
    if not debt.is_open or debt.balance <= 0:
        return story + [
            Paragraph(escape(_("This debt has nothing left to pay.")), styles["Normal"])
        ]
    reference = payment_reference_for(debt).reference
    story += [
        Paragraph(escape(_("Your payment reference")), styles["Normal"]),
        Paragraph(f"<b>{escape(reference)}</b>", styles["Heading1"]),
        Paragraph(
            escape(
                _(
                    "Quote it exactly: it is how we find your debt. Any amount up to the "
                    "balance; it shows in the portal within 1 to 2 working days."
                )
            ),
            styles["Normal"],
        ),  # fmt: skip
        Spacer(1, 8),
    ]
    online = _("Online, by card or from your bank account: %(url)s") % {
        "url": settings.CARTERA_PORTAL_URL
    }
    items = [Paragraph(escape(online), styles["Normal"])]
    for way in payment_ways(country=debt.debtor.country, creditor=debt.creditor.name):
        items.append(Paragraph(f"<b>{escape(way.title)}</b>: {escape(way.how)}", styles["Normal"]))
    story += [
        ListFlowable([ListItem(item) for item in items], bulletType="bullet"),
        Spacer(1, 8),
        Paragraph(
            escape(
                _("Questions, or need %(creditor)s's account details? Call %(phone)s.")
                % {"creditor": debt.creditor.name, "phone": contact.phone}
            ),
            styles["Normal"],
        ),  # fmt: skip
    ]
    return story


def statement_pdf(*, debt, as_of: datetime.date) -> bytes:
    """The statement of one debt, with how to pay it (its payment reference among them)."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=_("Statement"), author="Cartera")
    cur = debt.currency
    story = [
        Paragraph(escape(_("Statement of account")), styles["Title"]),
        Paragraph(
            escape(
                _("%(creditor)s · reference %(ref)s · %(date)s")
                % {
                    "creditor": debt.creditor.name,
                    "ref": debt.debt_ref,
                    "date": format_date(as_of),
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 12),
    ]
    summary = [
        [_("Product"), debt.get_product_display()],
        [_("Principal"), format_money(debt.principal, cur)],
        [_("Interest"), format_money(debt.interest, cur)],
        [_("Fees"), format_money(debt.fees, cur)],
        [_("Total owed"), format_money(debt.balance, cur)],
        [_("Days past due"), str(debt.days_past_due(as_of))],
        [_("Status"), Paragraph(escape(stage_in_words(debt.stage)), styles["Normal"])],
    ]
    table = Table(summary, colWidths=[150, 330])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("FONTNAME", (0, 4), (-1, 4), "Helvetica-Bold"),
            ]
        )
    )
    story += [table, Spacer(1, 16), Paragraph(_("Payments"), styles["Heading2"])]
    payments = selectors.debt_payments(debt)
    if payments:
        rows = [[_("Date"), _("Amount"), _("Method")]] + [
            [
                format_date(p.paid_at, length="medium"),
                format_money(p.amount, p.currency),
                p.get_method_display(),
            ]
            for p in payments
        ]
        pay_table = Table(rows, colWidths=[120, 180, 180])
        pay_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
        story.append(pay_table)
    else:
        story.append(Paragraph(_("No payments yet."), styles["Normal"]))
    agreement = selectors.debt_agreement(debt)
    if agreement is not None:
        story += [Spacer(1, 16), Paragraph(_("Payment plan"), styles["Heading2"])]
        rows = [[_("No."), _("Due"), _("Amount"), _("Status")]] + [
            [
                str(i.number),
                format_date(i.due_date, length="medium"),
                format_money(i.amount, agreement.currency),
                i.get_status_display(),
            ]
            for i in agreement.instalments.all()
        ]
        plan = Table(rows, colWidths=[40, 120, 160, 160])
        plan.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
        story.append(plan)
    story += _how_to_pay(debt, styles)
    doc.build(story)
    return buffer.getvalue()
