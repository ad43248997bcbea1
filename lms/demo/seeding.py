"""The demo academy: about 300 schools across Jinan's districts and zones,
thousands of science teachers and a few accounts for every role.

Two halves. ``demo_academy_plan`` is pure: from a seed and a teacher count it
builds plain dataclasses and never touches the database, so determinism can
be checked by comparing plans. ``demo_academy_seed`` writes a plan in one
transaction with a fixed number of statements, because saving 50,000
teachers one by one (signals, a password hash each) would take far longer
than anyone waits for ``make run``.

Everything random comes from ``random.Random`` instances seeded from the
seed and a stream name, never from the global generator, and nothing
iterates a set: set order depends on ``PYTHONHASHSEED`` and would make two
runs of the same seed differ.

The ledger covers 2024, 2025 and the current year, so its last year (and
only that) depends on the day the academy is seeded as well as on the seed.
"""

import datetime
import logging
import random
from bisect import bisect
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.constants import CreditCategory, Degree, Locality, ProfessionalTitle, Role, Stage, Subject
from lms.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from lms.ledger.services import tally_rows
from lms.models import CreditCap, CreditTally, District, School, TeacherProfile, TeacherYearTally, TrainingCredit
from lms.people.services import district_admin_assign, user_role_add

logger = logging.getLogger(__name__)

DEFAULT_SEED = 2024
DEFAULT_TEACHER_COUNT = 3000

# Years of service and titles are counted back from here rather than from
# today, so that a seed gives the same academy in any year.
REFERENCE_YEAR = 2025

# Share of schools that have appointed a science vice-principal: below 100%
# so the dashboard's "one in every school" target has something to show.
SCIENCE_VICE_PRINCIPAL_COVERAGE = 0.86

SUPERUSER_USERNAME = "admin"
DEMO_TEACHER_USERNAME = "teacher"
DEMO_TEACHER_DISTRICT = "370102"
DEMO_TEACHER_SINCE = 2012
DEMO_EMAIL_DOMAIN = "jinan-academy.example"

DATABASE_NOT_EMPTY = _(
    "The database already has users or schools, and seed_demo only fills an empty database. "
    "Use a fresh database (for the embedded one: make clean, then make run)."
)
ALREADY_LOADED = _("The database already has data; the demo academy is not loaded again.")
DISTRICTS_MISSING = _("Districts %(codes)s are missing: run manage.py migrate first.")
TEACHER_COUNT_TOO_SMALL = _("The demo academy needs at least one teacher (the demo teacher account).")


class DemoAcademyError(Exception):
    """The database is not in a state the demo academy can be loaded into."""


class DatabaseNotEmpty(DemoAcademyError):
    pass


# --------------------------------------------------------------------------
# Reference data: districts, school kinds, names
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictProfile:
    code: str
    # Urban schools are named "济南市历下区…"; rural ones by their district and
    # town only ("章丘区埠村街道…"), the way they are signed locally.
    urban_prefix: str
    rural_prefix: str
    school_count: int
    rural_share: float
    urban_areas: tuple
    rural_towns: tuple
    # Surnames much commoner here than in the province as a whole.
    local_surnames: tuple = ()


def _words(text):
    return tuple(text.split())


# School counts follow the rough size of each school system (about 300 in
# all); rural shares follow how much of each district is countryside.
DISTRICT_PROFILES = (
    DistrictProfile(
        "370102", "济南市历下区", "历下区", 30, 0.03,
        _words("燕山 甸柳 历山 佛山街 解放路 东关 姚家 千佛山 趵突泉 大明湖 文东 建新 羊头峪 山师东路 舜华 奥体"),
        _words("龙洞街道 智远街道"),
    ),
    DistrictProfile(
        "370103", "济南市市中区", "市中区", 28, 0.07,
        _words("舜耕 舜玉 泺源 大观园 杆石桥 四里村 魏家庄 经五路 七里山 六里山 王官庄 七贤 白马山 英雄山 纬二路"),
        _words("党家街道 陡沟街道 兴隆街道 十六里河街道"),
    ),
    DistrictProfile(
        "370104", "济南市槐荫区", "槐荫区", 20, 0.10,
        _words("振兴街 中大槐树 道德街 西市场 五里沟 营市街 青年公园 南辛庄 段店 张庄路 匡山 美里湖 腊山 兴福 经十西路"),
        _words("玉清湖街道 吴家堡街道"),
    ),
    DistrictProfile(
        "370105", "济南市天桥区", "天桥区", 20, 0.06,
        _words("无影山 北村 南村 堤口路 北坦 制锦市 宝华街 官扎营 纬北路 药山 北园 泺口 工人新村 天桥东街"),
        _words("泺口街道 药山街道"),
    ),
    DistrictProfile(
        "370112", "济南市历城区", "历城区", 36, 0.25,
        _words("山大路 洪家楼 东风 全福 华山 荷花路 王舍人 鲍山 祝甸 花园路 唐冶 洪山 山大北路"),
        _words("董家街道 遥墙街道 临港街道 彩石街道 港沟街道 唐王街道 郭店街道"),
    ),
    DistrictProfile(
        "370113", "济南市长清区", "长清区", 18, 0.55,
        _words("文昌 崮云湖 平安 清河 大学城 长清湖"),
        _words("五峰山街道 归德街道 孝里街道 万德街道 张夏街道 马山镇 双泉镇"),
    ),
    DistrictProfile(
        "370114", "济南市章丘区", "章丘区", 30, 0.55,
        _words("明水 双山 圣井 绣水 百脉泉 汇泉 清照 龙泉 东山"),
        _words(
            "埠村街道 枣园街道 龙山街道 相公庄街道 绣惠街道 宁家埠街道 官庄街道 文祖街道 曹范街道 "
            "白云湖街道 高官寨街道 普集街道 刁镇 黄河街道 垛庄镇"
        ),
    ),
    DistrictProfile(
        "370115", "济南市济阳区", "济阳区", 18, 0.60,
        _words("济阳 济北 澄波湖 开元 富阳"),
        _words("回河街道 垛石街道 曲堤街道 仁风镇 新市镇"),
    ),
    DistrictProfile(
        "370116", "济南市莱芜区", "莱芜区", 24, 0.50,
        _words("凤城 张家洼 高庄 鹏泉 花园 汶河 莲河 鲁中"),
        _words("口镇 羊里街道 方下街道 雪野街道 大王庄镇 寨里镇 杨庄镇 茶业口镇 和庄镇 苗山镇 牛泉镇"),
        local_surnames=("亓", "吕", "毕"),
    ),
    DistrictProfile(
        "370117", "济南市钢城区", "钢城区", 8, 0.50,
        _words("艾山 汶源 府前 钢都"),
        _words("里辛街道 颜庄街道 辛庄街道"),
        local_surnames=("亓", "吕"),
    ),
    DistrictProfile(
        "370124", "平阴县", "平阴县", 14, 0.60,
        _words("榆山 锦水 翠屏 书院 玫城"),
        _words("东阿镇 玫瑰镇 洪范池镇 孔村镇 孝直镇 安城镇"),
    ),
    DistrictProfile(
        "370126", "商河县", "商河县", 16, 0.70,
        _words("许商 温泉 鼓子 商都"),
        _words("殷巷镇 怀仁镇 龙桑寺镇 郑路镇 贾庄镇 玉皇庙镇 白桥镇 孙集镇 韩庙镇 沙河镇 张坊镇"),
    ),
    DistrictProfile(
        "JNGX", "济南高新区", "济南高新区", 16, 0.15,
        _words("舜华路 汉峪 新泺大街 凤凰路 奥体西 舜泰"),
        _words("巨野河街道 孙村街道 章锦街道"),
    ),
    DistrictProfile(
        "JNNB", "济南市南部山区", "南部山区", 12, 0.80,
        _words("仲宫 柳埠 锦绣川"),
        _words("仲宫街道 柳埠街道 西营街道 高而街道 锦绣川街道"),
    ),
    DistrictProfile(
        "JNQB", "济南新旧动能转换起步区", "起步区", 10, 0.60,
        _words("崔寨 大桥 鹊华 黄河北"),
        _words("太平街道 孙耿街道 崔寨街道 大桥街道 桑梓店街道"),
    ),
)

