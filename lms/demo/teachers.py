"""The demo academy's science teachers: the demo teacher and thousands of
generated ones, spread over the schools by school size."""

from dataclasses import dataclass

from lms.constants import Degree, Locality, ProfessionalTitle, Stage, Subject
from lms.db.bulk import rows_insert
from lms.demo.accounts import DEMO_LOGINS
from lms.demo.draw import largest_remainder, weighted_picker, words
from lms.demo.schools import DISTRICT_PROFILES
from lms.models import TeacherProfile

# Years of service and titles are counted back from here rather than from
# today, so that a seed gives the same academy in any year.
REFERENCE_YEAR = 2025

# Share of schools that have appointed a science vice-principal: below 100%
# so the dashboard's "one in every school" target has something to show.
SCIENCE_VICE_PRINCIPAL_COVERAGE = 0.86

DEMO_TEACHER_USERNAME = "teacher"
DEMO_TEACHER_DISTRICT = "370102"
DEMO_TEACHER_SINCE = 2012

# Main subjects of the science-related teachers at each stage.
STAGE_SUBJECTS = {
    Stage.PRIMARY: ((Subject.SCIENCE, 80), (Subject.MATHEMATICS, 12), (Subject.INFORMATION_TECHNOLOGY, 8)),
    Stage.JUNIOR: (
        (Subject.PHYSICS, 22), (Subject.CHEMISTRY, 14), (Subject.BIOLOGY, 18), (Subject.GEOGRAPHY, 16),
        (Subject.INFORMATION_TECHNOLOGY, 12), (Subject.MATHEMATICS, 18),
    ),
    Stage.SENIOR: (
        (Subject.PHYSICS, 19), (Subject.CHEMISTRY, 17), (Subject.BIOLOGY, 16), (Subject.GEOGRAPHY, 12),
        (Subject.INFORMATION_TECHNOLOGY, 8), (Subject.GENERAL_TECHNOLOGY, 7), (Subject.MATHEMATICS, 21),
    ),
}
# Within a school that has several stages, how many teachers each stage has.
STAGE_WEIGHT = {Stage.PRIMARY: 1.0, Stage.JUNIOR: 1.3, Stage.SENIOR: 1.5}
FEMALE_SHARE = {Stage.PRIMARY: 0.72, Stage.JUNIOR: 0.58, Stage.SENIOR: 0.50}
LAB_SUBJECTS = (Subject.PHYSICS, Subject.CHEMISTRY, Subject.BIOLOGY, Subject.SCIENCE)
TUTOR_SUBJECTS = (Subject.INFORMATION_TECHNOLOGY, Subject.GENERAL_TECHNOLOGY, Subject.PHYSICS)
SENIOR_TITLES = (ProfessionalTitle.FIRST_GRADE, ProfessionalTitle.SENIOR, ProfessionalTitle.SENIOR_PROFESSOR)

# Mobile number blocks of the three carriers.
MOBILE_PREFIXES = words(
    "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198 "
    "130 131 132 145 155 156 166 175 176 185 186 133 149 153 173 177 180 181 189 199"
)
PHONE_MISSING_SHARE = 0.03


@dataclass
class TeacherSpec:
    username: str
    real_name: str
    name_romanised: str
    staff_number: str
    phone: str
    school_code: str
    stage: str
    subject: str
    second_subject: str = ""
    title: str = ProfessionalTitle.UNRANKED
    degree: str = Degree.BACHELOR
    is_science_engineering_master: bool = False
    teaching_since: int | None = None
    is_science_vice_principal: bool = False
    is_lab_manager: bool = False
    is_teaching_researcher: bool = False
    is_backbone_teacher: bool = False
    is_science_tech_tutor: bool = False
    is_part_time_science_teacher: bool = False


