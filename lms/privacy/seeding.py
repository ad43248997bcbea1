"""The demo's privacy data, called by ``seed_demo``.

No demo account has acknowledged the privacy notice: whoever signs in first
(the demo teacher on the site, staff on the admin's home page) meets it once,
as a real user would. The demo teacher has one open correction request, so
the district admin of their district finds one in the admin's list."""

from django.utils.translation import gettext_lazy as _

from lms.demo.seeding import DEMO_TEACHER_USERNAME
from lms.models import TeacherProfile
from lms.privacy.constants import CorrectionField
from lms.privacy.services import correction_request_create

DEMO_CORRECTION_TEXT = _("My professional title is now senior teacher (高级教师), awarded in September. "
                         "Please update my profile.")


def demo_privacy_seed() -> int:
    """Returns how many correction requests it created (0 or 1)."""
    teacher = TeacherProfile.objects.filter(user__username=DEMO_TEACHER_USERNAME).select_related("user").first()
    if teacher is None or teacher.correction_requests.exists():
        return 0
    correction_request_create(teacher=teacher, field=CorrectionField.TITLE, text=str(DEMO_CORRECTION_TEXT))
    return 1