# Names any district may use for an urban school.
COMMON_SCHOOL_NAMES = _words("育英 明德 博文 启明 阳光 春晖 朝阳 新苑 胜利 东方 致远 弘毅 泉海 景山")


@dataclass(frozen=True)
class SchoolKind:
    key: str
    has_primary: bool
    has_junior: bool
    has_senior: bool
    share: float
    # How readily this kind of school is a rural one.
    rural_affinity: float
    # Relative number of science-related teachers.
    size: float


PRIMARY_SCHOOL = SchoolKind("primary", True, False, False, 0.58, 1.0, 1.0)
JUNIOR_SCHOOL = SchoolKind("junior", False, True, False, 0.14, 0.8, 1.3)
NINE_YEAR_SCHOOL = SchoolKind("nine_year", True, True, False, 0.12, 1.0, 1.6)  # 九年一贯制
SENIOR_SCHOOL = SchoolKind("senior", False, False, True, 0.08, 0.15, 1.8)
COMPLETE_SCHOOL = SchoolKind("complete", False, True, True, 0.08, 0.25, 2.4)  # 完全中学
SCHOOL_KINDS = (PRIMARY_SCHOOL, JUNIOR_SCHOOL, NINE_YEAR_SCHOOL, SENIOR_SCHOOL, COMPLETE_SCHOOL)
RURAL_SCHOOL_SIZE = 0.55

# Surnames with a rough frequency in Shandong (per mille) and their pinyin.
SURNAMES = (
    ("王", "Wang", 90), ("张", "Zhang", 85), ("李", "Li", 80), ("刘", "Liu", 60), ("孙", "Sun", 30),
    ("陈", "Chen", 25), ("杨", "Yang", 25), ("赵", "Zhao", 25), ("徐", "Xu", 20), ("高", "Gao", 20),
    ("马", "Ma", 18), ("于", "Yu", 16), ("郭", "Guo", 14), ("宋", "Song", 12), ("韩", "Han", 12),
    ("吕", "Lyu", 8), ("孟", "Meng", 10), ("朱", "Zhu", 10), ("董", "Dong", 10), ("田", "Tian", 9),
    ("吴", "Wu", 9), ("周", "Zhou", 9), ("曹", "Cao", 8), ("胡", "Hu", 7), ("崔", "Cui", 7),
    ("姜", "Jiang", 6), ("魏", "Wei", 6), ("许", "Xu", 6), ("郑", "Zheng", 5), ("秦", "Qin", 5),
    ("程", "Cheng", 5), ("贾", "Jia", 5), ("冯", "Feng", 5), ("侯", "Hou", 5), ("黄", "Huang", 5),
    ("邢", "Xing", 4), ("苏", "Su", 4), ("谢", "Xie", 4), ("何", "He", 4), ("袁", "Yuan", 4),
    ("石", "Shi", 4), ("亓", "Qi", 2), ("薛", "Xue", 3), ("房", "Fang", 3), ("宁", "Ning", 3),
    ("毕", "Bi", 3), ("尹", "Yin", 3), ("蒋", "Jiang", 3), ("林", "Lin", 3), ("路", "Lu", 3),
    ("牛", "Niu", 3), ("范", "Fan", 3), ("付", "Fu", 3), ("鹿", "Lu", 2), ("商", "Shang", 2),
    ("欧阳", "Ouyang", 0.5),
)
LOCAL_SURNAME_BOOST = 8


def _chars(text):
    """``"伟wei 强qiang"`` → ``(("伟", "wei"), ("强", "qiang"))``."""
    return tuple((item[0], item[1:]) for item in text.split())


