"""The statement's downloads (PDF and CSV) as HTTP responses, for the pages and the API; every
download is recorded like any export (core.exports)."""

from django.http import HttpResponse

from core.exports import export_record, export_response
from core.http import client_ip
from ledger.models import Remittance
from ledger.statements import remittance_csv, remittance_pdf


def statement_file_name(remittance: Remittance, extension: str) -> str:
    return (
        f"remittance-{remittance.creditor.code}-{remittance.currency}-"
        f"{remittance.period_start.isoformat()}-{remittance.period_end.isoformat()}.{extension}"
    )


def statement_pdf_response(request, remittance: Remittance) -> HttpResponse:
    """The statement's PDF; an issued one's SHA-256 in the X-Checksum-SHA256 header."""
    content = remittance_pdf(remittance=remittance)
    name = statement_file_name(remittance, "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if remittance.pdf_sha256:
        response["X-Checksum-SHA256"] = remittance.pdf_sha256
    export_record(
        user=request.user,
        export="ledger-remittance-pdf",
        file_name=name,
        filters={"remittance": remittance.pk},
        row_count=remittance.lines.count(),
        ip_address=client_ip(request),
        path=request.path,
    )
    return response


def statement_csv_response(request, remittance: Remittance) -> HttpResponse:
    """The statement's lines as CSV (formula-safe)."""
    headers, rows = remittance_csv(remittance=remittance)
    return export_response(
        request=request,
        export="ledger-remittance-csv",
        file_name=statement_file_name(remittance, "csv"),
        fmt="csv",
        headers=headers,
        rows=rows,
        filters={"remittance": remittance.pk},
    )
