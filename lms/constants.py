import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The academy's roles. The values are the names of the Django groups
    created by ``lms/migrations/0002_roles_and_districts``."""

    TEACHER = "Teacher", _("Teacher")
    TRAINER = "Trainer", _("Trainer")
    HR = "HR", _("HR")
    DISTRICT_ADMIN = "District admin", _("District admin")
    MENTOR = "Mentor", _("Mentor")
    ACADEMY_ADMIN = "Academy admin", _("Academy admin")


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    FUNCTIONAL_ZONE = "zone", _("Functional zone")


class Locality(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")


class Subject(models.TextChoices):
    SCIENCE = "science", _("Science")
    PHYSICS = "physics", _("Physics")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology")
    GEOGRAPHY = "geography", _("Geography")
    INFORMATION_TECHNOLOGY = "it", _("Information technology")
    GENERAL_TECHNOLOGY = "general_tech", _("General technology")
    MATHEMATICS = "maths", _("Mathematics")


class ProfessionalTitle(models.TextChoices):
    SENIOR_PROFESSOR = "senior_professor", _("Professor-level senior teacher")
    SENIOR = "senior", _("Senior teacher")
    FIRST_GRADE = "first", _("First-grade teacher")
    SECOND_GRADE = "second", _("Second-grade teacher")
    THIRD_GRADE = "third", _("Third-grade teacher")
    UNRANKED = "unranked", _("Not yet ranked")


class Degree(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master's")
    BACHELOR = "bachelor", _("Bachelor's")
    ASSOCIATE = "associate", _("Associate")
    OTHER = "other", _("Other")


class Position(models.TextChoices):
    """Positions a teacher may hold besides teaching; each is a boolean
    column on TeacherProfile so every breakdown can filter and count it."""

    SCIENCE_VICE_PRINCIPAL = "science_vice_principal", _("Science vice-principal")
    LAB_MANAGER = "lab_manager", _("Lab manager")
    TEACHING_RESEARCHER = "teaching_researcher", _("Teaching researcher")
    BACKBONE_TEACHER = "backbone_teacher", _("Backbone teacher")
    SCIENCE_TECH_TUTOR = "science_tech_tutor", _("Science-tech tutor")
    PART_TIME_SCIENCE_TEACHER = "part_time_science_teacher", _("Part-time science teacher")


# Field name on TeacherProfile for each position.
POSITION_FIELDS = {position: f"is_{position.value}" for position in Position}

# The object permission that scopes a district admin to one district.
DISTRICT_MANAGE_PERMISSION = "lms.manage_district"
# Who may upload people imports, see their reports and fetch their files.
IMPORT_PERMISSION = "lms.add_importbatch"


class ImportKind(models.TextChoices):
    """What a people import file holds."""

    SCHOOLS = "schools", _("Schools")
    TEACHERS = "teachers", _("Teachers")


class ImportStatus(models.TextChoices):
    """uploaded → validated | invalid → committing → committed | failed.

    An uploaded batch is waiting for (or in) its dry run; failed means an
    unexpected error, after which nothing of the batch was written."""

    UPLOADED = "uploaded", _("Checking")
    VALIDATED = "validated", _("Ready to commit")
    INVALID = "invalid", _("Has errors")
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")


class ImportRowAction(models.TextChoices):
    """What committing a valid row of an import will do."""

    CREATE = "create", pgettext_lazy("import row action", "New")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")


class CreditCategory(models.TextChoices):
    """What kind of training a ledger entry credits."""

    ONLINE_COURSE = "online_course", _("Online course")
    OFFLINE_WORKSHOP = "offline_workshop", _("Offline workshop")
    RESEARCH_ALONG = "research_along", _("Research-along")
    COHORT_TRAINING = "cohort_training", _("Cohort training")
    EXTERNAL = "external", _("External or recognised training")
    ADJUSTMENT = "adjustment", _("Manual adjustment")


class TallyDimension(models.TextChoices):
    """The breakdowns the dashboards read from ``CreditTally`` rows."""

    TOTAL = "total", _("Total")
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")
    SUBJECT = "subject", _("Subject")
    STAGE = "stage", _("Stage")
    CATEGORY = "category", _("Category")
    MONTH = "month", _("Month")
    LOCALITY = "locality", _("Urban or rural")


# ``CreditTally.district_key`` for the whole city.
CITY = 0


class TargetMetric(models.TextChoices):
    PERSON_TIMES = "person_times", _("Training person-times")
    HOURS = "hours", _("Training hours")
    COHORT_MEMBERS = "cohort_members", _("Cohort members certified")
    SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL = "schools_science_vp", _("Schools with a science vice-principal")
    PRIMARY_SCHOOLS_WITH_SCIENCE_MASTER = "primary_schools_science_master", _(
        "Primary schools with a science/engineering master's science teacher"
    )


class CohortKind(models.TextChoices):
    SUBJECT_LEADER = "subject_leader", _("Subject leaders")
    OLYMPIAD_COACH = "olympiad_coach", _("Olympiad coaches")
    MASTER_TEACHER_STUDIO = "studio", _("Master-teacher studios")


class OlympiadSubject(models.TextChoices):
    """The five Olympiad subjects an Olympiad-coach cohort trains for."""

    MATHEMATICS = "maths", _("Mathematics")
    PHYSICS = "physics", _("Physics")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology")
    INFORMATICS = "informatics", _("Informatics")


class MembershipStatus(models.TextChoices):
    """nominated → under review → admitted → in training → assessed →
    certified; not admitted (after review) or withdrawn (before certified).
    ``lms.cohorts.rules.MEMBERSHIP_TRANSITIONS`` says which step may follow which."""

    NOMINATED = "nominated", _("Nominated")
    UNDER_REVIEW = "under_review", _("Under review")
    ADMITTED = "admitted", _("Admitted")
    IN_TRAINING = "in_training", _("In training")
    ASSESSED = "assessed", _("Assessed")
    CERTIFIED = "certified", _("Certified")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")



# The earliest date a training can be credited for: no ledger entry is older
# than the academy's records (docs/decisions/0065-ledger-date-range.md). Year
# selectors and year URLs start here too.
LEDGER_EARLIEST_DATE = datetime.date(2000, 1, 1)
LEDGER_EARLIEST_YEAR = LEDGER_EARLIEST_DATE.year