# Given-name characters by sex and by generation: teachers who started in
# the 1980s and 1990s carry different names from those who started lately.
GIVEN_NAME_CHARS = {
    ("male", "older"): (
        _chars("建jian 国guo 志zhi 宏hong 永yong 庆qing 德de 学xue 洪hong 振zhen 立li 春chun 兆zhao 传chuan 明ming "
               "文wen 海hai 广guang 成cheng 玉yu"),
        _chars("国guo 华hua 军jun 民min 平ping 强qiang 林lin 明ming 东dong 伟wei 刚gang 勇yong 峰feng 江jiang "
               "生sheng 忠zhong 亮liang 山shan 波bo 福fu"),
    ),
    ("male", "younger"): (
        _chars("子zi 浩hao 宇yu 俊jun 晨chen 博bo 嘉jia 天tian 思si 一yi 泽ze 家jia 鹏peng 晓xiao 文wen 明ming "
               "凯kai 梓zi 昊hao 志zhi"),
        _chars("轩xuan 涛tao 杰jie 磊lei 鹏peng 超chao 宇yu 辰chen 航hang 阳yang 凯kai 斌bin 琦qi 然ran 豪hao "
               "帆fan 铭ming 瑞rui 博bo 森sen 鑫xin 翔xiang 龙long 飞fei"),
    ),
    ("female", "older"): (
        _chars("秀xiu 玉yu 桂gui 淑shu 丽li 春chun 红hong 美mei 海hai 凤feng 翠cui 爱ai 金jin 晓xiao 立li 素su"),
        _chars("英ying 兰lan 芳fang 华hua 珍zhen 梅mei 霞xia 荣rong 琴qin 云yun 莲lian 娟juan 萍ping 红hong "
               "燕yan 芬fen 敏min 玲ling 静jing"),
    ),
    ("female", "younger"): (
        _chars("晓xiao 雅ya 欣xin 佳jia 思si 雨yu 梦meng 诗shi 婉wan 一yi 若ruo 紫zi 子zi 梓zi 心xin 静jing "
               "文wen 慧hui 雪xue 丹dan"),
        _chars("婷ting 琳lin 颖ying 璐lu 雯wen 涵han 妍yan 怡yi 悦yue 蕾lei 彤tong 楠nan 琪qi 萱xuan 菲fei "
               "倩qian 洁jie 然ran 宁ning 月yue 晴qing 瑶yao 薇wei"),
    ),
}
SINGLE_GIVEN_NAME_CHARS = {
    "male": _chars("伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 明ming 超chao 鹏peng 浩hao 斌bin 刚gang 峰feng "
                   "辉hui 鑫xin 宇yu 凯kai 亮liang 帅shuai 波bo 健jian 俊jun 晨chen 昊hao 龙long 坤kun 毅yi 彬bin"),
    "female": _chars("芳fang 娜na 静jing 敏min 丽li 艳yan 娟juan 霞xia 燕yan 玲ling 婷ting 雪xue 颖ying 倩qian "
                     "琳lin 慧hui 丹dan 萍ping 红hong 梅mei 莉li 洁jie 琪qi 悦yue 晶jing 璐lu 菲fei 蕾lei 欣xin 蕊rui"),
}
SINGLE_CHARACTER_NAME_SHARE = 0.22

VILLAGE_DIRECTIONS = _words("东 西 南 北 前 后 大 小 上 下")
VILLAGE_SUFFIXES = _words("庄 村 店 屯 集 营 寨 峪 洼 坡")
VILLAGE_NATURE = _words("石 柳 杏 桃 泉 河 山 龙 凤 马 白 黄 青 槐 枣")
VILLAGE_NATURE_SUFFIXES = _words("峪 沟 泉 河 岭 坡 洼 湾 口 园")

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
MOBILE_PREFIXES = _words(
    "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198 "
    "130 131 132 145 155 156 166 175 176 185 186 133 149 153 173 177 180 181 189 199"
)
PHONE_MISSING_SHARE = 0.03

# Research mentors' institutions (by mail domain): universities and
# institutes in and around Jinan, and one high-tech company. The domains are
# under the reserved .example top-level domain, so no demo mail can ever reach
# a real mailbox.
MENTOR_DOMAINS = (
    ("sdu.example", 6), ("ujn.example", 4), ("qlu.example", 4), ("sdnu.example", 3), ("sdjzu.example", 1),
    ("iscas.example", 1), ("inspur.example", 1),
)
TRAINER_COUNT = 10
HR_COUNT = 4
MENTOR_COUNT = 20

# --- the training-hours ledger ------------------------------------------------

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


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    district_code: str
    has_primary: bool
    has_junior: bool
    has_senior: bool
    locality: str
    size: float

    @property
    def stages(self):
        flags = {Stage.PRIMARY: self.has_primary, Stage.JUNIOR: self.has_junior, Stage.SENIOR: self.has_senior}
        return [stage for stage, present in flags.items() if present]


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


@dataclass(frozen=True)
class AccountSpec:
    """A user who is not one of the generated teachers."""

    username: str
    real_name: str
    email: str
    role: Role | None
    district_code: str = ""
    is_superuser: bool = False
    # The fixed accounts of lms.demo.accounts, which go through the role services.
    is_demo_login: bool = False


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


@dataclass(frozen=True)
class DemoAcademyPlan:
    seed: int
    schools: list  # of SchoolSpec
    teachers: list  # of TeacherSpec, the demo teacher first
    accounts: list  # of AccountSpec
    credits: list  # of CreditSpec, reversals after the entries they reverse
    # The schools left without a single credit in the current year.
    quiet_school_codes: tuple


def demo_academy_plan(
    *, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT, today: datetime.date | None = None
) -> DemoAcademyPlan:
    """The whole demo academy for ``seed``, as data. Schools and staff
    accounts depend on the seed only, so changing ``teacher_count`` keeps
    them; teachers are spread over the schools by school size. The ledger
    runs from 2024 to ``today`` (by default the current date)."""
    if teacher_count < 1:
        raise DemoAcademyError(TEACHER_COUNT_TOO_SMALL)
    today = today or timezone.localdate()
    names = _NameMaker()
    schools = _schools_plan(random.Random(f"seed-demo:{seed}:schools"))
    teachers = _teachers_plan(random.Random(f"seed-demo:{seed}:teachers"), schools=schools, count=teacher_count,
                              names=names)
    accounts = _accounts_plan(random.Random(f"seed-demo:{seed}:accounts"), names=names)
    credits, quiet = _ledger_plan(random.Random(f"seed-demo:{seed}:ledger"), schools=schools, teachers=teachers,
                                  today=today)
    return DemoAcademyPlan(seed=seed, schools=schools, teachers=teachers, accounts=accounts, credits=credits,
                           quiet_school_codes=quiet)


def _weighted_picker(pairs):
    """A function choosing among ``(item, weight)`` pairs with a given rng;
    cumulative weights are computed once, as this runs for every teacher."""
    items = [item for item, _weight in pairs]
    cumulative = list(accumulate(weight for _item, weight in pairs))
    total = cumulative[-1]

    def pick(rng):
        return items[bisect(cumulative, rng.random() * total)]

    return pick


