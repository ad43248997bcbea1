"""Nothing held about a teacher is left out of "my data": every relation to
the user or the teacher profile, and onwards from the teacher's own records,
is either shown in a section or excluded with a reason."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from wagtail.models import Page

from lms.models import TeacherProfile
from lms.privacy.coverage import PAGE_USER_FIELDS, PERSONAL_DATA_COVERAGE, Excluded
from lms.privacy.selectors import personal_data_get
from lms.privacy.tests.factories import full_teacher


def _relations_to(targets):
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model in targets and field.concrete:
                yield model, field


def personal_relations():
    """(model, field) of every relation that holds a teacher's data: to the
    user or the profile directly, and to the models that do, transitively
    (a quiz attempt belongs to an enrolment that belongs to a teacher)."""
    user_model = get_user_model()
    found = list(_relations_to({user_model}))
    owned, frontier = {TeacherProfile}, {TeacherProfile}
    while frontier:
        new = set()
        for model, field in _relations_to(frontier):
            found.append((model, field))
            if model not in owned:
                new.add(model)
        owned |= new
        frontier = new
    return found


def _covered(model, field):
    if issubclass(model, Page) and field.name in PAGE_USER_FIELDS:
        return True
    return f"{model._meta.label}.{field.name}" in PERSONAL_DATA_COVERAGE


def test_every_relation_to_a_person_is_covered():
    missing = sorted({f"{model._meta.label}.{field.name}" for model, field in personal_relations()
                      if not _covered(model, field)})
    assert not missing, (
        "These relations reach a teacher's data but are not in lms.privacy.coverage.PERSONAL_DATA_COVERAGE: "
        f"{missing}. Show them in a section of the teacher's data, or exclude them with a reason."
    )


def test_the_walk_finds_the_records_behind_a_teacher():
    labels = {f"{model._meta.label}.{field.name}" for model, field in personal_relations()}
    # Two steps from the profile: enrolment → quiz attempt, pairing → activity → evidence.
    assert {"courses.QuizAttempt.enrolment", "mentors.ActivityEvidence.activity",
            "lms.TeacherProfile.user"} <= labels


@pytest.mark.django_db
def test_every_covered_section_is_in_the_export():
    sections = {section.key for section in personal_data_get(full_teacher()).sections}
    named = {value for value in PERSONAL_DATA_COVERAGE.values() if not isinstance(value, Excluded)}
    assert named - sections == set()
    assert "account" in sections
