"""Which model permissions each role's group carries.

The groups themselves are created by a data migration; their permissions are
synced after every ``migrate`` so that models added later (courses,
certificates, …) are covered without another hand-written migration. Only
missing permissions are added: what an administrator grants by hand stays.
"""

from django.contrib.auth.models import Group, Permission

from lms.constants import Role

ACADEMY_APPS = ("lms", "courses", "certificates", "mentors", "privacy", "themes")

ROLE_PERMISSIONS = {
    Role.TEACHER: [],
    Role.MENTOR: [],
    # Scoped to the courses they own or were given (courses.selectors).
    Role.TRAINER: [
        "wagtailadmin.access_admin",
        "courses.view_offlinesession",
        "courses.add_offlinesession",
        "courses.change_offlinesession",
        "courses.delete_offlinesession",
    ],
    Role.HR: [
        "wagtailadmin.access_admin",
        "lms.manage_district",
        "lms.view_district",
        "lms.view_school",
        "lms.add_school",
        "lms.change_school",
        "lms.view_teacherprofile",
        "lms.add_teacherprofile",
        "lms.change_teacherprofile",
        "lms.view_importbatch",
        "lms.add_importbatch",
        "lms.add_trainingcredit",
        "lms.view_trainingcredit",
        # Certificates: templates, issuing one or in bulk, revoking, reissuing.
        "certificates.view_certificatetemplate",
        "certificates.add_certificatetemplate",
        "certificates.change_certificatetemplate",
        "certificates.view_certificate",
        "certificates.add_certificate",
        "certificates.change_certificate",
        "certificates.view_issuebatch",
        "certificates.add_issuebatch",
        # Talent cohorts: set them up, move members through them, record
        # assessments, certify, override eligibility and requirements.
        "lms.view_cohort",
        "lms.add_cohort",
        "lms.change_cohort",
        "lms.view_cohortmembership",
        "lms.add_cohortmembership",
        "lms.change_cohortmembership",
    ],
    # Scoped to their own district by an object permission on District.
    Role.DISTRICT_ADMIN: [
        "wagtailadmin.access_admin",
        "lms.view_school",
        "lms.view_teacherprofile",
        "lms.view_trainingcredit",
        # Proposing research-along pairings for their teachers. Never the
        # pairing view permission on the model: that would show every
        # district's pairings (see mentors.selectors).
        "mentors.add_researchpairing",
        "mentors.view_mentorprofile",
        # Cohorts: see them, nominate and see their own district's members
        # (lms.cohorts.selectors.membership_list_for_user scopes every listing).
        "lms.view_cohort",
        "lms.view_cohortmembership",
        "lms.add_cohortmembership",
        # Teachers' correction requests, their own district's only
        # (lms.privacy.selectors.correction_request_list_for_user).
        "privacy.view_correctionrequest",
        "privacy.change_correctionrequest",
    ],
    # Sign-in lockouts (django-axes' records): the admin's lockout report.
    Role.ACADEMY_ADMIN: ["wagtailadmin.access_admin", "axes.view_accessattempt",
                         *(f"{app}.*" for app in ACADEMY_APPS)],
}


def _permissions_for(names):
    wanted = Permission.objects.none()
    for name in names:
        app_label, codename = name.split(".", 1)
        if codename == "*":
            wanted |= Permission.objects.filter(content_type__app_label=app_label)
        else:
            wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return wanted


def sync_role_permissions(**kwargs):
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        if names:
            group.permissions.add(*_permissions_for(names))
