"""Checking the rows of a teachers file: each row's cells, then what a commit
would do with it (create, update or leave unchanged the teacher with that
staff number).

Lookups (schools, existing teachers, usernames) are loaded in bulk before the
rows are checked, so the check costs a few queries whatever the size of the
file. For an existing teacher an empty optional cell leaves the stored value
as it is: HR spreadsheets often have gaps, and a gap must not wipe what is known.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from lms.constants import POSITION_FIELDS, Degree, ImportRowAction
from lms.imports.checks import Plan, RowChecker, Validation, chunks, rows_validate
from lms.imports.tabular import Table
from lms.imports.vocabulary import LIST_SEPARATORS_RE, NO_POSITION_TERMS, key, vocabularies
from lms.people.models import School, TeacherProfile

EARLIEST_TEACHING_YEAR = 1950
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# Staff numbers become usernames, so they must be valid usernames.
STAFF_NUMBER_RE = re.compile(r"^[\w.@+-]+\Z")
YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?年?$")

TEACHER_VALUE_FIELDS = (
    "real_name",
    "school_id",
    "phone",
    "subject",
    "second_subject",
    "stage",
    "title",
    "degree",
    "is_science_engineering_master",
    "teaching_since",
    *POSITION_FIELDS.values(),
)
# Choice columns: (field, vocabulary, required).
CHOICE_COLUMNS = (
    ("subject", "subject", True),
    ("second_subject", "subject", False),
    ("stage", "stage", True),
    ("title", "title", False),
    ("degree", "degree", False),
)


@dataclass
class TeacherLookups:
    """What the rows are checked against, loaded before the first row."""

    schools: dict  # school code → pk
    existing: dict  # staff number → the stored profile's values
    taken_usernames: set
    words: dict  # vocabulary name → Vocabulary
    this_year: int
    first_rows: dict = field(default_factory=dict)  # staff number → first row using it


def _lookups(records) -> TeacherLookups:
    User = get_user_model()
    # Every school, in one query: a city has a few thousand, and a file of
    # teachers names most of them.
    schools = dict(School.objects.values_list("code", "pk"))
    staff_numbers = {record.get("staff_number") for _n, record in records} - {""}
    # Stored values as dicts, not model instances: instantiating 50,000
    # profiles and their users would cost more than checking the rows.
    existing = {}
    for chunk in chunks(staff_numbers):
        stored = TeacherProfile.objects.filter(staff_number__in=chunk).values(
            "id", "staff_number", "user_id", "user__email", *TEACHER_VALUE_FIELDS
        )
        existing.update((profile["staff_number"], profile) for profile in stored)
    taken_usernames = set()
    for chunk in chunks(staff_numbers - existing.keys()):
        taken_usernames.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    return TeacherLookups(schools, existing, taken_usernames, vocabularies(), timezone.localdate().year)


def _staff_number(check: RowChecker, lookups: TeacherLookups) -> str:
    staff_number = check.text("staff_number", max_length=32, required=True)
    if not staff_number:
        return staff_number
    if not STAFF_NUMBER_RE.match(staff_number):
        check.error("staff_number", "bad_staff_number")
    elif staff_number in lookups.first_rows:
        check.error("staff_number", "duplicate_staff_number", first_row=lookups.first_rows[staff_number])
    else:
        lookups.first_rows[staff_number] = check.number
        if staff_number not in lookups.existing and staff_number in lookups.taken_usernames:
            check.error("staff_number", "username_taken")
    return staff_number


def _school(check: RowChecker, lookups: TeacherLookups, values: dict) -> str:
    school_code = check.text("school_code", max_length=32, required=True)
    if school_code:
        school_id = lookups.schools.get(school_code)
        if school_id is None:
            check.error("school_code", "unknown_school")
        else:
            values["school_id"] = school_id
    return school_code


def _phone(check: RowChecker, values: dict):
    phone = check.record.get("phone", "").replace(" ", "").replace("-", "")
    if phone:
        if PHONE_RE.match(phone):
            values["phone"] = phone
        else:
            check.error("phone", "bad_phone")


def _choices(check: RowChecker, words: dict, values: dict):
    for name, vocabulary, required in CHOICE_COLUMNS:
        found = check.choice(name, words[vocabulary], required=required)
        if found is not None:
            values[name] = found
    sci_master = check.yes_no("is_science_engineering_master")
    if sci_master is not None:
        values["is_science_engineering_master"] = sci_master


def _positions(check: RowChecker, words: dict, values: dict):
    positions_text = check.record.get("positions", "")
    if not positions_text:
        return
    held = set()
    for token in LIST_SEPARATORS_RE.split(positions_text):
        if not token or key(token) in NO_POSITION_TERMS:
            continue
        position = words["position"].get(token)
        if position is None:
            check.error("positions", "unknown_position", token=token, vocabulary="position")
        else:
            held.add(position)
    for position, field_name in POSITION_FIELDS.items():
        values[field_name] = position.value in held


def _teaching_since(check: RowChecker, this_year: int, values: dict):
    year_text = check.record.get("teaching_since", "")
    if not year_text:
        return
    match = YEAR_RE.match(year_text)
    year = int(match.group(1)) if match else None
    if year is None or not EARLIEST_TEACHING_YEAR <= year <= this_year:
        check.error("teaching_since", "bad_year", first=EARLIEST_TEACHING_YEAR, last=this_year)
    else:
        values["teaching_since"] = year


def _email(check: RowChecker) -> str:
    email = check.record.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.error("email", "bad_email")
    return email


def _sci_master_degree(check: RowChecker, values: dict, profile: dict | None):
    # The constraint teacher_sci_master_needs_degree, on the values the
    # row leaves in place: a row may set one of the two and keep the other.
    degree = values.get("degree", profile["degree"] if profile else Degree.BACHELOR)
    is_sci_master = values.get(
        "is_science_engineering_master", profile["is_science_engineering_master"] if profile else False
    )
    if is_sci_master and degree not in (Degree.MASTER, Degree.DOCTORATE):
        name = "is_science_engineering_master" if "is_science_engineering_master" in values else "degree"
        check.error(name, "sci_master_needs_degree")


def _plan(number, staff_number, values, school_code, email, profile) -> Plan:
    plan = Plan(row=number, action=ImportRowAction.CREATE, key=staff_number, values=values,
                label=values["real_name"], place=school_code)
    if profile is None:
        plan.email = email
        return plan
    plan.existing = profile
    plan.changes = [name for name, value in values.items() if profile[name] != value]
    if email and email != profile["user__email"]:
        plan.email = email
        plan.changes.append("email")
    plan.action = ImportRowAction.UPDATE if plan.changes else ImportRowAction.UNCHANGED
    return plan


def _check_row(check: RowChecker, lookups: TeacherLookups) -> Plan | None:
    """Every check of one row; its plan, or None if the row has errors."""
    values = {}
    staff_number = _staff_number(check, lookups)
    real_name = check.text("real_name", max_length=64, required=True, code="empty_name")
    if real_name:
        values["real_name"] = real_name
    school_code = _school(check, lookups, values)
    _phone(check, values)
    _choices(check, lookups.words, values)
    _positions(check, lookups.words, values)
    _teaching_since(check, lookups.this_year, values)
    email = _email(check)
    profile = lookups.existing.get(staff_number)
    _sci_master_degree(check, values, profile)
    if not check.ok:
        return None
    return _plan(check.number, staff_number, values, school_code, email, profile)


def validate_teachers(table: Table) -> Validation:
    """Check every row of a teachers file against the database as it is now."""
    return rows_validate(table, lookups=_lookups, check_row=_check_row)
