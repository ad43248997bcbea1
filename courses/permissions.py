"""Who may edit a course and its lessons in the Wagtail admin.

Trainers hold only the "add" page permission on the catalogue, which in
Wagtail means: create pages there and edit the pages they own. This tester
adds the courses a trainer was given through the per-course object
permission ``courses.manage_course`` (and their lessons). A trainer never
gets "change" on the catalogue, so another trainer's course stays
read-only. See docs/decisions/0010-trainer-course-ownership.md.
"""

from wagtail.models import PagePermissionTester

from .constants import COURSE_MANAGE_PERMISSION


class CoursePagePermissionTester(PagePermissionTester):
    def _course(self):
        from .models import CoursePage, LessonPage

        page = self.page.specific_deferred if hasattr(self.page, "specific_deferred") else self.page
        if isinstance(page, CoursePage):
            return page
        if isinstance(page, LessonPage):
            return CoursePage.objects.filter(path=page.course_path).first()
        return None

    def _manages_course(self):
        if not self.user.is_active or self.user.is_anonymous:
            return False
        if not hasattr(self, "_manages"):
            course = self._course()
            self._manages = bool(course) and (
                course.owner_id == self.user.pk or self.user.has_perm(COURSE_MANAGE_PERMISSION, course)
            )
        return self._manages

    def can_edit(self):
        return super().can_edit() or (not self.page_is_root and self._manages_course())

    def can_add_subpage(self):
        from .models import CoursePage

        if not isinstance(self.page.specific_deferred, CoursePage):
            return super().can_add_subpage()
        # "add" on the catalogue reaches every course below it; lessons go
        # only into courses the trainer owns or was given.
        if not self.user.is_active:
            return False
        if self.user.is_superuser or "change" in self.permissions:
            return super().can_add_subpage()
        return self._manages_course() and bool(self.page.specific_class.creatable_subpage_models())