# TeacherSpec attributes stored as they are on TeacherProfile.
PROFILE_FIELDS = (
    "real_name", "name_romanised", "staff_number", "phone", "stage", "subject", "second_subject", "title", "degree",
    "is_science_engineering_master", "teaching_since", "is_science_vice_principal", "is_lab_manager",
    "is_teaching_researcher", "is_backbone_teacher", "is_science_tech_tutor", "is_part_time_science_teacher",
)


class _TeacherMaker:
    def __init__(self, rng, *, names):
        self.rng = rng
        self.names = names
        self.subject_pickers = {stage: weighted_picker(pairs) for stage, pairs in STAGE_SUBJECTS.items()}
        self.stage_pickers = {}
        self.phones = set()
        self.sequence = 0

    def phone(self):
        rng = self.rng
        if rng.random() < PHONE_MISSING_SHARE:
            return ""
        while True:
            number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def title(self, years):
        roll = self.rng.random()
        if years <= 1:
            return ProfessionalTitle.UNRANKED if roll < 0.75 else ProfessionalTitle.THIRD_GRADE
        if years <= 5:
            if roll < 0.08:
                return ProfessionalTitle.UNRANKED
            return ProfessionalTitle.SECOND_GRADE if roll < 0.92 else ProfessionalTitle.FIRST_GRADE
        if years <= 12:
            return ProfessionalTitle.FIRST_GRADE if roll < 0.6 else ProfessionalTitle.SECOND_GRADE
        if years <= 20:
            if roll < 0.3:
                return ProfessionalTitle.SENIOR
            return ProfessionalTitle.FIRST_GRADE if roll < 0.9 else ProfessionalTitle.SECOND_GRADE
        if roll < 0.02:
            return ProfessionalTitle.SENIOR_PROFESSOR
        return ProfessionalTitle.SENIOR if roll < 0.57 else ProfessionalTitle.FIRST_GRADE

    def degree(self, years, stage):
        roll = self.rng.random()
        # Master's degrees became common among new teachers only in the
        # 2010s, and senior high schools recruit them first.
        master = {Stage.PRIMARY: -0.08, Stage.JUNIOR: 0.0, Stage.SENIOR: 0.12}[stage]
        if years >= 25:
            if roll < 0.22:
                return Degree.ASSOCIATE
            if roll < 0.24:
                return Degree.OTHER
            return Degree.MASTER if roll > 0.97 - master / 2 else Degree.BACHELOR
        if years >= 13:
            if roll < 0.05:
                return Degree.ASSOCIATE
            return Degree.MASTER if roll > 0.86 - master else Degree.BACHELOR
        if roll < 0.015 + (0.02 if stage == Stage.SENIOR else 0):
            return Degree.DOCTORATE
        return Degree.MASTER if roll > 0.64 - master else Degree.BACHELOR

    def teacher(self, school, *, district_profile):
        rng = self.rng
        stages = tuple(school.stages)
        if stages not in self.stage_pickers:
            self.stage_pickers[stages] = weighted_picker([(stage, STAGE_WEIGHT[stage]) for stage in stages])
        stage = self.stage_pickers[stages](rng)
        years = min(38, int(rng.triangular(0, 39, 9)))
        teaching_since = REFERENCE_YEAR - years
        older = rng.random() < (0.8 if teaching_since < 2000 else 0.5 if teaching_since < 2012 else 0.1)
        real_name, romanised = self.names.person(
            rng, female=rng.random() < FEMALE_SHARE[stage], older=older,
            local_surnames=district_profile.local_surnames,
        )
        subject = self.subject_pickers[stage](rng)
        second_subject = ""
        part_time_science = False
        if stage == Stage.PRIMARY and subject != Subject.SCIENCE:
            # Primary maths and IT teachers are who most schools ask to
            # cover science classes too (兼职科学教师).
            if rng.random() < 0.6:
                second_subject, part_time_science = Subject.SCIENCE, True
        elif rng.random() < 0.07:
            others = [s for s, _w in STAGE_SUBJECTS[stage] if s != subject]
            second_subject = rng.choice(others)
        title = self.title(years)
        degree = self.degree(years, stage)
        advanced = degree in (Degree.MASTER, Degree.DOCTORATE)
        # Many primary science teachers' master's degrees are in education,
        # not in a science or engineering field.
        science_master = advanced and rng.random() < (0.45 if subject == Subject.SCIENCE else 0.65)
        experienced = years >= 5 and title in SENIOR_TITLES
        self.sequence += 1
        # Entry year and a running number, as many school HR systems do.
        staff_number = f"{teaching_since}{self.sequence:06d}"
        return TeacherSpec(
            username=staff_number,
            real_name=real_name,
            name_romanised=romanised,
            staff_number=staff_number,
            phone=self.phone(),
            school_code=school.code,
            stage=stage,
            subject=subject,
            second_subject=second_subject,
            title=title,
            degree=degree,
            is_science_engineering_master=science_master,
            teaching_since=teaching_since,
            is_lab_manager=rng.random() < (0.12 if subject in LAB_SUBJECTS and stage != Stage.PRIMARY else 0.05),
            is_teaching_researcher=years >= 8 and rng.random() < 0.025,
            is_backbone_teacher=rng.random() < (0.22 if experienced else 0.02),
            is_science_tech_tutor=rng.random() < (0.16 if subject in TUTOR_SUBJECTS else 0.07),
            is_part_time_science_teacher=part_time_science,
        )


