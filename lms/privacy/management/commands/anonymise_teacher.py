"""Anonymise a teacher who has left, by staff number: every figure stays the
same, what identifies the person does not (see docs/privacy.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.models import TeacherProfile
from lms.privacy.services import teacher_anonymise

NO_SUCH_TEACHER = gettext_lazy("No teacher has the staff number %(staff_number)s.")


class Command(BaseCommand):
    help = "Anonymise a departed teacher: pseudonym, closed account, personal text and files deleted, totals kept."

    def add_arguments(self, parser):
        parser.add_argument("staff_numbers", nargs="+", help="Staff numbers of the teachers who left.")

    def handle(self, *args, staff_numbers, **options):
        for staff_number in staff_numbers:
            teacher = TeacherProfile.objects.filter(staff_number=staff_number).first()
            if teacher is None:
                raise CommandError(NO_SUCH_TEACHER % {"staff_number": staff_number})
            try:
                result = teacher_anonymise(teacher=teacher)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(
                _("%(staff_number)s is now %(pseudonym)s; %(files)d files deleted.")
                % {"staff_number": staff_number, "pseudonym": result.pseudonym, "files": result.files_deleted}
            )
