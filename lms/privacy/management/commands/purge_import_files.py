"""Delete uploaded roster files past their retention period; run daily (cron
or Celery beat). See docs/privacy.md."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.privacy.constants import IMPORT_FILE_RETENTION_DAYS
from lms.privacy.services import import_files_purge


class Command(BaseCommand):
    help = "Delete the files of people imports older than the retention period (default 30 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=IMPORT_FILE_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        count = import_files_purge(older_than_days=days)
        self.stdout.write(_("%(count)d import files deleted.") % {"count": count})
