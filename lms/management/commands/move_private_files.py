"""Move personal files stored before they became private out of MEDIA_ROOT.

Every file field whose storage is the private one (lms.private_files) is
walked; a file still found under MEDIA_ROOT is copied to PRIVATE_MEDIA_ROOT
under the same name and then deleted from MEDIA_ROOT. Names in the database
do not change. Safe to run again: files already moved are skipped.
"""

from django.apps import apps
from django.core.files.storage import storages
from django.core.management.base import BaseCommand
from django.db import models

from lms.private_files import PrivateFileSystemStorage


def private_file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.storage, PrivateFileSystemStorage):
                yield model, field


def private_files_move(*, public=None, dry_run=False):
    """Move every personal file still in public storage; returns
    (moved, already private, missing) counts."""
    public = public or storages["default"]
    moved = already = missing = 0
    for model, field in private_file_fields():
        names = (
            model._default_manager.exclude(**{field.name: ""})
            .values_list(field.name, flat=True)
            .iterator()
        )
        for name in names:
            private = field.storage
            if not public.exists(name):
                if private.exists(name):
                    already += 1
                else:
                    missing += 1
                continue
            if not dry_run:
                if not private.exists(name):
                    with public.open(name, "rb") as handle:
                        saved = private.save(name, handle)
                    if saved != name:  # never expected: the name is free in private storage
                        private.delete(saved)
                        raise RuntimeError(f"Could not keep the name {name} in private storage")
                public.delete(name)
            moved += 1
    return moved, already, missing


class Command(BaseCommand):
    help = "Move personal files (certificate PDFs, evidence, attachments, imports) from MEDIA_ROOT to private storage."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would move.")

    def handle(self, *args, dry_run=False, **options):
        moved, already, missing = private_files_move(dry_run=dry_run)
        verb = "Would move" if dry_run else "Moved"
        self.stdout.write(f"{verb} {moved} file(s); {already} already private; {missing} missing from both.")
