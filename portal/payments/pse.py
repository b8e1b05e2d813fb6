"""PSE (Pagos Seguros en Línea, ACH Colombia): the debtor pays from their own bank account.

How the rail works, and what the sandbox plays: the merchant shows PSE's list of banks and asks
for the payer's person type (natural or jurídica) and document; PSE creates the transaction
(its tracking code, the CUS) and sends the payer to their bank's page, where they approve or
decline. The payer comes back, and PSE confirms through its notification: approved, declined,
or, often at first, pending (the bank has not answered yet). A PSE payment can later be
reversed (reversión del pago, Ley 1480 art. 51), which the sandbox can simulate.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.payments.rails import SandboxRail, random_digits

# PSE's bank list (ACH Colombia codes). A real adapter reads it from PSE (getBankList).
BANKS = (
    ("1007", "Bancolombia"),
    ("1001", "Banco de Bogotá"),
    ("1051", "Davivienda"),
    ("1013", "BBVA Colombia"),
    ("1023", "Banco de Occidente"),
    ("1002", "Banco Popular"),
    ("1052", "Banco AV Villas"),
    ("1032", "Banco Caja Social"),
    ("1019", "Scotiabank Colpatria"),
    ("1040", "Banco Agrario"),
    ("1006", "Banco Itaú"),
    ("1062", "Banco Falabella"),
    ("1060", "Banco Pichincha"),
    ("1061", "Bancoomeva"),
    ("1070", "Lulo Bank"),
    ("1507", "Nequi"),
    ("1551", "Daviplata"),
)
BANK_NAMES = dict(BANKS)

PERSON_TYPES = (
    ("natural", _("Natural person")),
    ("juridica", _("Legal entity (persona jurídica)")),
)
DOCUMENT_TYPES = (
    ("CC", _("Citizenship ID (cédula de ciudadanía)")),
    ("CE", _("Foreigner ID (cédula de extranjería)")),
    ("NIT", _("Tax ID (NIT)")),
    ("PP", _("Passport")),
)


class PseProvider(SandboxRail):
    name = "pse"
    method = "pse"
    country = "CO"
    currencies = ("COP",)
    prefix = "pse_"
    # What the bank's page answers; a paid PSE payment can be reversed.
    open_outcomes = ("approved", "pending", "declined")
    paid_outcomes = ("reversed",)

    def checkout_url(self, reference: str) -> str:
        return reverse("portal:pse-banks", args=[reference])

    def banks(self) -> tuple[tuple[str, str], ...]:
        return BANKS

    def transaction_create(self, intent, *, bank: str, person_type: str, document_type: str,
                           document_number: str) -> tuple[str, dict]:  # fmt: skip
        """PSE's createTransaction: the bank's page to send the payer to, and what to keep.

        The document goes to PSE (the bank checks it is the account holder's), not into
        Cartera's records: only the bank, the person type and PSE's tracking code (CUS) stay.
        """
        return reverse("portal:pse-bank", args=[intent.provider_reference]), {
            "bank_code": bank,
            "bank_name": BANK_NAMES[bank],
            "person_type": person_type,
            "document_type": document_type,
            "cus": random_digits(10),
        }

    def simulate_outcomes(self, intent) -> tuple[str, ...]:
        # Before the payer reaches the bank there is nothing to answer: the bank page does.
        if intent.status == "created" and not intent.instructions.get("cus"):
            return ()
        return super().simulate_outcomes(intent)
