"""What the demo ledger is made of: how often and how long teachers train,
in which months and categories, the trainings' names, HR's corrections and
the demo teacher's own fixed ledger; and ``CreditSpec``, one planned entry."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from lms.constants import CreditCategory, Stage, Subject

# The plan's first two years; the current year is added to them.
LEDGER_YEARS = (2024, 2025)

# The yearly ceiling on research-along hours: a pairing logs many sessions,
# and the academy counts at most this much of them towards a teacher's year.
RESEARCH_ALONG_CAP = Decimal("40")
RESEARCH_ALONG_CAP_NOTE = "科研跟学每年最多认定40学时"

# Share of teachers credited at least once in a year. The academy opened
# in 2024, so its first year reached fewer; rural teachers, farther from
# the workshops and on poorer connections, take part somewhat less.
PARTICIPATION = {2024: 0.70, 2025: 0.82}
PARTICIPATION_LATER = 0.86
RURAL_PARTICIPATION = 0.85
# How many credits a participating teacher has in a year (1 to 6): most
# take one or two trainings, a keen few many more.
CREDITS_PER_YEAR = ((1, 32), (2, 30), (3, 17), (4, 10), (5, 6), (6, 5))
CREDITS_PER_YEAR_RURAL = ((1, 40), (2, 30), (3, 15), (4, 8), (5, 4), (6, 3))
# Share of schools with no credit at all this year, most of them rural, so
# the dashboard has someone to follow up.
QUIET_SCHOOL_SHARE = 0.03
# Adjustments and reversals: a handful a year, as HR makes them.
CORRECTIONS_SHARE = 0.002
CORRECTIONS_PER_YEAR_MAX = 30

# Training happens in term time and in the summer; little around the
# Spring Festival.
MONTH_WEIGHTS = ((1, 6), (2, 3), (3, 10), (4, 11), (5, 10), (6, 8), (7, 12), (8, 10), (9, 8), (10, 9), (11, 10),
                 (12, 7))

CATEGORY_WEIGHTS = (
    (CreditCategory.ONLINE_COURSE, 58), (CreditCategory.OFFLINE_WORKSHOP, 29), (CreditCategory.EXTERNAL, 7),
    (CreditCategory.RESEARCH_ALONG, 4), (CreditCategory.COHORT_TRAINING, 2),
)
# Backbone teachers and teaching researchers are the ones paired with
# researchers and sent to the cohorts' training.
CATEGORY_WEIGHTS_LEADING = (
    (CreditCategory.ONLINE_COURSE, 46), (CreditCategory.OFFLINE_WORKSHOP, 26), (CreditCategory.EXTERNAL, 8),
    (CreditCategory.RESEARCH_ALONG, 12), (CreditCategory.COHORT_TRAINING, 8),
)
CATEGORY_HOURS = {
    CreditCategory.ONLINE_COURSE: ((1, 8), (1.5, 6), (2, 14), (2.5, 6), (3, 14), (4, 12), (5, 6), (6, 8), (8, 5)),
    # Half a day, a day, two days.
    CreditCategory.OFFLINE_WORKSHOP: ((3, 12), (4, 14), (6, 16), (8, 14), (12, 8), (16, 5)),
    CreditCategory.RESEARCH_ALONG: ((8, 6), (12, 8), (16, 7), (20, 4), (24, 3)),
    CreditCategory.EXTERNAL: ((6, 5), (10, 4), (12, 5), (20, 3), (24, 3), (30, 2), (50, 1)),
    CreditCategory.COHORT_TRAINING: ((8, 4), (12, 5), (16, 4), (24, 2)),
}

STAGE_NAMES = {Stage.PRIMARY: "小学", Stage.JUNIOR: "初中", Stage.SENIOR: "高中"}
SUBJECT_NAMES = {
    Subject.SCIENCE: "科学", Subject.PHYSICS: "物理", Subject.CHEMISTRY: "化学", Subject.BIOLOGY: "生物学",
    Subject.GEOGRAPHY: "地理", Subject.INFORMATION_TECHNOLOGY: "信息科技", Subject.GENERAL_TECHNOLOGY: "通用技术",
    Subject.MATHEMATICS: "数学",
}
ONLINE_COURSES = {
    Subject.SCIENCE: ("小学科学探究式教学设计", "小学科学大单元教学设计", "小学科学实验教学的安全规范",
                      "科学观念与探究实践：新课标下的科学课堂", "科学教育中的跨学科主题学习"),
    Subject.PHYSICS: ("高中物理实验创新与数字化实验", "初中物理概念教学与科学思维培养", "物理学史融入课堂教学",
                      "奥林匹克竞赛辅导专题·物理"),
    Subject.CHEMISTRY: ("奥林匹克竞赛辅导专题·化学", "化学实验的绿色化与微型化设计", "初中化学教学评一体化设计"),
    Subject.BIOLOGY: ("生物学实验探究与科学思维", "奥林匹克竞赛辅导专题·生物学", "校园生态观察与生物多样性教学"),
    Subject.GEOGRAPHY: ("地理实践力培养与野外考察设计", "地理信息技术在课堂教学中的应用"),
    Subject.INFORMATION_TECHNOLOGY: ("信息科技课程标准解读", "人工智能启蒙教育课程设计", "编程教学与计算思维培养",
                                     "奥林匹克竞赛辅导专题·信息学"),
    Subject.GENERAL_TECHNOLOGY: ("通用技术设计与制作实践", "创客教育与工程设计思维"),
    Subject.MATHEMATICS: ("数学建模与跨学科问题解决", "奥林匹克竞赛辅导专题·数学", "信息技术与数学教学深度融合"),
}
GENERAL_COURSES = ("科学教育教师素养提升专题", "《义务教育科学课程标准（2022年版）》解读", "教育数字化转型与智慧课堂",
                   "中小学实验室安全管理", "青少年科技创新活动指导")
WORKSHOP_TOPICS = ("实验教学能力提升工作坊", "跨学科主题学习设计工作坊", "大单元教学研讨工作坊", "科技创新大赛辅导工作坊",
                   "城乡联盟送教送培研讨课", "名师工作室开放日")
RESEARCH_PROJECTS = ("山东大学物理学院·凝聚态物理课题组", "山东大学化学与化工学院·功能材料实验室",
                     "济南大学水利与环境学院·水质监测与生态修复", "齐鲁工业大学·生物发酵工程实验室",
                     "山东师范大学地理与环境学院·遥感课题组", "中国科学院软件研究所·开源软件教育项目",
                     "浪潮集团·人工智能教育应用研发", "山东建筑大学·绿色建筑与智能建造课题组",
                     "山东师范大学·科学教育研究中心")
EXTERNAL_TRAININGS = ("国家智慧教育平台·暑期教师研修", "山东省中小学教师全员远程研修", "全国青少年科技创新大赛科技辅导员培训",
                      "中国科协·科学教育教师能力提升培训", "山东省科学教育骨干教师省级培训")
COHORT_TRAININGS = ("济南市学科带头人研修班·集中研修", "济南市奥赛教练培养计划·专家指导与集体研修", "名师工作室研修活动",
                    "济南市骨干教师高端研修班")
# (reason, hours, person-times)
ADJUSTMENTS = (
    ("补录：暑期集中培训签到表漏登", Decimal("6"), 1),
    ("补录：区级教研活动学时，经区教研室确认", Decimal("3"), 1),
    ("核减：线下工作坊中途离场，按实际参训时长核减", Decimal("-2"), 0),
    ("更正：线上课程学时按新的认定标准补足", Decimal("1.5"), 0),
)
REVERSAL_REASONS = ("重复录入，已与签到表核对", "学员未通过结业考核，撤销学时", "误录入其他教师名下，已更正")



class CreditSpec(NamedTuple):
    """One ledger entry of a teacher, as ``credit_record`` would have
    written it: ``hours`` is what counts after the yearly cap. A named tuple,
    not a dataclass: a large academy plans hundreds of thousands of them."""

    staff_number: str
    # The entry's number among the teacher's: with the staff number, the
    # entry's source key.
    number: int
    category: str
    occurred_on: datetime.date
    credited_at: datetime.datetime
    requested_hours: Decimal
    hours: Decimal
    capped_hours: Decimal
    person_times: int
    evidence_label: str = ""
    reason: str = ""
    # The number of the teacher's entry this one reverses.
    reverses: int | None = None

    @property
    def source_key(self):
        return f"demo:{self.staff_number}:{self.number}"


# The demo teacher's own ledger, the same whatever the seed, so the "my
# hours" page always shows a bit of everything: a research-along session over
# the yearly cap, a reversed entry and an HR adjustment. One tuple per ledger
# year: (month, day, category, hours, evidence label, extras).
DEMO_TEACHER_LEDGER = (
    (
        (3, 16, CreditCategory.ONLINE_COURSE, "6", "小学科学探究式教学设计", {}),
        (7, 12, CreditCategory.OFFLINE_WORKSHOP, "12", "小学科学实验教学能力提升工作坊（第1期）", {}),
        (8, 20, CreditCategory.EXTERNAL, "10", "国家智慧教育平台·暑期教师研修", {}),
    ),
    (
        (3, 8, CreditCategory.ONLINE_COURSE, "4", "信息科技课程标准解读", {}),
        (4, 19, CreditCategory.RESEARCH_ALONG, "24", "科研跟学：山东大学物理学院·凝聚态物理课题组", {}),
        (6, 14, CreditCategory.ONLINE_COURSE, "3", "小学科学大单元教学设计",
         {"reversed_because": "重复录入，已与签到表核对"}),
        # 24 + 20 is over the cap of 40: 16 hours count, 4 are capped.
        (9, 27, CreditCategory.RESEARCH_ALONG, "20", "科研跟学：山东大学物理学院·凝聚态物理课题组", {}),
        (11, 15, CreditCategory.OFFLINE_WORKSHOP, "8", "小学科学跨学科主题学习设计工作坊（第2期）", {}),
    ),
    (
        (3, 14, CreditCategory.ONLINE_COURSE, "5", "科学教育中的跨学科主题学习", {}),
        (5, 23, CreditCategory.OFFLINE_WORKSHOP, "6", "小学科学大单元教学研讨工作坊（第3期）", {}),
        (7, 10, CreditCategory.COHORT_TRAINING, "16", "济南市骨干教师高端研修班", {}),
        (9, 12, CreditCategory.ADJUSTMENT, "2", "", {"reason": "补录：区级教研活动学时，经区教研室确认",
                                                    "person_times": 0}),
        (10, 18, CreditCategory.ONLINE_COURSE, "2.5", "人工智能启蒙教育课程设计", {}),
    ),
)
