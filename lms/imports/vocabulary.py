"""The people templates' columns and the words their cells may use.

The Chinese terms are part of the file format, not translations of the UI:
they are what the templates and the schools' own spreadsheets say, whatever
language the admin is shown in, so they live here rather than in a .po file.
Choice columns take the Chinese term, the code value or the label in either
language (``Vocabulary``).
"""

import re
import unicodedata

from django.utils import translation

from lms.constants import Degree, ImportKind, Locality, Position, ProfessionalTitle, Stage, Subject
from lms.imports.tabular import Column

LIST_SEPARATORS_RE = re.compile(r"[、,，;；\s]+")

# --- columns ------------------------------------------------------------------

TEACHER_COLUMNS = (
    Column("staff_number", "工号", required=True, aliases=("职工号", "staff number", "staff no")),
    Column("real_name", "姓名", required=True, aliases=("name",)),
    Column("school_code", "学校代码", required=True, aliases=("学校编码", "school")),
    Column("phone", "手机", aliases=("手机号", "手机号码", "mobile")),
    Column("subject", "学科", required=True, aliases=("任教学科", "主学科")),
    Column("second_subject", "第二学科"),
    Column("stage", "学段", required=True, aliases=("任教学段",)),
    Column("title", "职称", aliases=("professional_title",)),
    Column("degree", "学历", aliases=("最高学历",)),
    Column("is_science_engineering_master", "理工类硕士", aliases=("science_engineering_master",)),
    Column("positions", "岗位"),
    Column("teaching_since", "从教年份", aliases=("teaching since",)),
    Column("email", "邮箱", aliases=("电子邮箱", "e-mail")),
)

SCHOOL_COLUMNS = (
    Column("code", "学校代码", required=True, aliases=("学校编码", "school_code")),
    Column("name", "学校名称", required=True, aliases=("名称",)),
    Column("district", "区县", required=True, aliases=("所属区县",)),
    Column("stages", "学段", required=True, aliases=("办学学段",)),
    Column("locality", "城乡", required=True, aliases=("城乡类别",)),
)

COLUMNS = {ImportKind.TEACHERS: TEACHER_COLUMNS, ImportKind.SCHOOLS: SCHOOL_COLUMNS}

# Names are kept exactly as typed; every other cell is NFKC-normalised so that
# full-width digits and letters (１３８…, Ｓ００１) read as their ASCII forms.
VERBATIM_FIELDS = {"real_name", "name"}


def template_headers(kind) -> list[str]:
    """The header row of the official template for ``kind``."""
    return [column.header for column in COLUMNS[kind]]


# --- vocabulary ---------------------------------------------------------------

SUBJECT_TERMS = {
    Subject.SCIENCE: ("科学",),
    Subject.PHYSICS: ("物理",),
    Subject.CHEMISTRY: ("化学",),
    Subject.BIOLOGY: ("生物", "生物学"),
    Subject.GEOGRAPHY: ("地理",),
    Subject.INFORMATION_TECHNOLOGY: ("信息技术", "信息科技"),
    Subject.GENERAL_TECHNOLOGY: ("通用技术",),
    Subject.MATHEMATICS: ("数学",),
}
STAGE_TERMS = {
    Stage.PRIMARY: ("小学",),
    Stage.JUNIOR: ("初中", "初级中学"),
    Stage.SENIOR: ("高中", "高级中学"),
}
STAGE_TERMS_LONGEST_FIRST = sorted(
    ((term, stage) for stage, terms in STAGE_TERMS.items() for term in terms), key=lambda pair: -len(pair[0])
)
# School types that name several stages at once.
STAGE_COMBINATIONS = {
    "九年一贯制": (Stage.PRIMARY, Stage.JUNIOR),
    "完全中学": (Stage.JUNIOR, Stage.SENIOR),
    "十二年一贯制": (Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR),
}
TITLE_TERMS = {
    ProfessionalTitle.SENIOR_PROFESSOR: ("正高级教师", "正高级"),
    ProfessionalTitle.SENIOR: ("高级教师", "高级", "副高级教师", "副高级"),
    ProfessionalTitle.FIRST_GRADE: ("一级教师", "一级"),
    ProfessionalTitle.SECOND_GRADE: ("二级教师", "二级"),
    ProfessionalTitle.THIRD_GRADE: ("三级教师", "三级"),
    ProfessionalTitle.UNRANKED: ("未定级", "无职称"),
}
DEGREE_TERMS = {
    Degree.DOCTORATE: ("博士", "博士研究生"),
    Degree.MASTER: ("硕士", "硕士研究生", "研究生"),
    Degree.BACHELOR: ("本科", "学士", "大学本科"),
    Degree.ASSOCIATE: ("专科", "大专", "大学专科"),
    Degree.OTHER: ("其他",),
}
POSITION_TERMS = {
    Position.SCIENCE_VICE_PRINCIPAL: ("科学副校长",),
    Position.LAB_MANAGER: ("实验员", "实验室管理员"),
    Position.TEACHING_RESEARCHER: ("教研员",),
    Position.BACKBONE_TEACHER: ("骨干教师",),
    Position.SCIENCE_TECH_TUTOR: ("科技辅导员",),
    Position.PART_TIME_SCIENCE_TEACHER: ("兼职科学教师",),
}
# A 岗位 cell saying the teacher holds none of the positions.
NO_POSITION_TERMS = {"无", "none"}
LOCALITY_TERMS = {
    Locality.URBAN: ("城区", "城镇", "城市"),
    Locality.RURAL: ("农村", "乡村"),
}
YES_TERMS = {"是", "yes", "y", "1", "true", "√"}
NO_TERMS = {"否", "no", "n", "0", "false", "×"}


def key(text) -> str:
    """A cell or term as compared: NFKC, case-folded, runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


VOCABULARIES = {
    "subject": (Subject, SUBJECT_TERMS),
    "stage": (Stage, STAGE_TERMS),
    "title": (ProfessionalTitle, TITLE_TERMS),
    "degree": (Degree, DEGREE_TERMS),
    "position": (Position, POSITION_TERMS),
    "locality": (Locality, LOCALITY_TERMS),
}


def vocabulary_hint(name) -> str:
    """What a cell of vocabulary ``name`` may say: "科学 (science), 物理 (physics), …"."""
    choices, terms = VOCABULARIES[name]
    return ", ".join(f"{terms[choice][0]} ({choice.value})" for choice in choices)


class Vocabulary:
    """Maps what a cell may say (Chinese term, code value, label in either
    language) to the choice value."""

    def __init__(self, name):
        self.name = name
        self.lookup = {}
        choices, terms = VOCABULARIES[name]
        for choice in choices:
            names = [choice.value, *terms[choice]]
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    names.append(str(choice.label))
            for name in names:
                self.lookup.setdefault(key(name), choice.value)

    def get(self, text):
        return self.lookup.get(key(text))


def vocabularies() -> dict:
    # Built per check, not at import: the labels depend on the catalogues.
    return {name: Vocabulary(name) for name in VOCABULARIES}
