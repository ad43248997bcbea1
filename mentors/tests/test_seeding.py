import pytest
from django.contrib.auth import get_user_model

from lms.demo.seeding import demo_academy_seed
from lms.ledger.services import ledger_reconcile
from lms.models import TrainingCredit
from mentors.constants import ActivityStatus, PairingStatus, activity_source_key
from mentors.models import MentorProfile, ResearchActivity, ResearchPairing
from mentors.seeding import DEMO_MENTORS
from mentors.selectors import activity_queue_for_mentor, pairing_list_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    return demo_academy_seed(teacher_count=120)


def test_demo_research_along_has_every_status_and_credits_confirmed_activity(seeded):
    assert seeded.research_along.mentors == len(DEMO_MENTORS) == MentorProfile.objects.count()
    assert set(ResearchPairing.objects.values_list("status", flat=True)) == set(PairingStatus.values)
    assert set(ResearchActivity.objects.values_list("status", flat=True)) == set(ActivityStatus.values)
    for activity in ResearchActivity.objects.filter(status=ActivityStatus.CONFIRMED).select_related("credit"):
        assert activity.credit.source_key == activity_source_key(activity.pk)
        assert activity.credit.teacher_id == activity.pairing.teacher_id
    assert not ResearchActivity.objects.filter(status=ActivityStatus.SUBMITTED, credit__isnull=False).exists()
    assert TrainingCredit.objects.filter(credited_via="research-along").count() == seeded.research_along.credited
    assert ledger_reconcile() == []


def test_demo_mentor_and_teacher_logins_see_their_research_along(seeded):
    users = get_user_model().objects.in_bulk(["mentor", "teacher"], field_name="username")
    mentor = MentorProfile.objects.get(user=users["mentor"])
    assert mentor.institution == "山东大学"
    assert activity_queue_for_mentor(mentor).exists()
    mine = pairing_list_for_user(users["teacher"])
    assert mine.filter(mentor=mentor, status=PairingStatus.ACTIVE).exists()
    assert set(pairing_list_for_user(users["mentor"])) == set(ResearchPairing.objects.filter(mentor=mentor))


def test_seeding_with_a_single_teacher_pairs_only_them(db):
    summary = demo_academy_seed(teacher_count=1)
    assert summary.research_along.pairings == 1
