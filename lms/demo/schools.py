"""The demo academy's schools: about 300 across Jinan's districts and
zones, named the way they are signed locally, and written in one statement."""

from dataclasses import dataclass

from lms.constants import Locality, Stage
from lms.demo.draw import largest_remainder, weighted_sample, words
from lms.demo.names import village_name
from lms.models import School


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

# School counts follow the rough size of each school system (about 300 in
# all); rural shares follow how much of each district is countryside.
DISTRICT_PROFILES = (
    DistrictProfile(
        "370102", "济南市历下区", "历下区", 30, 0.03,
        words("燕山 甸柳 历山 佛山街 解放路 东关 姚家 千佛山 趵突泉 大明湖 文东 建新 羊头峪 山师东路 舜华 奥体"),
        words("龙洞街道 智远街道"),
    ),
    DistrictProfile(
        "370103", "济南市市中区", "市中区", 28, 0.07,
        words("舜耕 舜玉 泺源 大观园 杆石桥 四里村 魏家庄 经五路 七里山 六里山 王官庄 七贤 白马山 英雄山 纬二路"),
        words("党家街道 陡沟街道 兴隆街道 十六里河街道"),
    ),
    DistrictProfile(
        "370104", "济南市槐荫区", "槐荫区", 20, 0.10,
        words("振兴街 中大槐树 道德街 西市场 五里沟 营市街 青年公园 南辛庄 段店 张庄路 匡山 美里湖 腊山 兴福 经十西路"),
        words("玉清湖街道 吴家堡街道"),
    ),
    DistrictProfile(
        "370105", "济南市天桥区", "天桥区", 20, 0.06,
        words("无影山 北村 南村 堤口路 北坦 制锦市 宝华街 官扎营 纬北路 药山 北园 泺口 工人新村 天桥东街"),
        words("泺口街道 药山街道"),
    ),
    DistrictProfile(
        "370112", "济南市历城区", "历城区", 36, 0.25,
        words("山大路 洪家楼 东风 全福 华山 荷花路 王舍人 鲍山 祝甸 花园路 唐冶 洪山 山大北路"),
        words("董家街道 遥墙街道 临港街道 彩石街道 港沟街道 唐王街道 郭店街道"),
    ),
    DistrictProfile(
        "370113", "济南市长清区", "长清区", 18, 0.55,
        words("文昌 崮云湖 平安 清河 大学城 长清湖"),
        words("五峰山街道 归德街道 孝里街道 万德街道 张夏街道 马山镇 双泉镇"),
    ),
    DistrictProfile(
        "370114", "济南市章丘区", "章丘区", 30, 0.55,
        words("明水 双山 圣井 绣水 百脉泉 汇泉 清照 龙泉 东山"),
        words(
            "埠村街道 枣园街道 龙山街道 相公庄街道 绣惠街道 宁家埠街道 官庄街道 文祖街道 曹范街道 "
            "白云湖街道 高官寨街道 普集街道 刁镇 黄河街道 垛庄镇"
        ),
    ),
    DistrictProfile(
        "370115", "济南市济阳区", "济阳区", 18, 0.60,
        words("济阳 济北 澄波湖 开元 富阳"),
        words("回河街道 垛石街道 曲堤街道 仁风镇 新市镇"),
    ),
    DistrictProfile(
        "370116", "济南市莱芜区", "莱芜区", 24, 0.50,
        words("凤城 张家洼 高庄 鹏泉 花园 汶河 莲河 鲁中"),
        words("口镇 羊里街道 方下街道 雪野街道 大王庄镇 寨里镇 杨庄镇 茶业口镇 和庄镇 苗山镇 牛泉镇"),
        local_surnames=("亓", "吕", "毕"),
    ),
    DistrictProfile(
        "370117", "济南市钢城区", "钢城区", 8, 0.50,
        words("艾山 汶源 府前 钢都"),
        words("里辛街道 颜庄街道 辛庄街道"),
        local_surnames=("亓", "吕"),
    ),
    DistrictProfile(
        "370124", "平阴县", "平阴县", 14, 0.60,
        words("榆山 锦水 翠屏 书院 玫城"),
        words("东阿镇 玫瑰镇 洪范池镇 孔村镇 孝直镇 安城镇"),
    ),
    DistrictProfile(
        "370126", "商河县", "商河县", 16, 0.70,
        words("许商 温泉 鼓子 商都"),
        words("殷巷镇 怀仁镇 龙桑寺镇 郑路镇 贾庄镇 玉皇庙镇 白桥镇 孙集镇 韩庙镇 沙河镇 张坊镇"),
    ),
    DistrictProfile(
        "JNGX", "济南高新区", "济南高新区", 16, 0.15,
        words("舜华路 汉峪 新泺大街 凤凰路 奥体西 舜泰"),
        words("巨野河街道 孙村街道 章锦街道"),
    ),
    DistrictProfile(
        "JNNB", "济南市南部山区", "南部山区", 12, 0.80,
        words("仲宫 柳埠 锦绣川"),
        words("仲宫街道 柳埠街道 西营街道 高而街道 锦绣川街道"),
    ),
    DistrictProfile(
        "JNQB", "济南新旧动能转换起步区", "起步区", 10, 0.60,
        words("崔寨 大桥 鹊华 黄河北"),
        words("太平街道 孙耿街道 崔寨街道 大桥街道 桑梓店街道"),
    ),
)

# Names any district may use for an urban school.
COMMON_SCHOOL_NAMES = words("育英 明德 博文 启明 阳光 春晖 朝阳 新苑 胜利 东方 致远 弘毅 泉海 景山")


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


def _chinese_number(n):
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


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
            name = self._claim(f"{base}{village_name(self.rng)}{self.RURAL_SUFFIX[kind.key]}")
        return name


def schools_plan(rng):
    schools = []
    for profile in DISTRICT_PROFILES:
        counts = largest_remainder([kind.share for kind in SCHOOL_KINDS], profile.school_count)
        kinds = [kind for kind, count in zip(SCHOOL_KINDS, counts) for _ in range(count)]
        rng.shuffle(kinds)
        rural_count = round(profile.school_count * profile.rural_share)
        rural = weighted_sample(rng, range(len(kinds)), [kinds[i].rural_affinity for i in range(len(kinds))],
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


def schools_create(specs, *, districts):
    """Create the planned schools in one statement; their ids by code."""
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
            for spec in specs
        ]
    )
    return {school.code: school.pk for school in schools}
