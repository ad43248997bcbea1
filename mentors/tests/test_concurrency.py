import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mentors import services
from mentors.constants import ActivityKind, PairingStatus, activity_source_key
from mentors.models import ResearchPairing

from .factories import MentorFactory, active_pairing, days_ago, proposed_pairing


def run_at_once(count, work):
    start = threading.Barrier(count)
    outcomes, errors = [], []

    def one(index):
        try:
            start.wait()
            outcomes.append(work(index))
        except ValidationError as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_acceptances_never_exceed_the_mentors_capacity():
    mentor = MentorFactory(capacity=3)
    pairings = [proposed_pairing(mentor=mentor) for _ in range(8)]

    outcomes, errors = run_at_once(
        len(pairings), lambda index: services.pairing_accept(pairing=pairings[index], user=mentor.user).status
    )

    assert errors == []
    assert sorted(outcomes) == sorted([PairingStatus.ACTIVE] * 3 + ["capacity"] * 5)
    assert ResearchPairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_confirmations_of_one_activity_credit_once():
    from lms.models import TrainingCredit

    pairing = active_pairing()
    activity = services.pairing_activity_log(
        pairing=pairing, user=pairing.teacher.user, occurred_on=days_ago(1), kind=ActivityKind.MEETING,
        hours="2", description="课题组组会",
    )
    outcomes, errors = run_at_once(
        6, lambda index: services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user).status
    )
    assert errors == []
    assert outcomes == ["confirmed"] * 6
    assert TrainingCredit.objects.filter(source_key=activity_source_key(activity.pk)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_logs_on_two_pairings_never_exceed_a_teachers_day():
    from mentors.models import ResearchActivity

    first = active_pairing()
    second = active_pairing(teacher_profile=first.teacher)
    day = days_ago(1)

    outcomes, errors = run_at_once(6, lambda index: services.pairing_activity_log(
        pairing=(first, second)[index % 2], user=first.teacher.user, occurred_on=day, kind=ActivityKind.MEETING,
        hours="10", description="课题组组会",
    ).hours)

    assert errors == []
    assert sorted(map(str, outcomes)) == ["10.00", "10.00", "hours", "hours", "hours", "hours"]
    logged = ResearchActivity.objects.filter(pairing__teacher=first.teacher, occurred_on=day)
    assert sum(activity.hours for activity in logged) == 20