def _chinese_number(n):
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _largest_remainder(weights, total):
    """Split ``total`` into integers proportional to ``weights``; ties go to
    the earlier entry so the split is deterministic."""
    weight_sum = sum(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    shares = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


class _NameMaker:
    """Chinese personal names with their romanisation."""

    def __init__(self):
        self._surname_pickers = {}

    def _surname_picker(self, local_surnames):
        if local_surnames not in self._surname_pickers:
            boosted = [
                ((hanzi, pinyin), weight * (LOCAL_SURNAME_BOOST if hanzi in local_surnames else 1))
                for hanzi, pinyin, weight in SURNAMES
            ]
            self._surname_pickers[local_surnames] = _weighted_picker(boosted)
        return self._surname_pickers[local_surnames]

    def person(self, rng, *, female, older, local_surnames=()):
        surname, surname_pinyin = self._surname_picker(local_surnames)(rng)
        sex = "female" if female else "male"
        if rng.random() < SINGLE_CHARACTER_NAME_SHARE:
            given = [rng.choice(SINGLE_GIVEN_NAME_CHARS[sex])]
        else:
            firsts, seconds = GIVEN_NAME_CHARS[(sex, "older" if older else "younger")]
            first, second = rng.choice(firsts), rng.choice(seconds)
            while second[0] == first[0]:
                second = rng.choice(seconds)
            given = [first, second]
        given_pinyin = given[0][1]
        for _hanzi, syllable in given[1:]:
            # Pinyin needs an apostrophe where a syllable starting with a
            # vowel would otherwise run into the one before (Xi'an).
            given_pinyin += ("'" if syllable[0] in "aeo" else "") + syllable
        real_name = surname + "".join(hanzi for hanzi, _syllable in given)
        return real_name, f"{surname_pinyin} {given_pinyin.capitalize()}"


def _village_name(rng):
    style = rng.random()
    surname = rng.choice(SURNAMES[:30])[0]
    if style < 0.4:
        return surname + "家" + rng.choice(("庄", "村", "峪", "洼", "店", "屯"))
    if style < 0.75:
        return rng.choice(VILLAGE_DIRECTIONS) + surname + rng.choice(VILLAGE_SUFFIXES)
    return rng.choice(VILLAGE_NATURE) + rng.choice(VILLAGE_NATURE_SUFFIXES)


class _SchoolNamer:
    """Names a district's schools the way they are signed locally, without
    repeating a name."""

    # Share of urban schools of each kind named by number or as the
    # district's 实验 school rather than after a street or an ideal.
    SERIAL_SHARE = {"primary": 0.2, "nine_year": 0.3, "junior": 0.4, "senior": 0.6, "complete": 0.7}
    URBAN_SUFFIX = {"primary": "小学", "nine_year": "学校", "junior": "中学", "senior": "高级中学", "complete": "中学"}
    RURAL_SUFFIX = {"primary": "小学", "nine_year": "学校", "junior": "中学"}
    FIRST_OF_TOWN = {"primary": "中心小学", "junior": "中学"}

    def __init__(self, rng, profile):
        self.rng = rng
        self.profile = profile
        self.taken = set()
        self.numbered = 0  # 第N中学
        self.experimental = {"小学": 0, "学校": 0}  # 实验小学, 第二实验小学…
        self.towns = list(profile.rural_towns)
        rng.shuffle(self.towns)
        self.town_turn = 0
        self.town_has = {}

    def _claim(self, name):
        if name in self.taken:
            return None
        self.taken.add(name)
        return name

    def _serial(self, prefix, kind):
        if kind in (PRIMARY_SCHOOL, NINE_YEAR_SCHOOL):
            suffix = "小学" if kind is PRIMARY_SCHOOL else "学校"
            self.experimental[suffix] += 1
            n = self.experimental[suffix]
            return self._claim(f"{prefix}{'' if n == 1 else '第' + _chinese_number(n)}实验{suffix}")
        self.numbered += 1
        return self._claim(f"{prefix}第{_chinese_number(self.numbered)}中学")

    def urban(self, kind):
        prefix = self.profile.urban_prefix
        name = None
        if self.rng.random() >= self.SERIAL_SHARE[kind.key]:
            for _attempt in range(4):
                pool = self.profile.urban_areas if self.rng.random() < 0.75 else COMMON_SCHOOL_NAMES
                name = self._claim(f"{prefix}{self.rng.choice(pool)}{self.URBAN_SUFFIX[kind.key]}")
                if name:
                    break
        while name is None:
            name = self._serial(prefix, kind)
        return name

    def rural(self, kind):
        prefix = self.profile.rural_prefix
        if kind in (SENIOR_SCHOOL, COMPLETE_SCHOOL):
            # County high schools are numbered: 商河县第二中学, 章丘区第四中学.
            name = None
            while name is None:
                name = self._serial(prefix, kind)
            return name
        # Rural schools take the towns in turn before doubling up, so each
        # town has its 中心小学 and its 中学 before a village school.
        town = self.towns[self.town_turn % len(self.towns)]
        self.town_turn += 1
        base = f"{prefix}{town}"
        has = self.town_has.setdefault(town, [])
        name = None
        first_of_town = self.FIRST_OF_TOWN.get(kind.key)
        if first_of_town and first_of_town not in has:
            has.append(first_of_town)
            name = self._claim(f"{base}{first_of_town}")
        while name is None:
            name = self._claim(f"{base}{_village_name(self.rng)}{self.RURAL_SUFFIX[kind.key]}")
        return name


def _schools_plan(rng):
    schools = []
    for profile in DISTRICT_PROFILES:
        counts = _largest_remainder([kind.share for kind in SCHOOL_KINDS], profile.school_count)
        kinds = [kind for kind, count in zip(SCHOOL_KINDS, counts) for _ in range(count)]
        rng.shuffle(kinds)
        rural_count = round(profile.school_count * profile.rural_share)
        rural = _weighted_sample(rng, range(len(kinds)), [kinds[i].rural_affinity for i in range(len(kinds))],
                                 rural_count)
        namer = _SchoolNamer(rng, profile)
        for number, kind in enumerate(kinds, start=1):
            is_rural = number - 1 in rural
            size = kind.size * (RURAL_SCHOOL_SIZE if is_rural else 1.0) * rng.uniform(0.6, 1.4)
            schools.append(
                SchoolSpec(
                    code=f"{profile.code}{number:03d}",
                    name=namer.rural(kind) if is_rural else namer.urban(kind),
                    district_code=profile.code,
                    has_primary=kind.has_primary,
                    has_junior=kind.has_junior,
                    has_senior=kind.has_senior,
                    locality=Locality.RURAL if is_rural else Locality.URBAN,
                    size=round(size, 3),
                )
            )
    return schools


def _weighted_sample(rng, population, weights, k):
    """``k`` distinct items, each drawn with probability proportional to its
    weight among those left."""
    population, weights, chosen = list(population), list(weights), []
    for _ in range(min(k, len(population))):
        i = bisect(list(accumulate(weights)), rng.random() * sum(weights))
        chosen.append(population.pop(i))
        weights.pop(i)
    return chosen


class _TeacherMaker:
    def __init__(self, rng, *, names):
        self.rng = rng
        self.names = names
        self.subject_pickers = {stage: _weighted_picker(pairs) for stage, pairs in STAGE_SUBJECTS.items()}
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
            self.stage_pickers[stages] = _weighted_picker([(stage, STAGE_WEIGHT[stage]) for stage in stages])
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


def _teachers_plan(rng, *, schools, count, names):
    demo = _demo_teacher(schools)
    generated = count - 1
    if generated >= len(schools):
        # Every school gets a teacher before bigger schools get more.
        per_school = [1 + n for n in _largest_remainder([s.size for s in schools], generated - len(schools))]
    else:
        per_school = _largest_remainder([s.size for s in schools], generated)
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


def _accounts_plan(rng, *, names):
    demo_email = f"@{DEMO_EMAIL_DOMAIN}"
    accounts = [
        AccountSpec(
            username=username,
            real_name=real_name,
            email=username + demo_email,
            role=role,
            district_code=DEMO_TEACHER_DISTRICT if role == Role.DISTRICT_ADMIN else "",
            is_demo_login=True,
        )
        for username, role, real_name, _hint in DEMO_LOGINS
    ]
    accounts.append(AccountSpec(SUPERUSER_USERNAME, "", SUPERUSER_USERNAME + demo_email, None, is_superuser=True))

    def staff_person():
        return names.person(rng, female=rng.random() < 0.6, older=rng.random() < 0.4)[0]

    for n in range(1, TRAINER_COUNT + 1):
        accounts.append(AccountSpec(f"trainer-{n:02d}", staff_person(), f"trainer-{n:02d}{demo_email}", Role.TRAINER))
    for n in range(1, HR_COUNT + 1):
        accounts.append(AccountSpec(f"hr-{n:02d}", staff_person(), f"hr-{n:02d}{demo_email}", Role.HR))
    for profile in DISTRICT_PROFILES:
        username = f"district-{profile.code.lower()}"
        accounts.append(
            AccountSpec(username, staff_person(), username + demo_email, Role.DISTRICT_ADMIN,
                        district_code=profile.code)
        )
    pick_domain = _weighted_picker(MENTOR_DOMAINS)
    mailboxes = set()
    for n in range(1, MENTOR_COUNT + 1):
        real_name, romanised = names.person(rng, female=rng.random() < 0.35, older=rng.random() < 0.6)
        local = romanised.replace(" ", "").replace("'", "").lower()
        domain = pick_domain(rng)
        mailbox, suffix = f"{local}@{domain}", 1
        while mailbox in mailboxes:
            suffix += 1
            mailbox = f"{local}{suffix}@{domain}"
        mailboxes.add(mailbox)
        accounts.append(AccountSpec(f"mentor-{n:02d}", real_name, mailbox, Role.MENTOR))
    return accounts


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


def ledger_years(today):
    """The years the demo ledger covers: 2024, 2025 and the current year."""
    return tuple(year for year in sorted({*LEDGER_YEARS, today.year}) if year <= today.year)


def _days_in_month(year, month):
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.date(year, month, 1)).days


