"""A debt's statement as files: the CSV table (written by core.exports) and the PDF (reportlab)."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from core.formatting import format_date
from core.money import format_money
from ledger.selectors.statement import Components, Statement, StatementLine


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def statement_table(statement: Statement) -> tuple[list, list[list]]:
    """(headers, rows) of the statement: the opening line, one line per movement or event, the
    closing line. Amounts are Decimals (a negative one stays a number in a spreadsheet)."""
    headers = [
        _("Business date"),
        _("Kind"),
        _("Description"),
        _("Currency"),
        _("Principal"),
        _("Interest"),
        _("Fees"),
        _("Total"),
        _("Principal owed"),
        _("Interest owed"),
        _("Fees owed"),
        _("Balance"),
        _("Payment reference"),
        _("Memo"),
        _("Recorded by"),
    ]
    cur = statement.currency

    def balance_row(day, kind, label, balance: Components) -> list:
        return [
            day.isoformat() if day else "",
            kind,
            label,
            cur,
            None,
            None,
            None,
            None,
            balance.principal,
            balance.interest,
            balance.fees,
            balance.balance,
            "",
            "",
            "",
        ]

    rows = [balance_row(statement.date_from, "opening", _("Opening balance"), statement.opening)]
    for line in statement.lines:
        rows.append(
            [
                line.posted_on.isoformat(),
                line.kind,
                str(line.label),
                cur,
                line.delta.principal,
                line.delta.interest,
                line.delta.fees,
                line.amount,
                line.balance.principal,
                line.balance.interest,
                line.balance.fees,
                line.balance.balance,
                line.application.payment.reference if line.application else "",
                line.memo,
                _who(line.user),
            ]
        )
    rows.append(balance_row(statement.date_to, "closing", _("Closing balance"), statement.closing))
    return headers, rows


def _period(statement: Statement) -> str:
    start = format_date(statement.date_from) if statement.date_from else _("the beginning")
    end = format_date(statement.date_to) if statement.date_to else _("today")
    return _("From %(start)s to %(end)s") % {"start": start, "end": end}


def _line_text(line: StatementLine, cur: str) -> str:
    text = escape(line.memo)
    application = line.application
    if application is not None and line.kind != "reversal":
        text += "<br/>" + escape(
            _("Applied: interest %(interest)s, principal %(principal)s, fees %(fees)s")
            % {
                "interest": format_money(application.to_interest, cur),
                "principal": format_money(application.to_principal, cur),
                "fees": format_money(application.to_fees, cur),
            }
        )
        if application.reversed:
            text += "<br/>" + escape(
                _("Reversed on %(date)s") % {"date": format_date(application.reversed_on)}
            )
    if line.write_off is not None:
        text += "<br/>" + escape(
            _("Taken off the creditor's books: %(amount)s")
            % {"amount": format_money(line.write_off.amount, line.write_off.currency)}
        )
    return text


def statement_pdf(statement: Statement) -> bytes:
    """The statement as an A4 landscape PDF: the debt, the period, the balances and every line."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    debt = statement.debt
    cur = statement.currency
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=_("Account statement"),
        author="Cartera",
        leftMargin=28,
        rightMargin=28,
        topMargin=28,
        bottomMargin=28,
    )

    def money(amount) -> str:
        return format_money(amount, cur)

    story = [
        Paragraph(escape(_("Account statement")), styles["Title"]),
        Paragraph(
            escape(
                _("Debt %(ref)s · %(debtor)s · %(creditor)s")
                % {
                    "ref": debt.debt_ref,
                    "debtor": debt.debtor.full_name,
                    "creditor": debt.creditor.name,
                }
            ),
            styles["Normal"],
        ),
        Paragraph(escape(_period(statement)), styles["Normal"]),
        Spacer(1, 10),
    ]
    summary = [
        [_("Balance brought forward"), money(statement.brought_forward.balance)],
        [_("Opening balance"), money(statement.opening.balance)],
        [_("Closing balance"), money(statement.closing.balance)],
        [
            _("Closing: principal, interest, fees"),
            " · ".join(
                money(v)
                for v in (
                    statement.closing.principal,
                    statement.closing.interest,
                    statement.closing.fees,
                )
            ),
        ],
    ]
    table = Table(summary, colWidths=[200, 360])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"),
            ]
        )
    )
    story += [table, Spacer(1, 12)]
    if not statement.lines:
        story.append(Paragraph(escape(_("No movements in this period.")), styles["Normal"]))
    else:
        rows = [
            [
                _("Date"),
                _("Kind"),
                _("Principal"),
                _("Interest"),
                _("Fees"),
                _("Total"),
                _("Balance"),
                _("Memo"),
                _("Recorded by"),
            ]
        ]
        for line in statement.lines:
            moves = not line.is_event
            rows.append(
                [
                    format_date(line.posted_on, length="medium"),
                    Paragraph(escape(str(line.label)), small),
                    money(line.delta.principal) if moves else "",
                    money(line.delta.interest) if moves else "",
                    money(line.delta.fees) if moves else "",
                    money(line.amount) if moves else "",
                    money(line.balance.balance),
                    Paragraph(_line_text(line, cur), small),
                    Paragraph(escape(_who(line.user)), small),
                ]
            )
        lines = Table(
            rows, colWidths=[62, 90, 78, 78, 70, 78, 82, 170, 78], repeatRows=1
        )  # fmt: skip
        lines.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("ALIGN", (2, 1), (6, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(lines)
    story += [
        Spacer(1, 10),
        Paragraph(
            escape(_("Closing balance: %(amount)s") % {"amount": money(statement.closing.balance)}),
            styles["Heading3"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
