from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.models import PendingTask
from lms.outbox import pending_tasks_sweep


class Command(BaseCommand):
    help = "Send again the tasks of the outbox that are due (what Celery beat does every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-failed", action="store_true",
            help="Also send again, at once, the tasks the worker gave up on (once their cause is fixed).",
        )

    def handle(self, *args, include_failed, **options):
        result = pending_tasks_sweep(include_failed=include_failed)
        self.stdout.write(
            _("%(sent)d tasks sent again; %(unsent)d could not be sent; %(pending)d still pending in all.")
            % {"sent": result.sent, "unsent": result.unsent, "pending": PendingTask.objects.count()}
        )
        if result.unsent:
            raise SystemExit(1)
