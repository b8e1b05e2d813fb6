"""The remittance statement as files: a PDF for the creditor and a CSV of its lines.

The PDF is written in the creditor's language (Spanish for Colombia and Mexico, English for the
US) and is byte-for-byte reproducible (reportlab's invariant mode: no creation time, no random
document id): the SHA-256 kept when the statement is issued is the hash of every later download.
The CSV's rows go through core.exports (formula-safe) in the reader's language.
"""

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import format_date, reader_country
from core.money import format_money
from core.validation import default_language
from ledger.models import EntryKind, Remittance, RemittanceLine
from ledger.selectors.remittance import lines_without_rate, remittance_lines, remittances_by_id
from portfolio.models import Stage


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


def kind_label(kind: str) -> str:
    """ "Payment applied", "Payment reversed"...: an entry kind as a reader says it."""
    return _label(EntryKind, kind)


def line_stage_age(line: RemittanceLine) -> str:
    """ "Firm notice · 20 d": the debt's stage and days past due when the entry was posted."""
    stage = _label(Stage, line.stage) if line.stage else "—"
    if line.days_past_due is None:
        return stage
    return f"{stage} · {line.days_past_due} d"


def _percent(value: Decimal) -> str:
    return f"{value:.2f} %"


class _Table:
    """Rows of text in fixed columns down landscape A4 pages, a new page when one fills up."""

    def __init__(self, pdf):
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.units import cm

        self.pdf = pdf
        self.width, self.height = landscape(A4)
        self.left = 1.5 * cm
        self.right = self.width - 1.5 * cm
        self.top = self.height - 1.5 * cm
        self.bottom = 1.5 * cm
        self.y = self.top

    def room(self, needed: float) -> bool:
        if self.y - needed < self.bottom:
            self.pdf.showPage()
            self.y = self.top
            return False
        return True

    def text(self, text: str, *, size: int = 10, bold: bool = False, gap: float = 4) -> None:
        self.room(size + gap)
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(self.left, self.y, str(text))
        self.y -= size + gap

    def row(self, cells, columns, *, size: int = 8, bold: bool = False) -> None:
        """One row: `columns` are (x offset, width, align) with align "l" or "r"."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        font = "Helvetica-Bold" if bold else "Helvetica"
        self.room(size + 4)
        self.pdf.setFont(font, size)
        for cell, (x, width, align) in zip(cells, columns, strict=True):
            text = str(cell)
            while text and stringWidth(text, font, size) > width - 4:
                text = text[:-2] + "…" if len(text) > 2 else text[:-1]
            if align == "r":
                self.pdf.drawRightString(self.left + x + width - 4, self.y, text)
            else:
                self.pdf.drawString(self.left + x, self.y, text)
        self.y -= size + 4

    def gap(self, points: float = 8) -> None:
        self.y -= points


# (x offset, width, align) of the lines table; landscape A4 leaves about 770 points.
_COLUMNS = [
    (0, 62, "l"),  # date
    (62, 90, "l"),  # debt
    (152, 150, "l"),  # debtor
    (302, 100, "l"),  # kind
    (402, 95, "r"),  # amount
    (497, 130, "l"),  # stage · age
    (627, 50, "r"),  # rate
    (677, 93, "r"),  # commission
]


def _line_cells(line, currency: str, *, no_rate: set[int]) -> list[str]:
    mark = " *" if line.pk in no_rate else ""
    return [
        format_date(line.posted_on, length="short"),
        line.debt.debt_ref,
        line.debt.debtor.full_name,
        _label(EntryKind, line.kind),
        format_money(line.amount, currency),
        line_stage_age(line),
        _percent(line.percent) + mark,
        format_money(line.commission, currency),
    ]


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Debt"),
        _("Debtor"),
        _("Kind"),
        _("Amount"),
        _("Stage · days past due"),
        _("Rate"),
        _("Commission"),
    ]


def _when(value: datetime.datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{format_date(local, length='medium')} {local:%H:%M}"


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


def _write(pdf, remittance: Remittance) -> None:
    currency = remittance.currency
    lines = list(remittance_lines(remittance=remittance))
    no_rate = lines_without_rate(remittance)
    carried = [line for line in lines if line.carried_from]
    own = [line for line in lines if not line.carried_from]
    sources = remittances_by_id(line.carried_from for line in carried)
    w = _Table(pdf)

    w.text(_("Remittance statement"), size=16, bold=True, gap=10)
    w.text(_("Agency: %(name)s") % {"name": settings.CARTERA_AGENCY_NAME})
    w.text(
        _("Creditor: %(name)s (%(code)s)")
        % {"name": remittance.creditor.name, "code": remittance.creditor.code}
    )
    w.text(
        _("Period: %(start)s to %(end)s")
        % {
            "start": format_date(remittance.period_start),
            "end": format_date(remittance.period_end),
        }
    )
    w.text(_("Currency: %(currency)s") % {"currency": currency})
    w.text(
        _("Statement no. %(number)s · %(status)s")
        % {"number": remittance.pk, "status": remittance.get_status_display()}
    )
    w.text(
        _("Prepared by %(who)s on %(when)s")
        % {"who": _who(remittance.created_by), "when": _when(remittance.created_at)}
    )
    if remittance.issued_at:
        w.text(
            _("Issued by %(who)s on %(when)s")
            % {"who": _who(remittance.issued_by), "when": _when(remittance.issued_at)}
        )
    w.gap()

    w.text(_("Totals"), size=12, bold=True, gap=8)
    totals = [
        (_("Collected (payments and recoveries)"), remittance.collected),
        (_("Reversed"), -remittance.reversed),
        (_("Agency commission"), -remittance.commission),
        (_("Net to remit"), remittance.net),
    ]
    for label, amount in totals:
        w.row([label, format_money(amount, currency)], [(0, 300, "l"), (300, 150, "r")], size=10)
    if no_rate:
        w.gap(4)
        w.text(
            _("* %(count)s line(s) matched no commission rate: 0 %% was applied to them.")
            % {"count": len(no_rate)},
            size=9,
        )
    w.gap()

    w.text(_("Lines by debt"), size=12, bold=True, gap=8)
    if own:
        w.row(_headers(), _COLUMNS, bold=True)
        for line in own:
            w.row(_line_cells(line, currency, no_rate=no_rate), _COLUMNS)
    else:
        w.text(_("Nothing was collected in this period."), size=9)
    w.gap()

    w.text(_("Reversals carried in"), size=12, bold=True, gap=8)
    if carried:
        w.text(
            _(
                "Payments remitted in an earlier statement and reversed since: their amount and "
                "commission are taken back here."
            ),
            size=9,
        )
        w.row(_headers(), _COLUMNS, bold=True)
        for line in carried:
            w.row(_line_cells(line, currency, no_rate=no_rate), _COLUMNS)
            source = sources.get(line.carried_from)
            if source is not None:
                w.row(
                    [
                        "",
                        _("remitted in statement no. %(number)s (%(start)s to %(end)s)")
                        % {
                            "number": source.pk,
                            "start": format_date(source.period_start, length="short"),
                            "end": format_date(source.period_end, length="short"),
                        },
                    ],
                    [(0, 62, "l"), (62, 600, "l")],
                    size=7,
                )
    else:
        w.text(_("No reversal of an earlier statement's payment."), size=9)


def statement_language(remittance: Remittance) -> str:
    """The language the creditor reads its statements in."""
    return default_language(remittance.creditor.country)


def remittance_pdf(*, remittance: Remittance, page_compression: int = 1) -> bytes:
    """The statement's PDF, in the creditor's language, the same bytes every time for the same
    statement (`page_compression=0` leaves its text readable in the file)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    with (
        translation.override(statement_language(remittance)),
        reader_country(remittance.creditor.country),
    ):
        pdf = canvas.Canvas(
            buffer, pagesize=landscape(A4), invariant=1, pageCompression=page_compression
        )
        pdf.setTitle(_("Remittance statement") + f" {remittance.pk}")
        pdf.setAuthor(settings.CARTERA_AGENCY_NAME)
        _write(pdf, remittance)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()


def remittance_csv(*, remittance: Remittance) -> tuple[list, list[list]]:
    """(headers, rows) of the statement's lines, in the reader's language, for core.exports."""
    no_rate = lines_without_rate(remittance)
    headers = [
        _("statement"),
        _("creditor"),
        _("currency"),
        _("date"),
        _("debt"),
        _("debtor"),
        _("kind"),
        _("amount"),
        _("stage"),
        _("days past due"),
        _("commission (%)"),
        _("commission"),
        _("net"),
        _("carried from statement"),
        _("warning"),
    ]
    rows = [
        [
            remittance.pk,
            remittance.creditor.code,
            remittance.currency,
            line.posted_on,
            line.debt.debt_ref,
            line.debt.debtor.full_name,
            _label(EntryKind, line.kind),
            line.amount,
            _label(Stage, line.stage) if line.stage else "",
            line.days_past_due,
            line.percent,
            line.commission,
            line.amount - line.commission,
            line.carried_from or "",
            _("no commission rate matched: 0 % applied") if line.pk in no_rate else "",
        ]
        for line in remittance_lines(remittance=remittance)
    ]
    return headers, rows