# Plain strings, not the enum members, in the plan's hot loops: comparing
# enum members costs several times more.
_ONLINE_COURSE = CreditCategory.ONLINE_COURSE.value
_OFFLINE_WORKSHOP = CreditCategory.OFFLINE_WORKSHOP.value
_RESEARCH_ALONG = CreditCategory.RESEARCH_ALONG.value
_EXTERNAL = CreditCategory.EXTERNAL.value
_ADJUSTMENT = CreditCategory.ADJUSTMENT.value
_ZERO = Decimal("0")


def _pick(rng, items):
    """``rng.choice`` for the hot loops: one call to ``random()`` where
    ``choice`` makes several, for every one of a large academy's entries."""
    return items[int(rng.random() * len(items))]


class _LedgerMaker:
    # Days between a training and its entry in the ledger.
    CREDIT_DELAYS = tuple(datetime.timedelta(days=days) for days in (0, 1, 1, 2, 3, 5, 7, 14))

    def __init__(self, rng, *, today):
        self.rng = rng
        self.today = today
        self.zone = timezone.get_current_timezone()
        self.category_pickers = {
            leading: _weighted_picker([(category.value, weight) for category, weight in weights])
            for leading, weights in ((False, CATEGORY_WEIGHTS), (True, CATEGORY_WEIGHTS_LEADING))
        }
        self.hours_pickers = {
            category.value: _weighted_picker([(Decimal(str(hours)), weight) for hours, weight in pairs])
            for category, pairs in CATEGORY_HOURS.items()
        }
        self.count_pickers = {
            False: _weighted_picker(CREDITS_PER_YEAR), True: _weighted_picker(CREDITS_PER_YEAR_RURAL)
        }
        self.day_pickers = {}
        first_day = datetime.date(today.year, 1, 1)
        days_in_year = (datetime.date(today.year + 1, 1, 1) - first_day).days
        # Teachers have had only part of the current year to train in.
        self.current_year_share = ((today - first_day).days + 1) / days_in_year

    def last_day(self, year):
        return self.today if year == self.today.year else datetime.date(year, 12, 31)

    def training_day(self, year):
        """A day in ``year``, never after today, busier months likelier."""
        if year not in self.day_pickers:
            month_weights = dict(MONTH_WEIGHTS)
            day, last, days = datetime.date(year, 1, 1), self.last_day(year), []
            while day <= last:
                days.append((day, month_weights[day.month] / _days_in_month(year, day.month)))
                day += datetime.timedelta(days=1)
            self.day_pickers[year] = _weighted_picker(days)
        return self.day_pickers[year](self.rng)

    def credited_at(self, day, delay, at=None):
        """When an entry was written: office hours some days after the
        training, and never after the start of today."""
        credited_on = min(day + delay, self.today)
        if credited_on == self.today:
            at = datetime.time(0, 0)
        elif at is None:
            minute = 480 + int(self.rng.random() * 840)  # 08:00 to 21:59
            at = datetime.time(minute // 60, minute % 60)
        return datetime.datetime.combine(credited_on, at, tzinfo=self.zone)

    def label(self, category, teacher, project):
        rng = self.rng
        if category == _ONLINE_COURSE:
            if teacher.second_subject == Subject.SCIENCE and rng.random() < 0.5:
                pool = ONLINE_COURSES[Subject.SCIENCE]
            else:
                pool = ONLINE_COURSES[teacher.subject] if rng.random() < 0.7 else GENERAL_COURSES
            return _pick(rng, pool)
        if category == _OFFLINE_WORKSHOP:
            topic = _pick(rng, WORKSHOP_TOPICS)
            session = 1 + int(rng.random() * 6)
            return f"{STAGE_NAMES[teacher.stage]}{SUBJECT_NAMES[teacher.subject]}{topic}（第{session}期）"
        if category == _RESEARCH_ALONG:
            return f"科研跟学：{project}"
        if category == _EXTERNAL:
            return _pick(rng, EXTERNAL_TRAININGS)
        return _pick(rng, COHORT_TRAININGS)

    def teacher_credits(self, teacher, *, rural, years, quiet_school_codes):
        """One generated teacher's entries, numbered from 1 in date order.

        The hot loop of a large academy: categories are plain strings and
        lookups are hoisted out of the loops."""
        rng = self.rng
        pick_category = self.category_pickers[teacher.is_backbone_teacher or teacher.is_teaching_researcher]
        pick_count = self.count_pickers[rural]
        hours_pickers = self.hours_pickers
        delays = self.CREDIT_DELAYS
        staff_number = teacher.staff_number
        # A teacher works with one research group, whatever the year.
        project = _pick(rng, RESEARCH_PROJECTS)
        credits = []
        for year in years:
            if year < teacher.teaching_since:
                continue
            current = year == self.today.year
            if current and teacher.school_code in quiet_school_codes:
                continue
            if rng.random() >= PARTICIPATION.get(year, PARTICIPATION_LATER) * (RURAL_PARTICIPATION if rural else 1):
                continue
            count = pick_count(rng)
            if current:
                count = max(1, round(count * self.current_year_share))
            trainings = []
            for _ in range(count):
                category = pick_category(rng)
                trainings.append((self.training_day(year), category, hours_pickers[category](rng),
                                  self.label(category, teacher, project)))
            trainings.sort(key=_first)
            research_used = None
            for day, category, requested, label in trainings:
                hours, capped, person_times = requested, _ZERO, 1
                if category == _RESEARCH_ALONG:
                    if research_used is None:
                        research_used = _ZERO
                    else:
                        # A year of research-along sessions is one training.
                        person_times = 0
                    hours, capped = _capped(category, requested, research_used)
                    research_used += hours
                credits.append(CreditSpec(
                    staff_number, len(credits) + 1, category, day, self.credited_at(day, _pick(rng, delays)),
                    requested, hours, capped, person_times, label,
                ))
        return credits


def _first(item):
    return item[0]


def _capped(category, hours, used):
    """(hours credited, hours capped) as ``credit_record`` would split them,
    ``used`` being the hours already credited in the category that year."""
    if category != _RESEARCH_ALONG or hours <= 0:
        return hours, _ZERO
    credited = min(hours, max(RESEARCH_ALONG_CAP - used, _ZERO))
    return credited, hours - credited


def _demo_teacher_credits(maker, teacher, *, years):
    credits, reversals = [], []
    for year, entries in zip(years, DEMO_TEACHER_LEDGER):
        used = _ZERO
        for month, day, category, hours, label, extras in entries:
            occurred_on = min(datetime.date(year, month, day), maker.last_day(year))
            requested = Decimal(hours)
            credited, capped = _capped(category.value, requested, used)
            if category == CreditCategory.RESEARCH_ALONG:
                used += credited
            person_times = extras.get("person_times", 0 if capped else 1)
            credit = CreditSpec(
                staff_number=teacher.staff_number, number=len(credits) + 1, category=category.value,
                occurred_on=occurred_on,
                credited_at=maker.credited_at(occurred_on, datetime.timedelta(days=2), at=datetime.time(10, 0)),
                requested_hours=requested, hours=credited,
                capped_hours=capped, person_times=person_times, evidence_label=label,
                reason=extras.get("reason", ""),
            )
            credits.append(credit)
            if extras.get("reversed_because"):
                reversals.append((credit, extras["reversed_because"]))
    for original, reason in reversals:
        credits.append(_reversal(maker, original, number=len(credits) + 1, reason=reason, delay_days=21,
                                 at=datetime.time(15, 30)))
    return credits


def _reversal(maker, original, *, number, reason, delay_days, at=None):
    """The entry ``credit_reverse`` writes: the original's opposite, for the
    original's day."""
    delay = datetime.timedelta(days=delay_days)
    credited_at = max(maker.credited_at(original.credited_at.date(), delay, at=at), original.credited_at)
    return CreditSpec(
        staff_number=original.staff_number, number=number, category=original.category,
        occurred_on=original.occurred_on, credited_at=credited_at, requested_hours=-original.hours,
        hours=-original.hours, capped_hours=_ZERO, person_times=-original.person_times,
        evidence_label=original.evidence_label, reason=reason, reverses=original.number,
    )


def _ledger_plan(rng, *, schools, teachers, today):
    """Every teacher's ledger entries, and the schools left without any
    credit this year."""
    maker = _LedgerMaker(rng, today=today)
    years = ledger_years(today)
    demo, generated = teachers[0], teachers[1:]
    candidates = [school for school in schools if school.code != demo.school_code]
    quiet = tuple(sorted(_weighted_sample(
        rng, [school.code for school in candidates],
        [3.0 if school.locality == Locality.RURAL else 1.0 for school in candidates],
        round(len(schools) * QUIET_SCHOOL_SHARE),
    )))
    quiet_codes = frozenset(quiet)
    schools_by_code = {school.code: school for school in schools}

    credits = _demo_teacher_credits(maker, demo, years=years)
    by_teacher = []
    for teacher in generated:
        rural = schools_by_code[teacher.school_code].locality == Locality.RURAL
        entries = maker.teacher_credits(teacher, rural=rural, years=years, quiet_school_codes=quiet_codes)
        if entries:
            by_teacher.append(entries)
            credits.extend(entries)

    # HR's corrections: a few adjustments and reversals a year, for teachers
    # who trained that year.
    corrections = min(CORRECTIONS_PER_YEAR_MAX, round(len(generated) * CORRECTIONS_SHARE))
    next_number = {entries[0].staff_number: len(entries) + 1 for entries in by_teacher}
    adjustments, reversals = [], []
    for year in years:
        if not corrections:
            break
        in_year = [credit for credit in credits
                   if credit.occurred_on.year == year and credit.staff_number != demo.staff_number]
        # Reversing research-along would free room under its cap, which
        # the entries after it would then have to take up.
        reversible = [credit for credit in in_year if credit.category != _RESEARCH_ALONG]
        for original in rng.sample(reversible, min(corrections, len(reversible))):
            number = next_number[original.staff_number]
            next_number[original.staff_number] += 1
            reversals.append(_reversal(maker, original, number=number, reason=rng.choice(REVERSAL_REASONS),
                                       delay_days=rng.randint(3, 40)))
        trained = sorted({credit.staff_number for credit in in_year})
        for staff_number in rng.sample(trained, min(corrections, len(trained))):
            reason, hours, person_times = rng.choice(ADJUSTMENTS)
            day = maker.training_day(year)
            number = next_number[staff_number]
            next_number[staff_number] += 1
            adjustments.append(CreditSpec(
                staff_number=staff_number, number=number, category=_ADJUSTMENT, occurred_on=day,
                credited_at=maker.credited_at(day, datetime.timedelta(days=rng.randint(5, 30))),
                requested_hours=hours, hours=hours,
                capped_hours=_ZERO, person_times=person_times, reason=reason,
            ))
    return credits + adjustments + reversals, quiet


# --------------------------------------------------------------------------
# Writing it
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAcademySummary:
    seed: int
    districts: int
    schools: int
    rural_schools: int
    teachers: int
    accounts_by_role: dict
    superusers: int
    sample_teacher_username: str
    credits: int = 0
    credit_years: tuple = ()
    courses: int = 0
    # mentors.seeding.ResearchAlongSummary
    research_along: object = None


def demo_academy_has_data():
    """Users or schools mean someone's data, demo or not, is already here."""
    return get_user_model().objects.exists() or School.objects.exists()


def demo_academy_seed(
    *, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT, today: datetime.date | None = None
) -> DemoAcademySummary:
    """Load the demo academy into an empty database.

    Raises ``DatabaseNotEmpty`` rather than mixing demo people into real
    ones. The number of queries does not depend on ``teacher_count``.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        if demo_academy_has_data():
            raise DatabaseNotEmpty(DATABASE_NOT_EMPTY)
        plan = demo_academy_plan(seed=seed, teacher_count=teacher_count, today=today)

        district_codes = [profile.code for profile in DISTRICT_PROFILES]
        districts = District.objects.in_bulk(district_codes, field_name="code")
        missing = [code for code in district_codes if code not in districts]
        if missing:
            raise DemoAcademyError(DISTRICTS_MISSING % {"codes": ", ".join(missing)})

        schools = School.objects.bulk_create(
            [
                School(
                    code=spec.code,
                    name=spec.name,
                    district=districts[spec.district_code],
                    has_primary=spec.has_primary,
                    has_junior=spec.has_junior,
                    has_senior=spec.has_senior,
                    locality=spec.locality,
                )
                for spec in plan.schools
            ]
        )
        user_ids = _users_create(plan=plan)
        school_ids = {school.code: school.pk for school in schools}
        _insert_many(
            TeacherProfile,
            ("user", "school", *PROFILE_FIELDS),
            [
                (user_ids[teacher.username], school_ids[teacher.school_code],
                 *(getattr(teacher, name) for name in PROFILE_FIELDS))
                for teacher in plan.teachers
            ],
        )
        _roles_assign(plan=plan, user_ids=user_ids, districts=districts)
        _ledger_write(plan=plan, districts=districts, school_ids=school_ids)
        # The course catalogue and a modest set of enrolments; its cost does
        # not grow with the number of teachers (see courses.seeding).
        from courses.api import demo_catalogue_seed
        from themes.api import HomePage

        courses = demo_catalogue_seed(seed=seed, today=today, home=HomePage.objects.first())
        # Research-along last: its confirmed activities are credited through
        # the ledger service on top of the planned ledger.
        from mentors.api import research_along_demo_seed

        research_along = research_along_demo_seed(
            teacher_usernames=[teacher.username for teacher in plan.teachers], today=today
        )

    accounts_by_role = {}
    for account in plan.accounts:
        if account.role not in (None, Role.TEACHER):
            accounts_by_role[account.role] = accounts_by_role.get(account.role, 0) + 1
    return DemoAcademySummary(
        seed=seed,
        districts=len(districts),
        schools=len(schools),
        rural_schools=sum(1 for spec in plan.schools if spec.locality == Locality.RURAL),
        teachers=len(plan.teachers),
        accounts_by_role=accounts_by_role,
        superusers=sum(1 for account in plan.accounts if account.is_superuser),
        sample_teacher_username=plan.teachers[-1].username,
        credits=len(plan.credits),
        credit_years=ledger_years(today),
        courses=courses,
        research_along=research_along,
    )


def _insert_many(model, field_names, rows):
    """INSERT ``rows`` (values for ``field_names``, in that order); every
    other column gets the field's default, or is left out when that default
    is NULL anyway (a ledger entry's empty evidence and reversal links).

    ``bulk_create`` prepares every value of every object in Python and, on
    SQLite, sends at most 999 values per statement: for 50,000 teachers that
    alone took most of the one-minute budget. Here SQLite runs one prepared
    statement for all rows and PostgreSQL takes a COPY, each about ten times
    faster. The values are plain strings, numbers, booleans and None, which
    every backend takes as they are; defaults (timestamps included) are
    prepared once.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    given = [model._meta.get_field(name) for name in field_names]
    template = model()
    others = [
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in field_names and not (f.null and f.get_default() is None)
    ]
    defaults = tuple(f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in others)
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in given + others)
    with connection.cursor() as cursor:
        if _can_copy(connection):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
        else:
            placeholders = ", ".join(["%s"] * (len(given) + len(others)))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", [(*row, *defaults) for row in rows]
            )


