"""Import schools or teachers from a CSV or XLSX file, as the admin does.

Without --commit this is the dry run: it prints the report and writes
nothing but the batch record. Exits with status 1 if the file has errors.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.constants import ImportKind, ImportStatus
from lms.imports.checks import row_error_reason
from lms.imports.services import import_batch_commit, import_batch_create, import_batch_validate
from lms.imports.state import ImportBatchStateError
from lms.imports.tabular import ImportFileError


class Command(BaseCommand):
    help = "Check (and with --commit, import) a schools or teachers file, CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="Write the rows if the whole file is valid.")
        parser.add_argument("--user", metavar="USERNAME", help="Record the import as uploaded by this user.")

    def handle(self, *args, kind, file, commit, user, **options):
        uploader = self.get_user(user)
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        try:
            with file.open("rb") as handle:
                batch = import_batch_create(kind=kind, uploaded_file=File(handle, name=file.name), user=uploader)
        except ImportFileError as error:
            raise CommandError(error.message) from error

        batch = import_batch_validate(batch=batch)
        self.print_report(batch)
        if batch.status != ImportStatus.VALIDATED:
            raise CommandError(_("The file has errors; nothing was imported."))
        if not commit:
            self.stdout.write(_("Dry run: nothing was written. Run again with --commit to import."))
            return

        try:
            batch = import_batch_commit(batch=batch)
        except ImportBatchStateError as refusal:
            raise CommandError(refusal.message) from refusal
        if batch.status != ImportStatus.COMMITTED:
            self.print_report(batch)
            raise CommandError(_("The data changed since the check and the file now has errors; nothing was imported."))
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged (batch %(pk)s).")
                % {
                    "created": batch.created_count,
                    "updated": batch.updated_count,
                    "unchanged": batch.unchanged_count,
                    "pk": batch.pk,
                }
            )
        )

    def get_user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user named %(username)s.") % {"username": username}) from None

    def print_report(self, batch):
        self.stdout.write(
            _(
                "%(rows)s rows: %(created)s to create, %(updated)s to update, %(unchanged)s unchanged, "
                "%(errors)s errors."
            )
            % {
                "rows": batch.row_count,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "errors": batch.error_count,
            }
        )
        for error in batch.errors:
            reason = row_error_reason(error)
            if error.get("row") is None:
                self.stderr.write(reason)
            else:
                self.stderr.write(
                    _("Row %(row)s, %(column)s: %(reason)s (value: %(value)r)")
                    % {"row": error["row"], "column": error["column"], "reason": reason, "value": error["value"]}
                )