def _demo_teacher(schools):
    school = next(
        (s for s in schools if s.district_code == DEMO_TEACHER_DISTRICT and s.stages == [Stage.PRIMARY]
         and s.locality == Locality.URBAN),
        None,
    ) or next(s for s in schools if s.district_code == DEMO_TEACHER_DISTRICT and s.has_primary)
    real_name = next(name for username, _role, name, _hint in DEMO_LOGINS if username == DEMO_TEACHER_USERNAME)
    return TeacherSpec(
        username=DEMO_TEACHER_USERNAME,
        real_name=real_name,
        name_romanised="",
        # Sequence 0: generated teachers count from 1, so this never clashes.
        staff_number=f"{DEMO_TEACHER_SINCE}{0:06d}",
        phone="",
        school_code=school.code,
        stage=Stage.PRIMARY,
        subject=Subject.SCIENCE,
        title=ProfessionalTitle.FIRST_GRADE,
        degree=Degree.BACHELOR,
        teaching_since=DEMO_TEACHER_SINCE,
        is_backbone_teacher=True,
    )


def teachers_plan(rng, *, schools, count, names):
    demo = _demo_teacher(schools)
    generated = count - 1
    if generated >= len(schools):
        # Every school gets a teacher before bigger schools get more.
        per_school = [1 + n for n in largest_remainder([s.size for s in schools], generated - len(schools))]
    else:
        per_school = largest_remainder([s.size for s in schools], generated)
    profiles = {profile.code: profile for profile in DISTRICT_PROFILES}
    maker = _TeacherMaker(rng, names=names)
    teachers = [demo]
    for school, school_count in zip(schools, per_school):
        staff = [maker.teacher(school, district_profile=profiles[school.district_code]) for _ in range(school_count)]
        if staff and rng.random() < SCIENCE_VICE_PRINCIPAL_COVERAGE:
            candidates = [t for t in staff if t.title in SENIOR_TITLES and REFERENCE_YEAR - t.teaching_since >= 8]
            rng.choice(candidates or staff).is_science_vice_principal = True
        teachers.extend(staff)
    return teachers


def profiles_create(teachers, *, user_ids, school_ids):
    """Every planned teacher's profile, in one bulk insert."""
    rows_insert(
        TeacherProfile,
        ("user", "school", *PROFILE_FIELDS),
        [
            (user_ids[teacher.username], school_ids[teacher.school_code],
             *(getattr(teacher, name) for name in PROFILE_FIELDS))
            for teacher in teachers
        ],
    )
