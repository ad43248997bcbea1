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
"""

import logging
import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connections, router, transaction
from django.utils.translation import gettext_lazy as _

from .constants import Degree, Locality, ProfessionalTitle, Role, Stage, Subject
from .demo import DEMO_LOGINS, DEMO_PASSWORD
from .models import District, School, TeacherProfile
from .services import district_admin_assign, user_role_add

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
    # The fixed accounts of lms.demo, which go through the role services.
    is_demo_login: bool = False


@dataclass(frozen=True)
class DemoAcademyPlan:
    seed: int
    schools: list  # of SchoolSpec
    teachers: list  # of TeacherSpec, the demo teacher first
    accounts: list  # of AccountSpec


def demo_academy_plan(*, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT) -> DemoAcademyPlan:
    """The whole demo academy for ``seed``, as data. Schools and staff
    accounts depend on the seed only, so changing ``teacher_count`` keeps
    them; teachers are spread over the schools by school size."""
    if teacher_count < 1:
        raise DemoAcademyError(TEACHER_COUNT_TOO_SMALL)
    names = _NameMaker()
    schools = _schools_plan(random.Random(f"seed-demo:{seed}:schools"))
    teachers = _teachers_plan(random.Random(f"seed-demo:{seed}:teachers"), schools=schools, count=teacher_count,
                              names=names)
    accounts = _accounts_plan(random.Random(f"seed-demo:{seed}:accounts"), names=names)
    return DemoAcademyPlan(seed=seed, schools=schools, teachers=teachers, accounts=accounts)


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


def demo_academy_has_data():
    """Users or schools mean someone's data, demo or not, is already here."""
    return get_user_model().objects.exists() or School.objects.exists()


def demo_academy_seed(*, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT) -> DemoAcademySummary:
    """Load the demo academy into an empty database.

    Raises ``DatabaseNotEmpty`` rather than mixing demo people into real
    ones. The number of queries does not depend on ``teacher_count``.
    """
    with transaction.atomic():
        if demo_academy_has_data():
            raise DatabaseNotEmpty(DATABASE_NOT_EMPTY)
        plan = demo_academy_plan(seed=seed, teacher_count=teacher_count)

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
    )


def _insert_many(model, field_names, rows):
    """INSERT ``rows`` (values for ``field_names``, in that order); every
    other column gets the field's default.

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
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in field_names]
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


