"""`manage.py seed_demo`: fill an empty database with a believable collections operation."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.dates import business_today
from core.exceptions import ApplicationError
from demo.services import DEMO_PASSWORD, demo_database_is_empty, demo_seed


class Command(BaseCommand):
    help = _("Create demo creditors, users, debtors, debts and payments (empty database only).")

    def add_arguments(self, parser):
        parser.add_argument("--debtors", type=int, default=3000, help=_("How many debtors."))
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help=_("Business date the demo is built around (YYYY-MM-DD); default today."),
        )
        parser.add_argument("--seed", type=int, default=2026, help=_("Random seed."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Replace the demo creditors' data even if the database is not empty."),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing (exit 0) when the database already holds data; for `make run`."),
        )

    def handle(self, *args, debtors, as_of, seed, force, if_empty, **options):
        if if_empty and not force and not demo_database_is_empty():
            self.stdout.write(_("The database already holds data; demo not seeded."))
            return
        as_of = as_of or business_today()
        started = time.monotonic()
        try:
            summary = demo_seed(debtors=debtors, as_of=as_of, seed=seed, force=force)
            # Messaging: the default message templates (idempotent; also run after migrate).
            from messaging.services.templates import templates_ensure_defaults

            templates_ensure_defaults()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # Segments, their policies and the KPI snapshots, so the dashboard has figures.
        from demo.services.seed import DEMO_CREDITORS
        from demo.services.segments import demo_segments

        demo_segments(creditor_codes=[c[0] for c in DEMO_CREDITORS], as_of=as_of)
        # A running policy experiment (its debtors assigned) and a draft template one.
        from demo.services.experiments import demo_experiments

        experiments = demo_experiments(as_of=as_of)
        # A law firm with its lawyer's login, and part of the debts in legal handed over to it.
        from demo.services.legal import LAWYER_USERNAME, demo_legal

        legal = demo_legal(as_of=as_of, password=DEMO_PASSWORD)
        # The books: certified usury rates, accrual, fee and commission rules.
        from demo.services.books import demo_books

        demo_books(as_of=as_of)
        # The books at work: the history posted, a week of late interest, suspense, remittance.
        from demo.services.books_activity import demo_books_activity

        demo_books_activity(as_of=as_of)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo ready for %(as_of)s in %(secs).1f s: %(creditors)d creditors, "
                    "%(portfolios)d portfolios, %(debtors)d debtors, %(contacts)d contact points, "
                    "%(events)d consent events, %(debts)d debts, %(payments)d payments, "
                    "%(changes)d stage changes."
                )
                % {
                    "as_of": as_of.isoformat(),
                    "secs": elapsed,
                    "creditors": summary.creditors,
                    "portfolios": summary.portfolios,
                    "debtors": summary.debtors,
                    "contacts": summary.contact_points,
                    "events": summary.consent_events,
                    "debts": summary.debts,
                    "payments": summary.payments,
                    "changes": summary.stage_changes,
                }
            )
        )
        stages = ", ".join(f"{k}={v}" for k, v in sorted(summary.stages.items()))
        self.stdout.write(_("Debts by stage: %(stages)s") % {"stages": stages})
        work = summary.workload
        self.stdout.write(
            _(
                "Collectors' queues: %(promises)d promises due, %(callbacks)d callbacks due, "
                "%(agreements)d broken agreements, %(broken)d broken promises, "
                "%(contacts)d logged contacts."
            )
            % {
                "promises": work.promises_due,
                "callbacks": work.callbacks_due,
                "agreements": work.broken_agreements,
                "broken": work.broken_promises,
                "contacts": work.interactions,
            }
        )
        self.stdout.write(
            _("Complaints: %(count)d (open ones about to breach, answered and closed ones).")
            % {"count": summary.complaints}
        )
        self.stdout.write(
            _("Inbox: %(count)d replies from debtors (SMS, WhatsApp, e-mail).")
            % {"count": summary.inbound}
        )
        self.stdout.write(
            _(
                "Experiments: “%(running)s” running (%(assigned)d debtors assigned), "
                "%(drafts)d draft."
            )
            % {
                "running": experiments.running.name,
                "assigned": experiments.assigned,
                "drafts": int(experiments.draft is not None),
            }
        )
        self.stdout.write(
            _("Legal stage: %(cases)d cases handed over to %(firm)s, %(filed)d filed.")
            % {"cases": legal.cases, "firm": legal.firm.name, "filed": legal.filed}
        )
        self.stdout.write(
            _("Logins (password %(password)s): %(users)s")
            % {
                "password": DEMO_PASSWORD,
                "users": ", ".join([*summary.users, LAWYER_USERNAME]),
            }
        )
