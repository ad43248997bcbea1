"""Checking the rows of a schools file: each row's cells, then what a commit
would do with it (create, update or leave unchanged the school with that code)."""

from dataclasses import dataclass, field

from lms.constants import ImportRowAction, Stage
from lms.imports.checks import Plan, RowChecker, Validation, chunks, rows_validate
from lms.imports.tabular import Table
from lms.imports.vocabulary import (
    LIST_SEPARATORS_RE,
    STAGE_COMBINATIONS,
    STAGE_TERMS_LONGEST_FIRST,
    key,
    vocabularies,
)
from lms.people.models import District, School

SCHOOL_VALUE_FIELDS = ("name", "district_id", "has_primary", "has_junior", "has_senior", "locality")


@dataclass
class SchoolLookups:
    districts: dict  # district code or name (as compared) → District
    existing: dict  # school code → the stored school's values
    words: dict
    first_rows: dict = field(default_factory=dict)  # school code → first row using it


def _lookups(records) -> SchoolLookups:
    districts = {}
    for district in District.objects.all():
        districts[key(district.code)] = district
        districts[key(district.name)] = district
    codes = {record.get("code") for _n, record in records} - {""}
    existing = {}
    for chunk in chunks(codes):
        stored = School.objects.filter(code__in=chunk).values("id", "code", *SCHOOL_VALUE_FIELDS)
        existing.update((school["code"], school) for school in stored)
    return SchoolLookups(districts, existing, vocabularies())


def parse_stages(text, vocabulary):
    """The set of stages a 学段 cell names ("小学、初中", "九年一贯制",
    "primary, junior", "小学初中"), or None if part of it is not a stage."""
    stages = set()
    for token in LIST_SEPARATORS_RE.split(text):
        if not token:
            continue
        if token in STAGE_COMBINATIONS:
            stages.update(STAGE_COMBINATIONS[token])
            continue
        found = vocabulary.get(token)
        if found is not None:
            stages.add(found)
            continue
        # Run-together Chinese terms such as 小学初中.
        rest = token
        while rest:
            for term, stage in STAGE_TERMS_LONGEST_FIRST:
                if rest.startswith(term):
                    stages.add(stage)
                    rest = rest[len(term) :]
                    break
            else:
                return None
    return stages


def _code(check: RowChecker, lookups: SchoolLookups) -> str:
    code = check.text("code", max_length=32, required=True)
    if code:
        if code in lookups.first_rows:
            check.error("code", "duplicate_school_code", first_row=lookups.first_rows[code])
        else:
            lookups.first_rows[code] = check.number
    return code


def _district(check: RowChecker, lookups: SchoolLookups, values: dict):
    district_text = check.record.get("district", "")
    district = lookups.districts.get(key(district_text)) if district_text else None
    if not district_text:
        check.error("district", "required")
    elif district is None:
        check.error("district", "unknown_district")
    else:
        values["district_id"] = district.pk
    return district


def _stages(check: RowChecker, lookups: SchoolLookups, values: dict):
    stages = parse_stages(check.record.get("stages", ""), lookups.words["stage"])
    if stages is None:
        check.error("stages", "unknown_choice", vocabulary="stage")
    elif not stages:
        check.error("stages", "no_stage")
    else:
        values["has_primary"] = Stage.PRIMARY in stages
        values["has_junior"] = Stage.JUNIOR in stages
        values["has_senior"] = Stage.SENIOR in stages


def _check_row(check: RowChecker, lookups: SchoolLookups) -> Plan | None:
    """Every check of one row; its plan, or None if the row has errors."""
    values = {}
    code = _code(check, lookups)
    name = check.text("name", max_length=128, required=True, code="empty_name")
    if name:
        values["name"] = name
    district = _district(check, lookups, values)
    _stages(check, lookups, values)
    locality = check.choice("locality", lookups.words["locality"], required=True)
    if locality:
        values["locality"] = locality
    if not check.ok:
        return None
    plan = Plan(row=check.number, action=ImportRowAction.CREATE, key=code, values=values, label=name,
                place=district.name)
    school = lookups.existing.get(code)
    if school is not None:
        plan.existing = school
        plan.changes = [field for field, value in values.items() if school[field] != value]
        plan.action = ImportRowAction.UPDATE if plan.changes else ImportRowAction.UNCHANGED
    return plan


def validate_schools(table: Table) -> Validation:
    """Check every row of a schools file against the database as it is now."""
    return rows_validate(table, lookups=_lookups, check_row=_check_row)
