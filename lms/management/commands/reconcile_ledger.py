from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.ledger.services import ledger_reconcile


class Command(BaseCommand):
    help = "Recompute every ledger tally from the ledger and report differences."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rewrite the tallies from the ledger.")

    def handle(self, *args, fix, **options):
        differences = ledger_reconcile(fix=fix)
        for difference in differences:
            self.stdout.write(
                _("%(year)s district %(district)s %(dimension)s=%(key)s: stored %(stored)s, ledger says %(expected)s")
                % {
                    "year": difference.year,
                    "district": difference.district_key or _("(city)"),
                    "dimension": difference.dimension,
                    "key": difference.key or "-",
                    "stored": "/".join(str(value) for value in difference.stored),
                    "expected": "/".join(str(value) for value in difference.expected),
                }
            )
        summary = _("%(count)d differences between the ledger and its tallies.") % {"count": len(differences)}
        if differences and fix:
            summary += " " + _("The tallies were rewritten from the ledger.")
        self.stdout.write(summary)
        if differences and not fix:
            raise SystemExit(1)
