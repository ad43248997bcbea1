"""Wagtail's site history, kept to the reader's scope (lms/audit.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from lms.audit import log_entry_list_for_user
from lms.cohorts.services import membership_nominate
from lms.constants import CreditCategory, Role
from lms.ledger.services import credit_record
from lms.people.services import district_admin_assign
from lms.tests.factories import CohortFactory, SchoolFactory, TeacherFactory, UserFactory, district, user_with_role
from mentors.tests.factories import MentorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    lixia = TeacherFactory(real_name="历下区张老师", school=SchoolFactory(district=district("370102")))
    licheng = TeacherFactory(real_name="历城区王老师", school=SchoolFactory(district=district("370112")))
    hr = user_with_role(Role.HR, username="hr", first_name="李秀英")
    licheng_admin = UserFactory(username="licheng-admin", first_name="历城管理员")
    district_admin_assign(user=licheng_admin, district=district("370112"))
    cohort = CohortFactory()
    for teacher in (lixia, licheng):
        credit_record(teacher=teacher, category=CreditCategory.values[0], hours=Decimal("3"),
                      source_key=f"test:{teacher.pk}", credited_by=hr)
    membership_nominate(cohort=cohort, teacher=licheng, by=licheng_admin, statement="推荐", override_reason="")
    # A model no app scoped for the site history, which district admins may
    # nonetheless view (Wagtail alone would show them its entries).
    log(instance=MentorFactory(), action="wagtail.create", user=hr)
    lixia_admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=lixia_admin, district=district("370102"))
    return {"lixia_admin": lixia_admin, "academy": user_with_role(Role.ACADEMY_ADMIN, username="academy")}


def labels(user):
    return set(log_entry_list_for_user(ModelLogEntry, user).values_list("label", flat=True))


def test_district_admin_reads_only_their_districts_entries(history):
    seen = labels(history["lixia_admin"])
    assert any("历下区张老师" in label for label in seen)
    assert not any("历城区王老师" in label for label in seen)
    # Entries of a model nobody scoped stay hidden from a scoped reader...
    assert not log_entry_list_for_user(ModelLogEntry, history["lixia_admin"]).filter(
        content_type__model="mentorprofile").exists()
    # ...while city-wide staff see everything Wagtail shows them.
    assert any("历城区王老师" in label for label in labels(history["academy"]))
    assert log_entry_list_for_user(ModelLogEntry, history["academy"]).filter(
        content_type__model="mentorprofile").exists()


def test_site_history_page_export_and_filters_keep_the_district(client, history):
    client.force_login(history["lixia_admin"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("wagtailadmin_reports:site_history"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "历下区张老师" in body
    # Neither the rows nor the filters' choices (users, actions) name the
    # other district's teacher or the admin who nominated them.
    assert "历城区王老师" not in body and "licheng-admin" not in body and "历城管理员" not in body
    assert "Nominate to a cohort" not in body
    results = client.get(reverse("wagtailadmin_reports:site_history_results"))
    assert "历下区张老师" in results.content.decode() and "历城区王老师" not in results.content.decode()
    export = client.get(reverse("wagtailadmin_reports:site_history") + "?export=csv")
    rows = b"".join(export.streaming_content).decode()
    assert "历下区张老师" in rows and "历城区王老师" not in rows


def test_correction_requests_in_the_site_history_keep_the_district(history):
    from lms.privacy.constants import CorrectionField
    from lms.privacy.models import CorrectionRequest
    from lms.privacy.services import correction_request_create

    lixia = TeacherFactory(school=SchoolFactory(district=district("370102")))
    licheng = TeacherFactory(school=SchoolFactory(district=district("370112")))
    for teacher in (lixia, licheng):
        correction_request_create(teacher=teacher, field=CorrectionField.values[0], text="学校填错了")
    seen = log_entry_list_for_user(ModelLogEntry, history["lixia_admin"]).filter(content_type__model="correctionrequest")
    assert set(seen.values_list("object_id", flat=True)) == {
        str(CorrectionRequest.objects.get(teacher=lixia).pk)
    }
    everyone = log_entry_list_for_user(ModelLogEntry, history["academy"]).filter(content_type__model="correctionrequest")
    assert everyone.count() == 2