def _can_copy(connection):
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _users_create(*, plan):
    """Create every account and teacher's user; return their ids by username."""
    # One hash for everyone: hashing 50,000 times would take most of an hour
    # with the production hasher, and every demo account shares the password.
    password = make_password(DEMO_PASSWORD)
    rows = [
        (account.username, account.real_name, account.email, password, account.is_superuser, account.is_superuser)
        for account in plan.accounts
    ]
    rows += [
        (teacher.username, teacher.real_name, f"{teacher.username}@{DEMO_EMAIL_DOMAIN}", password, False, False)
        # The demo teacher's user is one of the accounts.
        for teacher in plan.teachers
        if teacher.username != DEMO_TEACHER_USERNAME
    ]
    User = get_user_model()
    _insert_many(User, ("username", "first_name", "email", "password", "is_superuser", "is_staff"), rows)
    # The database had no users before (demo_academy_has_data), so all of
    # them are ours.
    return dict(User.objects.values_list("username", "pk"))


def _roles_assign(*, plan, user_ids, districts):
    """Fixed demo accounts and district admins go through the role services
    like any other user; the thousands of others get group rows in bulk."""
    User = get_user_model()
    groups = Group.objects.in_bulk([role.value for role in Role], field_name="name")
    by_service = [account for account in plan.accounts if account.is_demo_login or account.district_code]
    users = User.objects.in_bulk([account.username for account in by_service], field_name="username")
    memberships = []
    for account in plan.accounts:
        if account.role == Role.DISTRICT_ADMIN:
            district_admin_assign(user=users[account.username], district=districts[account.district_code])
        elif account.is_demo_login:
            user_role_add(user=users[account.username], role=account.role)
        elif account.role is not None:
            memberships.append((user_ids[account.username], groups[account.role.value].pk))
    teacher_group_id = groups[Role.TEACHER.value].pk
    memberships += [
        (user_ids[teacher.username], teacher_group_id)
        for teacher in plan.teachers
        if teacher.username != DEMO_TEACHER_USERNAME
    ]
    _insert_many(User.groups.through, ("user", "group"), memberships)


