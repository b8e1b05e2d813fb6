"""`manage.py demo_portal_login`: how to enter the portal as a demo debtor (make run's banner)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from messaging.channels import backend_for
from portal.selectors import sign_in_example
from portal.services.links import portal_link
from portfolio.models import Channel


class Command(BaseCommand):
    help = _("Print the portal's address and a debtor who can sign in there (for demos).")

    def handle(self, *args, **options):
        url = settings.CARTERA_PORTAL_URL
        example = sign_in_example()
        if example is None:
            self.stdout.write(
                _(
                    "Portal: %(url)s (no debtor can sign in yet: none has an open debt and a "
                    "consented phone or e-mail)."
                )
                % {"url": url}
            )
            return
        where = {
            "channel": Channel(example.channel).label,
            "destination": example.destination,
        }
        if backend_for(example.channel).prints_to_console():
            code = (
                _(
                    "the one-time code goes by %(channel)s to %(destination)s and is printed in "
                    "this console"
                )
                % where
            )
        else:
            code = _("the one-time code goes by %(channel)s to %(destination)s") % where
        self.stdout.write(
            _(
                "Portal: %(url)s — demo debtor %(name)s: document %(type)s %(number)s, last 4 "
                "digits %(digits)s; %(code)s."
            )
            % {
                "url": url,
                "name": example.debtor.full_name,
                "type": example.document_type,
                "number": example.document_number,
                "digits": example.last_digits,
                "code": code,
            }
        )
        self.stdout.write(
            "  "
            + _("Their personal link (asks for the last 4 digits): %(link)s")
            % {"link": portal_link(example.debtor.pk)}
        )