def _ledger_write(*, plan, districts, school_ids):
    """Write the plan's ledger entries and the tallies they add up to.

    The entries go in as two bulk inserts (the reversals second, once the
    entries they reverse have ids): ``credit_record`` one credit at a time
    would run a dozen statements per entry. Entries carry each teacher's
    district, school, locality, subject and stage, as ``credit_record``
    copies them.

    The tallies are added up here by the rows ``credit_record`` adds each
    entry to (``lms.ledger.services.tally_rows``) and written in one statement each.
    ``ledger_reconcile(fix=True)`` would build the same rows, but it inserts
    them in batches whose number grows with the academy, and for 50,000
    teachers it alone takes a quarter of seed_demo's one-minute budget; the
    tests reconcile a seeded academy instead and expect no difference.
    """
    CreditCap.objects.get_or_create(
        category=CreditCategory.RESEARCH_ALONG,
        defaults={"yearly_hours": RESEARCH_ALONG_CAP, "note": RESEARCH_ALONG_CAP_NOTE},
    )
    if not plan.credits:
        return
    teacher_ids = dict(TeacherProfile.objects.values_list("staff_number", "pk"))
    schools = {spec.code: spec for spec in plan.schools}
    snapshots = {}
    for teacher in plan.teachers:
        school = schools[teacher.school_code]
        snapshots[teacher.staff_number] = (
            teacher_ids[teacher.staff_number], districts[school.district_code].pk, school_ids[school.code],
            school.locality, teacher.subject, teacher.stage,
        )
    connection = connections[router.db_for_write(TrainingCredit)]
    # The one value _insert_many cannot pass as it is: SQLite stores
    # datetimes as naive UTC text.
    adapt_datetime = connection.ops.adapt_datetimefield_value

    def row(credit, source_key, credited_via):
        teacher_id, district_id, school_id, locality, subject, stage = snapshots[credit.staff_number]
        return (
            teacher_id, credit.category, credit.occurred_on.year, credit.occurred_on, credit.hours,
            credit.requested_hours, credit.capped_hours, credit.person_times, source_key, credit.evidence_label,
            credit.reason, credited_via, adapt_datetime(credit.credited_at), district_id, school_id, locality,
            subject, stage,
        )

    fields = ("teacher", "category", "year", "occurred_on", "hours", "requested_hours", "capped_hours",
              "person_times", "source_key", "evidence_label", "reason", "credited_via", "created_at", "district",
              "school", "locality", "subject", "stage")
    entries = [credit for credit in plan.credits if credit.reverses is None]
    reversals = [credit for credit in plan.credits if credit.reverses is not None]
    _insert_many(TrainingCredit, fields, [
        row(credit, credit.source_key, "adjustment" if credit.category == _ADJUSTMENT else "seed_demo")
        for credit in entries
    ])
    if reversals:
        reversed_keys = [f"demo:{credit.staff_number}:{credit.reverses}" for credit in reversals]
        reversed_ids = dict(
            TrainingCredit.objects.filter(source_key__in=reversed_keys).values_list("source_key", "pk")
        )
        # As credit_reverse writes them: the original is the evidence.
        credit_type_id = ContentType.objects.get_for_model(TrainingCredit).pk
        _insert_many(TrainingCredit, (*fields, "reverses", "evidence_type", "evidence_id"), [
            (*row(credit, f"reversal:{reversed_ids[key]}", "reversal"), reversed_ids[key], credit_type_id,
             str(reversed_ids[key]))
            for credit, key in zip(reversals, reversed_keys)
        ])
    _tallies_write(plan.credits, snapshots)


class _TallyEntry(NamedTuple):
    """What ``tally_rows`` reads of an entry."""

    year: int
    occurred_on: datetime.date
    district_id: int
    school_id: int
    locality: str
    subject: str
    stage: str
    category: str


def _tallies_write(credits, snapshots):
    """Add the entries up into CreditTally and TeacherYearTally rows."""
    # Entries that fall in the same tally rows are summed first: there are
    # far fewer such groups than entries, and tally_rows runs once a group.
    groups, teacher_totals = {}, {}
    for credit in credits:
        teacher_id, district_id, school_id, locality, subject, stage = snapshots[credit.staff_number]
        day, category, hours, person_times = credit.occurred_on, credit.category, credit.hours, credit.person_times
        group = (day.year, day.month, district_id, school_id, locality, subject, stage, category)
        totals = groups.get(group)
        if totals is None:
            groups[group] = [hours, person_times, 1]
        else:
            totals[0] += hours
            totals[1] += person_times
            totals[2] += 1
        key = (teacher_id, day.year, category)
        totals = teacher_totals.get(key)
        if totals is None:
            teacher_totals[key] = [hours, person_times]
        else:
            totals[0] += hours
            totals[1] += person_times
    tallies = {}
    for (year, month, district_id, school_id, locality, subject, stage, category), sums in groups.items():
        entry = _TallyEntry(year, datetime.date(year, month, 1), district_id, school_id, locality, subject, stage,
                            category)
        hours, person_times, entries = sums
        for district_key, dimension, key in tally_rows(entry):
            row_key = (year, district_key, str(dimension), key)
            totals = tallies.get(row_key)
            if totals is None:
                tallies[row_key] = [hours, person_times, entries]
            else:
                totals[0] += hours
                totals[1] += person_times
                totals[2] += entries
    _insert_many(CreditTally, ("year", "district_key", "dimension", "key", "hours", "person_times", "entries"),
                 [(*row_key, *totals) for row_key, totals in tallies.items()])
    _insert_many(TeacherYearTally, ("teacher", "year", "category", "hours", "person_times"),
                 [(*key, *totals) for key, totals in teacher_totals.items()])
